"""The roadshow's access policies (``app.access``), loaded with the tables (``scoring/piccolo_app.py``).

- a session: staff in its round's district (``staff``); a judge — an expert with a live assignment in its round
  (``judge``); anyone signed in may read its public draw record and vote (``any``);
- a presentation: staff in scope;
- a vote: staff in scope (votes are read in aggregate only).
"""

from __future__ import annotations

from app.access import Row, protect
from app.auth.principal import Principal
from app.auth.tables import Role
from programmes.workflows.review import REVIEW_ASSIGNMENT
from scoring.roadshow.tables import RoadshowPresentation, RoadshowSession, RoadshowVote
from scoring.tables import ReviewAssignment


async def round_judge(principal: Principal, row: Row) -> tuple[bool, str]:
    """The row carries its ``round``."""
    if principal.role is not Role.expert:
        return False, "not_expert"
    judged = await ReviewAssignment.exists().where(
        (ReviewAssignment.expert == principal.user_id)
        & (ReviewAssignment.application._.round == row.get("round"))
        & ReviewAssignment.status.is_in(REVIEW_ASSIGNMENT.states_with("live"))
    )
    return (True, "ok") if judged else (False, "not_a_judge")


SESSIONS = protect(RoadshowSession, "决赛路演", rules={"judge": round_judge})
PRESENTATIONS = protect(RoadshowPresentation, "路演出场")
VOTES = protect(RoadshowVote, "路演投票")
