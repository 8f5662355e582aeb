"""Who may see the prize rows: staff whose district covers the edition (``staff``), and for a prize also its
organisation's members (``party``: they download the certificate). Anything else is the uniform 404."""

from __future__ import annotations

from app.access import Row, protect
from app.auth.principal import Principal
from app.auth.tables import Role
from app.organisations.membership import acting_organisation_ids
from programmes.prizes.tables import Prize, PrizeConfirmation, PrizeTier


async def _party(principal: Principal, row: Row) -> tuple[bool, str]:
    if principal.is_staff:
        return (True, "ok") if principal.can_see_district(row.get("scope_district")) else (False, "out_of_scope")
    if principal.role is Role.applicant and int(row["organisation"]) in await acting_organisation_ids(
        principal.user_id
    ):
        return True, "ok"
    return False, "other_organisation"


TIERS = protect(PrizeTier, "奖项设置")
CONFIRMATIONS = protect(PrizeConfirmation, "奖项确定")
PRIZES = protect(Prize, "奖项", rules={"party": _party})
