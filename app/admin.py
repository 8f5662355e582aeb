"""Piccolo Admin: the officers' back office, mounted at /admin/ (Simplified Chinese by default).

Raw table edits never move a status (hooks in app.admin_scope refuse it); actions with rules are forms that call
the same service functions as the API.
"""

from __future__ import annotations

from typing import Any

from piccolo.table import Table
from piccolo_admin.endpoints import FormConfig, TableConfig, create_admin
from piccolo_api.crud.validators import Validators
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException
from starlette.requests import Request

from app.admin_scope import (
    admin_principal,
    scope_column,
    scope_hooks,
    scope_validators,
    scoped_admin,
)
from app.audit import AuditEntry
from app.auth.tables import Account, Role
from app.errors import DomainError
from app.organisations.tables import Organisation, OrganisationMember
from app.outbox import OutboxMessage
from app.settings import get_settings
from programmes.tables import (
    Application,
    Award,
    BudgetLine,
    Criterion,
    Edition,
    FormVersion,
    FundSource,
    LedgerEntry,
    PaymentBatch,
    PaymentBatchItem,
    Programme,
    Round,
    SimulatedTransfer,
    Tranche,
)
from scoring.tables import RankingEntry, ReviewAssignment

# (table, menu group, read-only, list columns)
MENU: list[tuple[type[Table], str, bool, list[str] | None]] = [
    (Organisation, "社会组织", False, ["id", "name", "org_type", "district", "street", "evaluation_grade"]),
    (OrganisationMember, "社会组织", False, None),
    (Programme, "项目与轮次", False, ["id", "name", "kind", "scope_district"]),
    (Edition, "项目与轮次", False, ["id", "programme", "year", "title"]),
    (Round, "项目与轮次", False, ["id", "edition", "name", "status", "opens_at", "closes_at", "blind"]),
    (FormVersion, "项目与轮次", True, ["id", "edition", "title", "created_at"]),
    (Criterion, "项目与轮次", True, ["id", "round", "code", "name", "weight", "max_score"]),
    (Application, "申报与评审", False, ["id", "round", "organisation", "title", "status", "submitted_at"]),
    (ReviewAssignment, "申报与评审", True, ["id", "application", "expert", "status", "submitted_at"]),
    (RankingEntry, "申报与评审", True, ["id", "round", "rank", "application", "weighted_mean", "review_count"]),
    (FundSource, "资金", False, ["id", "name", "kind"]),
    (BudgetLine, "资金", True, ["id", "edition", "fund_source", "amount_fen"]),
    (Award, "资金", True, ["id", "application", "budget_line", "amount_fen", "payee"]),
    (Tranche, "资金", True, ["id", "award", "sequence", "amount_fen", "status"]),
    (PaymentBatch, "资金", True, ["id", "title", "status", "approved_by", "approved_at"]),
    (PaymentBatchItem, "资金", True, ["id", "batch", "tranche", "status", "provider_reference"]),
    (LedgerEntry, "资金", True, ["id", "kind", "award", "tranche", "amount_fen", "created_at"]),
    (SimulatedTransfer, "资金", True, None),
    (AuditEntry, "系统", True, ["id", "created_at", "actor_id", "action", "object_type", "object_id"]),
    (OutboxMessage, "系统", True, ["id", "job_name", "job_key", "created_at", "delivered_at"]),
]


# Tables without a scope column that every district shares; the other unscoped tables hold all districts' rows
# (members, criteria, audit, outbox, the bank's transfers) and are for city staff only.
SHARED_REFERENCE: set[type[Table]] = {FundSource}


def _columns(table: type[Table], names: list[str] | None) -> Any:
    return [getattr(table, n) for n in names] if names else None


def _table_config(table: type[Table], group: str, read_only: bool, columns: list[str] | None) -> TableConfig:
    column = scope_column(table)
    return TableConfig(
        table,
        menu_group=group,
        visible_columns=_columns(table, columns),
        validators=scope_validators(
            table, column, read_only=read_only, city_only=column is None and table not in SHARED_REFERENCE
        ),
        hooks=scope_hooks(table, column),
        # The link column stays the primary key: Piccolo Admin 1.14's list view crashes (isBoolean of an undefined
        # schema property) when "id" is a visible column but not the link column. Officers need the ids anyway
        # (the forms ask for batch and round numbers).
    )


def _account_config() -> TableConfig:
    async def admins_only(piccolo_crud: Any, request: Request) -> None:
        principal = await admin_principal(request)
        if principal.role is not Role.admin:
            raise HTTPException(403, "只有系统管理员可以管理账户")

    async def staff(piccolo_crud: Any, request: Request) -> None:
        await admin_principal(request)

    return TableConfig(
        Account,
        menu_group="系统",
        visible_columns=[Account._meta.primary_key, Account.user, Account.role, Account.district, Account.display_name],
        validators=Validators(
            every=[staff],
            post_single=[admins_only],
            patch_single=[admins_only],
            put_single=[admins_only],
            delete_single=[admins_only],
            delete_all=[admins_only],
        ),
    )


class BatchApproval(BaseModel):
    batch_id: int = Field(title="支付批次编号", description="支付批次编号")


class RoundAction(BaseModel):
    round_id: int = Field(title="轮次编号", description="轮次编号")


async def _approve_batch(request: Request, data: BatchApproval) -> str:
    from programmes.disbursements.service import approve_batch

    principal = await admin_principal(request)
    try:
        batch = await approve_batch(principal, data.batch_id)
    except DomainError as exc:
        raise ValueError(exc.detail) from exc
    return f"支付批次 {batch['id']} 已审批，共 {batch['total_fen'] / 100:.2f} 元，正在后台支付"


async def _close_round(request: Request, data: RoundAction) -> str:
    from programmes.catalogue.service import close_round

    principal = await admin_principal(request)
    try:
        ranking = await close_round(principal, data.round_id)
    except DomainError as exc:
        raise ValueError(exc.detail) from exc
    return f"轮次 {data.round_id} 已关闭，{len(ranking)} 个申报完成排名"


async def _open_round(request: Request, data: RoundAction) -> str:
    from programmes.catalogue.service import open_round

    principal = await admin_principal(request)
    try:
        await open_round(principal, data.round_id)
    except DomainError as exc:
        raise ValueError(exc.detail) from exc
    return f"轮次 {data.round_id} 已开放申报"


FORMS = [
    FormConfig(
        "审批支付批次", BatchApproval, _approve_batch, description="审批后由后台任务逐笔支付", form_group="资金"
    ),
    FormConfig("开放轮次", RoundAction, _open_round, description="开放草稿轮次接受申报", form_group="项目与轮次"),
    FormConfig(
        "关闭轮次并排名",
        RoundAction,
        _close_round,
        description="截止后关闭轮次，按加权平均分排名",
        form_group="项目与轮次",
    ),
]


def build_admin() -> Any:
    configs = [_account_config()] + [_table_config(*entry) for entry in MENU]
    scoped = {t._meta.tablename: t for t, *_ in MENU if scope_column(t)}
    admin = create_admin(
        tables=configs,
        forms=FORMS,
        site_name="Seedbed 社会组织项目管理后台",
        default_language_code="zh-CN",
        auto_include_related=False,
        allowed_hosts=[],
        production=get_settings().production,
    )
    return scoped_admin(admin, scoped)
