"""决赛路演 (the final's roadshow session): the presentation order is committed (seed hash published), drawn (seed
revealed, presentations made), and the session ended (score sheets locked, the result computed)."""

from __future__ import annotations

from enum import StrEnum

from app.workflow.definition import ADMIN, OFFICER, Workflow, step

STAFF = [OFFICER, ADMIN]


class RoadshowStatus(StrEnum):
    committed = "committed"
    drawn = "drawn"
    ended = "ended"


ROADSHOW_SESSION = Workflow(
    name="roadshow_session",
    status=RoadshowStatus,
    initial="committed",
    states={"committed": "已登记种子摘要", "drawn": "已抽取出场顺序", "ended": "路演结束（评分已锁定）"},
    transitions=(
        step("draw", "committed", "drawn", STAFF, "公开种子并抽取出场顺序"),
        step("end", "drawn", "ended", STAFF, "结束路演，锁定评分表"),
    ),
    # ``live``: presentations may run and judges may score within their windows.
    capabilities={"live": ["drawn"]},
)
