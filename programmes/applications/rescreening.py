"""Re-screening open applications when what screening relies on changes after submission.

An organisation's listing (活动异常名录, 严重违法失信名单), certificate expiry or evaluation grade can change
after it applied — by an officer's correction, a registry import, or simply by a date passing. Each write path
stages ``rescreen_organisation`` (after its commit, through the outbox); the daily ``risk_scan`` cron re-screens
every open application first, which catches what only the calendar changed. Both then run the risk scan, so an
application in review, ranked or on 公示 that no longer passes raises a 预警 at once.

Idempotent: screening the same facts on the same day gives the same result and writes nothing new.
"""

from __future__ import annotations

import logging
from datetime import date

from app import outbox
from app.organisations import facts
from app.timezone import now_utc
from app.uow import unit_of_work
from app.workflow.engine import Actor
from programmes.applications.screening import screen_application
from programmes.tables import Application
from programmes.workflows import APPLICATION

log = logging.getLogger(__name__)


async def stage_rescreen(organisation_id: int) -> None:
    """Call inside the unit of work that changed the organisation's facts (it delivers the job after commit)."""
    # One message per change: a later change must re-screen again even if an earlier message was delivered.
    await outbox.stage(
        "rescreen_organisation",
        f"rescreen_organisation:{organisation_id}:{now_utc().isoformat()}",
        organisation_id=organisation_id,
    )


# Registered where the programmes app loads (programmes/piccolo_app.py): app core calls it without importing us.
@facts.listen
async def enqueue_rescreen(organisation_ids: list[int]) -> None:
    """For write paths that report a change after their commit (a listener of
    ``app.organisations.facts.on_facts_changed``: the registry import, verifications, claims): stage and hand over
    one re-screen job per organisation. Idempotent jobs, so a path that also staged in its transaction is harmless."""
    async with unit_of_work(Actor.system()):
        for organisation_id in sorted(set(organisation_ids)):
            await stage_rescreen(organisation_id)


async def rescreen_open(organisation_ids: list[int] | None = None) -> dict[str, int]:
    """Re-screen open applications (of ``organisation_ids``, or all), each in its own transaction. System only."""
    query = Application.select(Application.id).where(Application.status.is_in(APPLICATION.states_with("rescreened")))
    if organisation_ids is not None:
        query = query.where(Application.organisation.is_in(organisation_ids or [0]))
    counts = {"screened": 0, "changed": 0}
    for row in await query.order_by(Application.id):
        result = await screen_application(row["id"], Actor.system(), only_if_changed=True)  # commits on its own
        counts["screened"] += 1
        counts["changed"] += int(result.changed)
    return counts


async def rescreen_and_scan(organisation_ids: list[int] | None, today: date) -> dict[str, int]:
    """The job behind both triggers: re-screen, then bring the 预警 in line."""
    from programmes.risk.scan import scan_risks  # supervision depends on applications, not the reverse

    counts = await rescreen_open(organisation_ids)
    return {**counts, **await scan_risks(today)}
