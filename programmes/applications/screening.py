"""Automatic eligibility screening (资格审查) of applications, and officers' written overrides."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from app.access import load
from app.auth.principal import Principal
from app.errors import DomainError
from app.organisations.membership import acting_organisation_ids
from app.organisations.tables import Organisation
from app.timezone import SHANGHAI, now_utc
from app.uow import UnitOfWork, unit_of_work
from app.workflow.engine import Actor
from programmes.applications import repository
from programmes.applications.access import APPLICATIONS  # noqa: F401 — declares the policy load() reads
from programmes.applications.schemas import ApplicationRead, FindingRead, PrecheckRead, ScreeningRead
from programmes.catalogue.service import open_call
from programmes.eligibility import EligibilityRules, OrganisationFacts, ScreeningResult, screen
from programmes.tables import Application, Round


def today_in_shanghai() -> date:
    return now_utc().astimezone(SHANGHAI).date()


def _screened(org: dict[str, Any], round_row: dict[str, Any], via_custodian: bool) -> ScreeningResult:
    """An organisation row screened against a round's rules (``eligibility_rules``, ``scope_district``) today: what
    an application's screening records and what the pre-check shows, from the one rule set."""
    return screen(
        OrganisationFacts.from_row(org, applying_via_custodian=via_custodian),
        EligibilityRules.model_validate(round_row["eligibility_rules"] or {}),
        today_in_shanghai(),
        programme_district=round_row["scope_district"],
    )


async def precheck(principal: Principal, round_id: int) -> list[PrecheckRead]:
    """申报资格预检: an applicant sees, for each organisation they act for (their own, and the filed groups in their
    centre's custody), whether it would pass the screening of ``round_id`` today. Records nothing. A filed group is
    checked as applying through its custodian, the only way it can apply (``custody.ensure_may_apply_for``). Rounds
    not open for applications are a 404 (the public call's rule)."""
    await open_call(round_id)
    round_row = (
        await Round.select(Round.eligibility_rules, Round.scope_district)
        .where(Round.id == round_id)
        .first()
        .output(load_json=True)
    )
    assert round_row is not None
    ids = await acting_organisation_ids(principal.user_id)
    orgs = await Organisation.select().where(Organisation.id.is_in(ids or [0])).order_by(Organisation.id)
    checked = []
    for org in orgs:
        result = _screened(org, round_row, via_custodian=org["custodian"] is not None)
        checked.append(
            PrecheckRead(
                organisation_id=org["id"],
                organisation_name=org["name"],
                via_custodian=org["custodian"] is not None,
                eligible=result.eligible,
                screened_on=result.screened_on.isoformat(),
                findings=[FindingRead(**f.as_dict()) for f in result.findings],
            )
        )
    return checked


async def screen_application(application_id: int, actor: Actor, *, only_if_changed: bool = False) -> ScreeningRead:
    """Screen against the round's rules as of today and record the result. Joins the caller's unit of work.

    ``only_if_changed`` (automatic re-screening): write and audit only when the outcome or the findings' codes
    differ from the recorded ones, so the daily re-screen of every open application adds no noise. The answer's
    ``changed`` says whether anything was written."""
    async with unit_of_work(actor) as uow:  # its own transaction, or the caller's (submit) joined
        return await _screen(uow, application_id, only_if_changed)


async def _screen(uow: UnitOfWork, application_id: int, only_if_changed: bool) -> ScreeningRead:
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
    result = _screened(org, round_row, via_custodian)
    outcome = "eligible" if result.eligible else "ineligible"
    recorded = _override_of(application)
    screened = result.as_dict()
    if not result.eligible and application["eligibility_outcome"] == "overridden" and recorded is not None:
        # An officer's written decision stands for the findings they decided on; a new one (a listing after the
        # override, say) closes the gate again until someone decides that too.
        if {f.code for f in result.findings if f.severity.value != "warning"} <= set(recorded.get("codes", [])):
            outcome = "overridden"
            screened["override"] = recorded
    if only_if_changed and (outcome, _codes(screened)) == (application["eligibility_outcome"], _codes(application)):
        return ScreeningRead(application_id=application_id, eligibility_outcome=outcome, changed=False, **screened)
    await _record(uow, application_id, application["eligibility_outcome"], outcome, screened)
    return ScreeningRead(application_id=application_id, eligibility_outcome=outcome, changed=True, **result.as_dict())


async def _record(uow: UnitOfWork, application_id: int, before: str, outcome: str, screened: dict[str, Any]) -> None:
    await Application.update(
        {
            Application.eligibility: json.dumps(screened, ensure_ascii=False, default=str),
            Application.eligibility_outcome: outcome,
        }
    ).where(Application.id == application_id)
    await uow.audit(
        "application.screen",
        "application",
        application_id,
        before={"eligibility_outcome": before},
        after={"eligibility_outcome": outcome},
    )


def _codes(row_or_result: dict[str, Any]) -> list[str]:
    raw = row_or_result.get("eligibility", row_or_result)
    value = json.loads(raw) if isinstance(raw, str) else raw
    return sorted(f["code"] for f in (value or {}).get("findings", []))


async def rescreen(principal: Principal, application_ids: list[int]) -> list[ScreeningRead]:
    """Officer in scope re-runs screening (e.g. after an organisation was newly listed as abnormal); each
    application commits on its own."""
    results = []
    for application_id in application_ids:
        await load(principal, Application, application_id, columns=(Application.id, Application.scope_district))
        results.append(await screen_application(application_id, Actor.of(principal)))
    return results


def _override_of(application: dict[str, Any]) -> dict[str, Any] | None:
    raw = application.get("eligibility")
    value = json.loads(raw) if isinstance(raw, str) else raw
    recorded = (value or {}).get("override")
    return dict(recorded) if isinstance(recorded, dict) else None


def _overridable(outcome: str) -> bool:
    # Whatever screening did not pass (ineligible, 待核验 …) may be decided by an officer; not what passed or
    # was never screened.
    return outcome not in ("eligible", "overridden", "not_screened")


def _override_not_needed() -> DomainError:
    return DomainError("override_not_needed", "只有资格审查未通过的申报才需要人工认定", 409)


async def override(principal: Principal, application_id: int, reason: str) -> ApplicationRead:
    """Officer in scope declares an ineligible application eligible, with a written reason (audited)."""
    row = await load(principal, Application, application_id, load_json=True)
    if not _overridable(row["eligibility_outcome"]):
        raise _override_not_needed()
    if len(reason.strip()) < 5:
        raise DomainError("reason_required", "人工认定须写明理由（至少 5 个字）", 422)
    async with unit_of_work(Actor.of(principal)) as uow:
        # Checked under the row lock a concurrent re-screening takes too.
        locked = await repository.lock(application_id)
        if not _overridable(locked["eligibility_outcome"]):
            raise _override_not_needed()
        screened = dict(locked["eligibility"] or {})
        # Who, when, why and for which findings: the gate (programmes.applications.gate) lets it through, and a
        # re-screening keeps the override only while no other finding appears.
        screened["override"] = {
            "codes": sorted({f["code"] for f in screened.get("findings", []) if f.get("severity") != "warning"}),
            "by": principal.user_id,
            "at": now_utc().isoformat(),
            "reason": reason.strip(),
        }
        await Application.update(
            {
                Application.eligibility_outcome: "overridden",
                Application.eligibility_override_reason: reason.strip(),
                Application.eligibility: json.dumps(screened, ensure_ascii=False, default=str),
            }
        ).where(Application.id == application_id)
        await uow.audit(
            "application.eligibility_override",
            "application",
            application_id,
            before={"eligibility_outcome": locked["eligibility_outcome"]},
            after={"eligibility_outcome": "overridden", "codes": screened["override"]["codes"]},
            reason=reason.strip(),
        )
    return await repository.read(application_id, frozen=True)
