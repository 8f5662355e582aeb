"""Automatic eligibility screening (资格审查) of applications, and officers' written overrides."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from app import audit
from app.auth.principal import Principal
from app.db import engine
from app.errors import DomainError
from app.organisations.tables import Organisation
from app.timezone import SHANGHAI, now_utc
from programmes.applications import repository
from programmes.eligibility import EligibilityRules, OrganisationFacts, screen
from programmes.scope import ensure_staff_scope
from programmes.tables import Application, Round
from programmes.workflows.engine import Actor


def today_in_shanghai() -> date:
    return now_utc().astimezone(SHANGHAI).date()


async def screen_application(application_id: int, actor: Actor) -> dict[str, Any]:
    """Screen against the round's rules as of today and record the result. Runs in the caller's transaction."""
    # Locked: an officer's override committed while this screening runs must not be overwritten by a stale read.
    application = await repository.lock(application_id)
    round_row = (
        await Round.select(Round.eligibility_rules, Round.scope_district)
        .where(Round.id == application["round"])
        .first()
        .output(load_json=True)
    )
    assert round_row is not None
    org = await Organisation.select().where(Organisation.id == application["organisation"]).first()
    assert org is not None
    # A filed group applies through its custodian centre: the draft was made by one of the centre's members, which
    # create_draft recorded as ``applied_via`` (so a later change of the centre's staff does not fail the group).
    via_custodian = org["custodian"] is not None and application["applied_via"] == org["custodian"]
    result = screen(
        OrganisationFacts.from_row(org, applying_via_custodian=via_custodian),
        EligibilityRules.model_validate(round_row["eligibility_rules"] or {}),
        today_in_shanghai(),
        programme_district=round_row["scope_district"],
    )
    outcome = "eligible" if result.eligible else "ineligible"
    if not result.eligible and application["eligibility_outcome"] == "overridden":
        outcome = "overridden"  # an officer's written decision stands until they change it
    await Application.update(
        {
            Application.eligibility: json.dumps(result.as_dict(), ensure_ascii=False, default=str),
            Application.eligibility_outcome: outcome,
        }
    ).where(Application.id == application_id)
    await audit.record(
        actor_id=actor.user_id,
        actor_role=actor.role,
        action="application.screen",
        object_type="application",
        object_id=application_id,
        before={"eligibility_outcome": application["eligibility_outcome"]},
        after={"eligibility_outcome": outcome},
    )
    return {"application_id": application_id, "eligibility_outcome": outcome, **result.as_dict()}


async def rescreen(principal: Principal, application_ids: list[int]) -> list[dict[str, Any]]:
    """Officer in scope re-runs screening (e.g. after an organisation was newly listed as abnormal)."""
    results = []
    for application_id in application_ids:
        _, row = await repository.workflow_of(application_id)
        ensure_staff_scope(principal, row["scope_district"], "申报")
        async with engine().transaction():
            results.append(await screen_application(application_id, Actor(principal.user_id, principal.role.value)))
    return results


def _override_not_needed() -> DomainError:
    return DomainError("override_not_needed", "只有资格审查未通过的申报才需要人工认定", 409)


async def override(principal: Principal, application_id: int, reason: str) -> dict[str, Any]:
    """Officer in scope declares an ineligible application eligible, with a written reason (audited)."""
    _, row = await repository.workflow_of(application_id)
    ensure_staff_scope(principal, row["scope_district"], "申报")
    if row["eligibility_outcome"] != "ineligible":
        raise _override_not_needed()
    if len(reason.strip()) < 5:
        raise DomainError("reason_required", "人工认定须写明理由（至少 5 个字）", 422)
    async with engine().transaction():
        # Checked under the row lock a concurrent re-screening takes too.
        if (await repository.lock(application_id))["eligibility_outcome"] != "ineligible":
            raise _override_not_needed()
        await Application.update(
            {Application.eligibility_outcome: "overridden", Application.eligibility_override_reason: reason.strip()}
        ).where(Application.id == application_id)
        await audit.record(
            actor_id=principal.user_id,
            actor_role=principal.role.value,
            action="application.eligibility_override",
            object_type="application",
            object_id=application_id,
            before={"eligibility_outcome": "ineligible"},
            after={"eligibility_outcome": "overridden"},
            reason=reason.strip(),
        )
    return await repository.read(application_id, frozen=True)
