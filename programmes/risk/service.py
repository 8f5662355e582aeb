"""预警, the officers' side: the warnings of their scope, and dismissing one that was checked (经核实排除)."""

from __future__ import annotations

from typing import Any

from piccolo.custom_types import Combinable

from app.access import load, protect
from app.auth.principal import Principal
from app.errors import not_found
from app.paging import Page, PageParams, fetch_page
from app.timezone import now_utc
from app.uow import unit_of_work
from app.workflow.engine import Actor
from programmes.risk.schemas import RiskWarningRead
from programmes.risk.tables import RiskKind, RiskWarning
from programmes.workflows.supervision import RISK_WARNING

KIND_ZH = {
    RiskKind.report_overdue.value: "报告逾期未交",
    RiskKind.organisation_listed.value: "机构列入异常名录或失信名单",
    RiskKind.certificate_expired.value: "登记证书过期",
    RiskKind.spending_off_plan.value: "支出偏离预算",
    RiskKind.application_ineligible.value: "在审申报资格复查未通过",
}
# A city-level warning (no scope_district) is for city staff; district officers see their district's.
WARNINGS = protect(RiskWarning, "预警")


async def list_warnings(
    principal: Principal, status: str | None, kind: str | None, paging: PageParams
) -> Page[RiskWarningRead]:
    """Staff: warnings of their scope (district officers: their district's only), newest first."""
    where: list[Combinable] = []
    if status is not None:
        where.append(RiskWarning.status == status)
    if kind is not None:
        where.append(RiskWarning.kind == kind)
    if not principal.is_city_staff:
        where.append(RiskWarning.scope_district == principal.district)
    query = (
        RiskWarning.select()
        .order_by(RiskWarning.first_seen_at, ascending=False)
        .order_by(RiskWarning.id, ascending=False)
    )
    page = await fetch_page(RiskWarning, query, paging, *where)
    return page.map([_read(row) for row in page.items])


async def dismiss_warning(principal: Principal, warning_id: int, reason: str) -> RiskWarningRead:
    """Officer in scope or admin: the warning was checked and is not a risk (经核实排除). The reason is audited;
    the same subject is never raised again."""
    await load(principal, RiskWarning, warning_id, columns=(RiskWarning.scope_district,))
    async with unit_of_work(Actor.of(principal)) as uow:
        await uow.transition(
            RiskWarning,
            warning_id,
            "dismiss",
            values={"dismissed_by": principal.user_id, "closed_at": now_utc()},
            reason=reason,
        )
    return await read_warning(warning_id)


async def read_warning(warning_id: int) -> RiskWarningRead:
    row = await RiskWarning.select().where(RiskWarning.id == warning_id).first()
    if row is None:
        raise not_found(WARNINGS.label_zh)
    return _read(row)


def _read(row: dict[str, Any]) -> RiskWarningRead:
    return RiskWarningRead(
        id=row["id"],
        kind=row["kind"],
        kind_zh=KIND_ZH.get(row["kind"], row["kind"]),
        subject_key=row["subject_key"],
        award_id=row["award"],
        organisation_id=row["organisation"],
        detail=row["detail"],
        status=row["status"],
        status_zh=RISK_WARNING.states.get(row["status"], row["status"]),
        scope_district=row["scope_district"],
        first_seen_at=row["first_seen_at"],
        last_seen_at=row["last_seen_at"],
        closed_at=row["closed_at"],
    )
