"""登记名录导入: set verified organisation facts from a registry extract (``seedbed import-registry FILE``, the API's
``POST /organisations/registry-import`` upload and the admin form 导入社会组织登记名录).

Rows are matched by credit code. A row whose name or type disagrees with the organisation registered under that
code sets nothing: the registry and our record describe different bodies, or one of them is wrong, and an officer
must look (the report names the row). Importing the same file twice changes nothing the second time: only values
that differ from the verified ones are written, each with an audit entry and a verification (source ``registry``).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

import app.organisations.access  # noqa: F401  (declares the policies can() reads)
from app.access import can
from app.auth.principal import Principal
from app.errors import DomainError, FieldError
from app.organisations import facts
from app.organisations.registry_file import RegistryFile, RegistryFileError, RegistryRow, RowProblem, read
from app.organisations.schemas import RegistryImportRead
from app.organisations.tables import FactSource, Organisation
from app.uow import UnitOfWork, unit_of_work
from app.workflow.engine import Actor

TYPE_NAMES = {
    "social_association": "社会团体",
    "social_service_institution": "社会服务机构（民办非企业单位）",
    "foundation": "基金会",
    "filed_community_group": "备案类社区群众活动团队",
}


@dataclass
class ImportReport:
    rows: int = 0  # data rows read (problem rows included)
    updated: list[int] = field(default_factory=list)  # organisation ids whose verified facts changed
    unchanged: int = 0
    problems: list[RowProblem] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "rows": self.rows,
            "updated": len(self.updated),
            "updated_organisation_ids": self.updated,
            "unchanged": self.unchanged,
            "problems": [p.as_dict() for p in self.sorted_problems()],
        }

    def lines(self) -> list[str]:
        """zh-CN, for the CLI and the admin form."""
        head = (
            f"共读取 {self.rows} 行：更新 {len(self.updated)} 个组织，{self.unchanged} 个无变化，"
            f"{len(self.problems)} 行未导入"
        )
        return [head, *(f"第 {p.row} 行（{p.credit_code or '无代码'}）：{p.message}" for p in self.sorted_problems())]

    def sorted_problems(self) -> list[RowProblem]:
        return sorted(self.problems, key=lambda p: p.row)


def comparable_name(name: str) -> str:
    # Registry extracts and registration forms mix full- and half-width brackets and spaces; the name is the same.
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", name))


async def import_registry(content: bytes, *, source_name: str, principal: Principal | None = None) -> ImportReport:
    """Admins, officers (their district's organisations only; others read as unknown codes) and the CLI (``principal``
    None: the operator at the console, recorded as ``system``) import a registry extract. One transaction: a file is
    applied whole or, should the database fail, not at all. Raises ``RegistryFileError`` for an unreadable file."""
    parsed: RegistryFile = read(content)
    report = ImportReport(rows=len(parsed.rows) + len(parsed.problems), problems=list(parsed.problems))
    codes = [row.credit_code for row in parsed.rows]
    async with unit_of_work(Actor.of(principal) if principal else Actor.system()) as uow:
        # Locked in id order, like every other writer of organisation rows, so concurrent imports cannot deadlock.
        found = (
            await Organisation.select()
            .where(Organisation.credit_code.is_in(codes or [""]))
            .order_by(Organisation.id)
            .lock_rows("UPDATE")
        )
        by_code = {row["credit_code"]: dict(row) for row in found}
        for row in parsed.rows:
            org = by_code.get(row.credit_code)
            if org is not None and principal is not None and not (await can(principal, "staff", Organisation, org))[0]:
                org = None  # out of scope reads like missing, as everywhere else
            problem = _mismatch(row, org)
            if problem:
                report.problems.append(problem)
                continue
            assert org is not None
            if await _apply(uow, row, org, source_name):
                report.updated.append(int(org["id"]))
            else:
                report.unchanged += 1
    if report.updated:
        await facts.on_facts_changed(report.updated)
    return report


async def import_upload(principal: Principal, content: bytes, source_name: str) -> RegistryImportRead:
    """The API's upload: an unreadable file is a 422 on the ``file`` field."""
    try:
        report = await import_registry(content, source_name=source_name, principal=principal)
    except RegistryFileError as exc:
        raise DomainError(
            "registry_file_invalid", str(exc), 422, [FieldError("file", "registry_file_invalid", str(exc))]
        ) from exc
    return RegistryImportRead(**report.as_dict())


def _mismatch(row: RegistryRow, org: dict[str, Any] | None) -> RowProblem | None:
    if org is None:
        return RowProblem(row.row, "unknown_code", "系统中没有以该统一社会信用代码注册的组织", row.credit_code)
    if comparable_name(row.name) != comparable_name(org["name"]):
        return RowProblem(
            row.row, "name_mismatch", f"名称「{row.name}」与系统登记的「{org['name']}」不一致，未导入", row.credit_code
        )
    if row.org_type.value != org["org_type"]:
        return RowProblem(
            row.row,
            "type_mismatch",
            f"类型「{TYPE_NAMES[row.org_type.value]}」与系统登记的「{TYPE_NAMES[org['org_type']]}」不一致，未导入",
            row.credit_code,
        )
    return None


async def _apply(uow: UnitOfWork, row: RegistryRow, org: dict[str, Any], source_name: str) -> bool:
    changes = {k: v for k, v in row.facts.items() if v != org[k]}
    if not changes:
        return False
    reference = f"登记名录导入 {source_name[:200]} 第 {row.row} 行"
    await Organisation.update({getattr(Organisation, k): v for k, v in changes.items()}).where(
        Organisation.id == org["id"]
    )
    await uow.audit(
        "organisation.registry_import",
        "organisation",
        int(org["id"]),
        before={k: facts.as_text(org[k]) for k in changes},
        after={k: facts.as_text(v) for k, v in changes.items()},
        reason=reference,
    )
    await facts.record(int(org["id"]), changes, FactSource.registry, uow.actor.user_id, reference)
    return True
