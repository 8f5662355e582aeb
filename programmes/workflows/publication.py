"""公示 (public notice of a round's result) and 异议 (objections filed during it)."""

from __future__ import annotations

from enum import StrEnum

from app.timezone import now_utc, shown
from app.workflow.definition import ADMIN, OFFICER, Guard, Workflow, step

STAFF = [OFFICER, ADMIN]


class PublicationStatus(StrEnum):
    published = "published"
    final = "final"


class ObjectionStatus(StrEnum):
    open = "open"
    upheld = "upheld"
    dismissed = "dismissed"
    rereviewed = "rereviewed"


NOTICE_PERIOD_OVER = Guard(
    "publication_running",
    lambda row: f"公示期至 {shown(row['ends_at']):%Y-%m-%d %H:%M} 结束，期满后方可生效",
    lambda row: now_utc() >= row["ends_at"],
)

PUBLICATION = Workflow(
    name="publication",
    status=PublicationStatus,
    initial="published",
    states={"published": "公示中", "final": "结果生效"},
    transitions=(
        # The period may have restarted (更正公示) between an early check and the lock: the guard sees the locked row.
        step("finalise", "published", "final", STAFF, "公示期满无异议，结果生效", guards=[NOTICE_PERIOD_OVER]),
        # 更正公示 after a re-review: the list may change and the notice period starts again for it.
        step("amend", "published", "published", STAFF, "重新评审后更正公示"),
    ),
)

OBJECTION = Workflow(
    name="objection",
    status=ObjectionStatus,
    initial="open",
    # ``upheld`` means the re-review is under way; ``rereviewed`` that it ended and the notice was corrected.
    states={
        "open": "待处理",
        "upheld": "异议成立，重新评审中",
        "dismissed": "异议不成立",
        "rereviewed": "已重新评审并更正公示",
    },
    transitions=(
        step("uphold", "open", "upheld", STAFF, "异议成立，重新评审"),
        step("conclude", "upheld", "rereviewed", STAFF, "重新评审完成，更正公示"),
        step("dismiss", "open", "dismissed", STAFF, "异议不成立"),
    ),
    # ``unresolved``: still holds the notice open (filed and not decided, or upheld and under re-review).
    capabilities={"unresolved": ["open", "upheld"]},
)
