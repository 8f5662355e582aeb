"""Scoring's access policies (``app.access``), declared once; loaded with the tables (``scoring/piccolo_app.py``).

- a round: the catalogue's policy (staff in the round's district);
- a review assignment: staff in scope (``staff``), or the assigned expert only (``expert``) — another expert's
  assignment reads as missing, like one that does not exist;
- a publication (公示) and an objection: staff in scope;
- a recorded conflict of interest: staff whose district covers its organisation's (``keeper``) — the conflict
  protects that organisation, so its district keeps it, whoever recorded it (scoring/experts/scope.py).
"""

from __future__ import annotations

from app.access import Row, protect
from app.auth.principal import Principal
from programmes.catalogue.access import ROUNDS
from scoring.tables import ConflictOfInterest, Objection, Publication, ReviewAssignment


async def assigned_expert(principal: Principal, row: Row) -> tuple[bool, str]:
    return (True, "ok") if row.get("expert") == principal.user_id else (False, "not_assigned")


async def organisation_keeper(principal: Principal, row: Row) -> tuple[bool, str]:
    """The row carries its organisation's district as ``district``."""
    return (True, "ok") if principal.can_see_district(row.get("district")) else (False, "out_of_scope")


ASSIGNMENTS = protect(ReviewAssignment, "评审任务", rules={"expert": assigned_expert})
PUBLICATIONS = protect(Publication, "公示")
OBJECTIONS = protect(Objection, "异议")
CONFLICTS = protect(ConflictOfInterest, "利益冲突记录", rules={"keeper": organisation_keeper})

__all__ = ["ASSIGNMENTS", "CONFLICTS", "OBJECTIONS", "PUBLICATIONS", "ROUNDS"]
