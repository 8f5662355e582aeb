"""Applications (申报), applicant side: members of an organisation draft, autosave, submit and withdraw."""

from __future__ import annotations

import json
from typing import Any

from asyncpg.exceptions import UniqueViolationError

from app.access import load
from app.auth.principal import Principal
from app.errors import DomainError, FieldError, conflict
from app.organisations.custody import acting_organisation_ids, ensure_may_apply_for
from app.organisations.tables import Organisation
from app.paging import Page, PageParams, fetch_page
from app.timezone import now_utc
from app.uow import unit_of_work
from app.workflow.engine import Actor
from programmes.applications import repository
from programmes.applications.access import APPLICATIONS  # noqa: F401 — declares the policy load() reads
from programmes.applications.carry import admits_direct_applications
from programmes.applications.notify import notify_status_change
from programmes.applications.schemas import ApplicationCreate, ApplicationRead, ApplicationUpdate
from programmes.applications.screening import screen_application
from programmes.applications.submit_rules import ensure_submittable
from programmes.catalogue.access import ROUNDS  # noqa: F401 — likewise for rounds
from programmes.forms import validate_answers
from programmes.tables import Application, Round
from programmes.workflows import APPLICATION, ApplicationStatus, application_workflow

MAX_ANSWERS_BYTES = 500_000


def _check_size(answers: dict[str, Any]) -> None:
    if len(json.dumps(answers, ensure_ascii=False).encode()) > MAX_ANSWERS_BYTES:
        raise DomainError("answers_too_large", "申报内容过大", 413)


async def _checked_track(round_id: int, track_id: int | None) -> None:
    tracks = await repository.round_tracks(round_id)
    if not tracks and track_id is not None:
        raise DomainError(
            "track_invalid", "该轮次不分赛道", 422, [FieldError("track_id", "track_invalid", "该轮次不分赛道")]
        )
    if tracks and track_id not in {t["id"] for t in tracks}:
        message = "请选择该轮次的赛道"
        raise DomainError("track_required", message, 422, [FieldError("track_id", "track_required", message)])


async def create_draft(principal: Principal, data: ApplicationCreate) -> ApplicationRead:
    """A member of the organisation starts a draft in an open round (one per round and track unless allowed); a
    filed group's draft is started by a member of its custodian centre (财务代管)."""
    applied_via = await ensure_may_apply_for(principal.user_id, data.organisation_id)
    round_row = await repository.accepting_round(data.round_id)
    if not await admits_direct_applications(round_row):
        # 复赛/决赛 (and graduation rounds) take only the entries the previous stage carried in (programmes.stages).
        raise conflict("round_admits_advanced_only", "本阶段只接受上一阶段晋级的申报，不接受直接申报")
    await _checked_track(data.round_id, data.track_id)
    _check_size(data.answers)
    organisation = (
        await Organisation.select(Organisation.district).where(Organisation.id == data.organisation_id).first()
    )
    assert organisation is not None
    try:
        async with unit_of_work(Actor.of(principal)) as uow:
            entry_number = 1
            if round_row["allow_multiple_entries"]:
                # Serialise entry numbering per round; the unique index is the final guard.
                await Round.select(Round.id).where(Round.id == data.round_id).lock_rows("UPDATE")
                entry_number = 1 + await _highest_entry(data.round_id, data.organisation_id, data.track_id)
            rows = await Application.insert(
                Application(
                    round=data.round_id,
                    track=data.track_id,
                    organisation=data.organisation_id,
                    entry_number=entry_number,
                    title=data.title,
                    status=application_workflow(round_row["kind"]).initial,
                    answers=data.answers,
                    created_by=principal.user_id,
                    applied_via=applied_via,
                    scope_district=round_row["scope_district"],
                    organisation_district=organisation["district"],
                )
            ).returning(Application.id)
            application_id = int(rows[0]["id"])
            await uow.audit(
                "application.create",
                "application",
                application_id,
                after={"title": data.title, "track_id": data.track_id},
            )
    except UniqueViolationError as exc:
        raise conflict("application_exists", "本单位在该轮次（赛道）已有申报，请编辑已有申报") from exc
    return await repository.read(application_id)


async def _highest_entry(round_id: int, organisation_id: int, track_id: int | None) -> int:
    query = Application.select(Application.entry_number).where(
        (Application.round == round_id)
        & (Application.organisation == organisation_id)
        & (Application.status != ApplicationStatus.withdrawn)
    )
    query = query.where(Application.track.is_null() if track_id is None else Application.track == track_id)
    rows = await query
    return max((r["entry_number"] for r in rows), default=0)


async def update_draft(principal: Principal, application_id: int, data: ApplicationUpdate) -> ApplicationRead:
    """Autosave: partial answers are accepted while the application is a draft (or returned for revision)
    and the round accepts work."""
    row = await load(principal, Application, application_id, "member")
    _check_editable(row["status"])  # fast refusal; re-checked under the row lock below
    await repository.accepting_round(row["round"])
    changes: dict[Any, Any] = {Application.updated_at: now_utc()}
    if data.title is not None:
        changes[Application.title] = data.title
    if data.answers is not None:
        _check_size(data.answers)
        changes[Application.answers] = json.dumps(data.answers, ensure_ascii=False)
    async with unit_of_work(Actor.of(principal)) as uow:
        # Under the row lock that submit's transition also takes: an autosave that lost the race to a submit sees
        # "submitted" here and changes nothing, so answers never drift from the frozen submitted_answers.
        _check_editable((await repository.lock(application_id))["status"])
        await Application.update(changes).where(Application.id == application_id)
        await uow.audit("application.save_draft", "application", application_id)
    return await repository.read(application_id)


def _check_editable(status: str) -> None:
    if not APPLICATION.has(status, "applicant_edits"):
        raise conflict("application_not_editable", "申报已提交，不能再修改")


async def submit(principal: Principal, application_id: int) -> ApplicationRead:
    """Full validation against the round's form before the deadline; the answers and the form version are frozen,
    and eligibility is screened (recorded, for officers to act on)."""
    row = await load(principal, Application, application_id, "applying")
    round_row = await repository.accepting_round(row["round"])
    form = (
        await Round.select(Round.form, Round.form._.json_schema.as_alias("schema"))
        .where(Round.id == round_row["id"])
        .first()
        .output(load_json=True)
    )
    assert form is not None
    workflow = application_workflow(round_row["kind"])
    # The applicant acts in the applicant role whatever account submits (audit and timeline say 申报单位).
    applicant = Actor(principal.user_id, "applicant")
    async with unit_of_work(applicant) as uow:
        # The answers are read under the row lock autosave takes too: what is validated and frozen is exactly what
        # the row holds when the status changes (an autosave either commits before this or is refused after).
        locked = await repository.lock(application_id)
        await ensure_submittable(locked)  # other rooms' conditions (a fast-tracked draft: invitation accepted)
        answers = locked["answers"] or {}
        validate_answers(form["schema"], answers)
        action = "resubmit" if locked["status"] == ApplicationStatus.returned else "submit"
        result = await uow.transition(
            Application,
            application_id,
            action,
            values={
                "submitted_at": now_utc(),
                "updated_at": now_utc(),
                "form_version": form["form"],
                "submitted_answers": json.dumps(answers, ensure_ascii=False),
            },
        )
        await screen_application(application_id, applicant)
        await notify_status_change(application_id, workflow, result.after)
    return await repository.read(application_id)


async def withdraw(principal: Principal, application_id: int, reason: str) -> ApplicationRead:
    await load(principal, Application, application_id, "applying")
    workflow, _ = await repository.workflow_of(application_id)
    async with unit_of_work(Actor(principal.user_id, "applicant")) as uow:
        result = await uow.transition(Application, application_id, "withdraw", reason=reason)
        await notify_status_change(application_id, workflow, result.after)
    return await repository.read(application_id)


async def read_for(principal: Principal, application_id: int) -> ApplicationRead:
    """Members of the organisation (their working copy), or staff in scope (the answers as submitted). Experts use
    their own (possibly blind) view of the submission."""
    row = await load(principal, Application, application_id, "reader", load_json=True)
    return repository.as_read(row, frozen=principal.is_staff)


async def list_mine(principal: Principal, paging: PageParams) -> Page[ApplicationRead]:
    """My organisations' applications, and those of the filed groups in my centre's custody."""
    ids = await acting_organisation_ids(principal.user_id)
    query = Application.select().order_by(Application.id).output(load_json=True)
    page = await fetch_page(Application, query, paging, Application.organisation.is_in(ids or [0]))
    return page.map([repository.as_read(r) for r in page.items])


async def list_for_round(principal: Principal, round_id: int, paging: PageParams) -> Page[ApplicationRead]:
    await load(principal, Round, round_id, columns=(Round.id, Round.scope_district))
    query = Application.select().order_by(Application.id).output(load_json=True)
    page = await fetch_page(Application, query, paging, Application.round == round_id)
    return page.map([repository.as_read(r, frozen=True) for r in page.items])
