"""The organisation registry's own workflows: a credit-code claim (认领)."""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING

from app.organisations.tables import OrganisationClaim
from app.workflow.definition import ADMIN, OFFICER, SYSTEM, Workflow, state_names, step
from app.workflow.registry import bind


class ClaimStatus(StrEnum):
    pending = "pending"
    approved = "approved"
    rejected = "rejected"


# A query parameter naming a claim state.
if TYPE_CHECKING:
    ClaimStatusName = str
else:
    ClaimStatusName = state_names(ClaimStatus)


# Whoever registered a credit code first does not keep it against its real holder: the holder files a claim with
# evidence, an officer decides. Approving one claim closes the organisation's other open claims (superseded), so
# however many claims and approvals race, the membership moves once.
CLAIM = Workflow(
    name="organisation_claim",
    status=ClaimStatus,
    initial="pending",
    states={"pending": "待审核", "approved": "已核准，成员已转移", "rejected": "已驳回"},
    transitions=(
        step("approve", "pending", "approved", [OFFICER, ADMIN], "核准认领，机构成员转给认领人"),
        step("reject", "pending", "rejected", [OFFICER, ADMIN], "驳回认领"),
        step("supersede", "pending", "rejected", [SYSTEM], "同一组织的另一认领已核准"),
    ),
)


bind(OrganisationClaim, CLAIM)
