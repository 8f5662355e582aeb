"""聚力计划 (supply–demand matching): an organisation's registration of service offers for a round or special
session (专场). Approved offers are listed on the 供需对接平台; demand lists, matching, 接单 and delivery come as
their own aggregates and workflows when they are built.
"""

from __future__ import annotations

from app.workflow.definition import Workflow, step
from programmes.workflows.contest import (
    APPLICATION_CAPABILITIES,
    APPLICATION_STATES,
    STAFF,
    ApplicationStatus,
    intake_steps,
)

MATCHING_APPLICATION = Workflow(
    name="matching_application",
    status=ApplicationStatus,
    initial="draft",
    states={**APPLICATION_STATES, ApplicationStatus.approved: "已入库（可对接）"},
    transitions=(
        *intake_steps(("submitted",)),
        step("approve", "submitted", "approved", STAFF, "审核通过，入库", bulk=True),
    ),
    capabilities={**APPLICATION_CAPABILITIES, "rescreened": ("submitted", "returned", "approved")},
)
