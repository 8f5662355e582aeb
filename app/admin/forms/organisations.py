"""Piccolo Admin forms for the registry's facts: verifying declared facts, the registry import, credit-code claims.

Each form builds the API's schema and calls the same service as the API, so both paths keep the same rules.
"""

from __future__ import annotations

from typing import Literal

from piccolo_admin.endpoints import FormConfig
from pydantic import Field
from starlette.requests import Request

from app.admin.forms.common import as_officer, validated
from app.admin.picks import picked
from app.auth.principal import Principal
from app.types import FormId, RequestModel


class VerifyDeclaredForm(RequestModel):
    organisation_id: FormId = Field(title="社会组织编号")
    evaluation_grade: bool = Field(default=False, title="确认自报的评估等级")
    grade_valid_until: bool = Field(default=False, title="确认自报的等级有效期")
    registered_on: bool = Field(default=False, title="确认自报的成立登记日期")
    certificate_expires_on: bool = Field(default=False, title="确认自报的登记证书有效期")
    reason: str = Field(min_length=2, max_length=1000, title="核验依据", description="例如 已核对登记证书原件")


async def _verify_declared(request: Request, data: VerifyDeclaredForm) -> str:
    from app.organisations.facts import VERIFIED_FACTS
    from app.organisations.registry import correct_facts
    from app.organisations.schemas import OrganisationCorrection

    chosen = [fact for fact in VERIFIED_FACTS if getattr(data, fact)]
    if not chosen:
        raise ValueError("请至少勾选一项要核验的信息")
    correction = validated(OrganisationCorrection, {"verify_declared": chosen, "reason": data.reason})

    async def work(principal: Principal) -> str:
        organisation = await correct_facts(principal, data.organisation_id, correction)
        return f"社会组织 {organisation.id}（{organisation.name}）的 {len(chosen)} 项自报信息已核验"

    return await as_officer(request, work)


class RegistryImportForm(RequestModel):
    content: str = Field(
        min_length=1,
        max_length=900_000,
        title="登记名录（CSV 文本）",
        description="从 Excel 复制整张表（含表头）粘贴到此处，或粘贴 CSV；列见操作手册。xlsx 文件请用 "
        "POST /organisations/registry-import 或 seedbed import-registry",
    )


async def _import_registry(request: Request, data: RegistryImportForm) -> str:
    from app.organisations.registry_file import RegistryFileError
    from app.organisations.registry_import import import_registry

    async def work(principal: Principal) -> str:
        try:
            report = await import_registry(
                data.content.encode("utf-8"), source_name="管理后台粘贴", principal=principal
            )
        except RegistryFileError as exc:
            raise ValueError(str(exc)) from exc
        lines = report.lines()
        shown = lines[:51] + ([f"……另有 {len(lines) - 51} 行未导入，请用命令行查看全部"] if len(lines) > 51 else [])
        return "\n".join(shown)

    return await as_officer(request, work)


class ClaimDecisionForm(RequestModel):
    claim_id: FormId = picked("organisation_claim", title="认领申请")
    decision: Literal["核准", "驳回"] = Field(
        title="决定", description="核准：机构成员转给认领人，原成员的收款账户停用"
    )
    reason: str = Field(min_length=2, max_length=1000, title="依据", description="例如 已与登记管理机关核实")


async def _decide_claim(request: Request, data: ClaimDecisionForm) -> str:
    from app.organisations.claims import decide
    from app.organisations.schemas import ClaimDecision

    decision = validated(ClaimDecision, {"reason": data.reason})

    async def work(principal: Principal) -> str:
        claim = await decide(principal, data.claim_id, data.decision == "核准", decision)
        return f"认领申请 {claim.id}：{claim.status_zh}"

    return await as_officer(request, work)


ORGANISATION_FORMS = [
    FormConfig(
        "核验社会组织自报信息",
        VerifyDeclaredForm,
        _verify_declared,
        description="核对登记证书或登记管理机关记录后，把自报值确认为核验值（资格审查只采信核验值）；记入审计日志",
        form_group="社会组织",
    ),
    FormConfig(
        "导入社会组织登记名录",
        RegistryImportForm,
        _import_registry,
        description="按统一社会信用代码设置核验值；名称、类型不符或代码未注册的行不导入并列出行号；重复导入不改变任何数据",
        form_group="社会组织",
    ),
    FormConfig(
        "审核社会组织认领",
        ClaimDecisionForm,
        _decide_claim,
        description="统一社会信用代码已被他人注册时，真实机构提交的认领申请",
        form_group="社会组织",
    ),
]
