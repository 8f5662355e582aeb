"""公示 (public notice of a round's result) and 异议 (objections filed during it)."""

from __future__ import annotations

from programmes.workflows.definition import ADMIN, OFFICER, Workflow, step

STAFF = [OFFICER, ADMIN]

PUBLICATION = Workflow(
    name="publication",
    initial="published",
    states={"published": "公示中", "final": "结果生效"},
    transitions=(step("finalise", "published", "final", STAFF, "公示期满无异议，结果生效"),),
)

OBJECTION = Workflow(
    name="objection",
    initial="open",
    states={"open": "待处理", "upheld": "异议成立", "dismissed": "异议不成立"},
    transitions=(
        step("uphold", "open", "upheld", STAFF, "异议成立，重新评审"),
        step("dismiss", "open", "dismissed", STAFF, "异议不成立"),
    ),
)
