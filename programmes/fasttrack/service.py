"""Fast-track (直通): an officer invites a 公益创新创业大赛 winner into an open 沪社星耀 round. The invitation creates
the support-plan draft pre-filled from the contest application's submitted answers through the officer's mapping
(checked against both forms), linked to its origin; the organisation accepts (then edits and submits the draft as
usual) or declines (the draft is withdrawn). One live invitation per winner and round.

State rules are FASTTRACK_INVITATION's; access is ``programmes.fasttrack.access``.
"""

from __future__ import annotations

from typing import Any

from asyncpg.exceptions import UniqueViolationError

from app.access import load
from app.auth.principal import Principal
from app.errors import DomainError, conflict, invalid
from app.notifications.service import notify_organisations
from app.organisations.tables import Organisation
from app.paging import Page, PageParams, fetch_page
from app.timezone import now_utc
from app.uow import unit_of_work
from app.workflow.engine import Actor
from programmes.applications import repository
from programmes.applications.carry import admits_direct_applications
from programmes.attachments.carry import copy_allowed, discard
from programmes.attachments.tables import Attachment
from programmes.fasttrack.access import INVITATIONS
from programmes.fasttrack.mapping import mapping_errors, prefill
from programmes.fasttrack.schemas import InvitationCreate, InvitationRead, OriginRead
from programmes.fasttrack.tables import FastTrackInvitation
from programmes.matching.access import scope_for
from programmes.tables import Application, Award, FormVersion, ProgrammeKind, Round
from programmes.workflows.contest import ApplicationStatus
from programmes.workflows.fasttrack import FASTTRACK_INVITATION

assert INVITATIONS  # the policy is declared on import

_LIVE = [str(s) for s in FASTTRACK_INVITATION.states_with("live")]


async def _winner(principal: Principal, application_id: int) -> dict[str, Any]:
    """The contest application, in the officer's scope, that holds an award."""
    row = await load(principal, Application, application_id, load_json=True)
    found = (
        await Application.select(
            Application.round._.edition._.programme._.kind.as_alias("kind"),
            Application.round._.form._.json_schema.as_alias("schema"),
        )
        .where(Application.id == application_id)
        .first()
        .output(load_json=True)
    )
    assert found is not None
    if found["kind"] != ProgrammeKind.contest:
        raise invalid("origin_not_contest", "只能邀请公益创新创业大赛的申报", "origin_application_id")
    if not await Award.exists().where(Award.application == application_id):
        raise invalid("origin_not_winner", "该申报未获奖，不能直通", "origin_application_id")
    return {**row, "schema": found["schema"]}


async def _form_of(application: dict[str, Any]) -> dict[str, Any]:
    """The form the contest application was submitted against (its round's form if it has no frozen version)."""
    version = application.get("form_version")
    if version is None:
        return dict(application["schema"] or {})
    row = (
        await FormVersion.select(FormVersion.json_schema)
        .where(FormVersion.id == version)
        .first()
        .output(load_json=True)
    )
    assert row is not None
    return dict(row["json_schema"])


async def _target_round(principal: Principal, round_id: int) -> dict[str, Any]:
    await load(principal, Round, round_id)
    round_row = await repository.accepting_round(round_id)
    if round_row["kind"] != ProgrammeKind.support_plan:
        raise invalid("round_not_support_plan", "只能邀请进入沪社星耀的轮次", "round_id")
    if not await admits_direct_applications(round_row):  # a later stage admits only the entries carried into it
        raise conflict("round_admits_advanced_only", "本阶段只接受上一阶段晋级的申报，不接受直接申报")
    form = (
        await Round.select(Round.form._.json_schema.as_alias("schema"))
        .where(Round.id == round_id)
        .first()
        .output(load_json=True)
    )
    assert form is not None
    return {**round_row, "schema": dict(form["schema"] or {})}


def _as_read(row: dict[str, Any], origin: dict[str, Any]) -> InvitationRead:
    return InvitationRead(
        id=row["id"],
        origin_application_id=row["origin_application"],
        origin_title=origin["title"],
        origin_round_id=origin["round"],
        round_id=row["round"],
        organisation_id=row["organisation"],
        application_id=row["application"],
        mapping=list(row["mapping"] or []),
        status=row["status"],
        status_zh=FASTTRACK_INVITATION.states.get(row["status"], row["status"]),
        message=row["message"],
        reason=row["reason"],
        created_at=row["created_at"],
        answered_at=row["answered_at"],
    )


async def _reads(rows: list[dict[str, Any]]) -> list[InvitationRead]:
    ids = sorted({int(r["origin_application"]) for r in rows}) or [0]
    origins = await Application.select(Application.id, Application.title, Application.round).where(
        Application.id.is_in(ids)
    )
    by_id = {int(o["id"]): dict(o) for o in origins}
    return [_as_read(r, by_id[int(r["origin_application"])]) for r in rows]


async def read(invitation_id: int) -> InvitationRead:
    row = (
        await FastTrackInvitation.select().where(FastTrackInvitation.id == invitation_id).first().output(load_json=True)
    )
    assert row is not None
    return (await _reads([dict(row)]))[0]


async def _live_invitation(origin_id: int, round_id: int) -> bool:
    return bool(
        await FastTrackInvitation.exists().where(
            (FastTrackInvitation.origin_application == origin_id)
            & (FastTrackInvitation.round == round_id)
            & FastTrackInvitation.status.is_in(_LIVE)
        )
    )


async def invite(principal: Principal, data: InvitationCreate) -> InvitationRead:
    """The officer's invitation; the draft and the invitation are written in one unit of work."""
    origin = await _winner(principal, data.origin_application_id)
    target = await _target_round(principal, data.round_id)
    mapping = [pair.model_dump() for pair in data.mapping]
    errors = mapping_errors(await _form_of(origin), target["schema"], mapping)
    if errors:
        raise DomainError(errors[0].code, errors[0].message, 422, errors)
    answers = prefill(origin["submitted_answers"] or {}, mapping)
    organisation = (
        await Organisation.select(Organisation.district).where(Organisation.id == origin["organisation"]).first()
    )
    assert organisation is not None
    now = now_utc()
    if await _live_invitation(origin["id"], data.round_id):  # fast refusal before copying files; re-checked below
        raise conflict("invitation_exists", "该获奖项目已被邀请进入此轮次")
    carried = await copy_allowed(origin["id"], target, "fasttrack")
    try:
        async with unit_of_work(Actor.of(principal)) as uow:
            # Concurrent invitations of one winner queue on its row; the first writes, the others see it below.
            await Application.select(Application.id).where(Application.id == origin["id"]).lock_rows("UPDATE")
            if await _live_invitation(origin["id"], data.round_id):
                raise conflict("invitation_exists", "该获奖项目已被邀请进入此轮次")
            created = await Application.insert(
                Application(
                    round=data.round_id,
                    organisation=origin["organisation"],
                    title=origin["title"],
                    status=ApplicationStatus.draft,
                    answers=answers,
                    created_by=principal.user_id,
                    applied_via=origin["applied_via"],
                    scope_district=target["scope_district"],
                    organisation_district=organisation["district"],
                    created_at=now,
                    updated_at=now,
                )
            ).returning(Application.id)
            application_id = int(created[0]["id"])
            rows = await FastTrackInvitation.insert(
                FastTrackInvitation(
                    origin_application=origin["id"],
                    round=data.round_id,
                    organisation=origin["organisation"],
                    application=application_id,
                    mapping=mapping,
                    status=FASTTRACK_INVITATION.initial,
                    message=data.message,
                    invited_by=principal.user_id,
                    scope_district=target["scope_district"],
                    created_at=now,
                )
            ).returning(FastTrackInvitation.id)
            invitation_id = int(rows[0]["id"])
            for item in carried:
                await Attachment.insert(
                    Attachment(application=application_id, scope_district=target["scope_district"], **item)
                )
            await uow.audit(
                "application.create",
                "application",
                application_id,
                after={"fasttrack": invitation_id, "attachments_carried": len(carried)},
            )
            await uow.audit(
                "fasttrack.invite",
                "fasttrack_invitation",
                invitation_id,
                after={"origin_application": origin["id"], "round": data.round_id, "mapping": mapping},
            )
            await notify_organisations(
                [origin["organisation"]],
                "fasttrack_invited",
                "沪社星耀直通邀请",
                f"您的获奖项目「{origin['title']}」受邀直通沪社星耀，申报书已按大赛申报预填，请确认。",
                f"fasttrack:{invitation_id}",
            )
    except UniqueViolationError as exc:
        await discard(carried)
        # The organisation already has an application in the round (one per round and track).
        raise conflict("application_exists", "该单位在此轮次已有申报，不能再直通邀请") from exc
    except BaseException:
        await discard(carried)  # refused or failed: no orphan copies without a row
        raise
    return await read(invitation_id)


async def accept(principal: Principal, invitation_id: int) -> InvitationRead:
    await load(principal, FastTrackInvitation, invitation_id, "organisation")
    async with unit_of_work(Actor(principal.user_id, "applicant")) as uow:
        await uow.transition(FastTrackInvitation, invitation_id, "accept", values={"answered_at": now_utc()})
    return await read(invitation_id)


async def decline(principal: Principal, invitation_id: int, reason: str) -> InvitationRead:
    """The organisation declines: its pre-filled draft is withdrawn with the invitation."""
    row = await load(principal, FastTrackInvitation, invitation_id, "organisation")
    async with unit_of_work(Actor(principal.user_id, "applicant")) as uow:
        await uow.transition(
            FastTrackInvitation,
            invitation_id,
            "decline",
            reason=reason,
            values={"reason": reason, "answered_at": now_utc()},
        )
        await uow.transition(Application, int(row["application"]), "withdraw", reason=reason)
    return await read(invitation_id)


async def withdraw(principal: Principal, invitation_id: int, reason: str) -> InvitationRead:
    """The officer takes an unanswered invitation back; the draft goes with it (as the system, since a draft's
    withdrawal is the applicant's step)."""
    row = await load(principal, FastTrackInvitation, invitation_id)
    async with unit_of_work(Actor.of(principal)) as uow:
        # Under the draft's row lock (which submit takes too): a draft the organisation has submitted stays.
        draft = await repository.lock(int(row["application"]))
        if draft["status"] != ApplicationStatus.draft:
            raise conflict("invitation_draft_submitted", "申报单位已提交该申报，不能撤回邀请")
        await uow.transition(FastTrackInvitation, invitation_id, "withdraw", reason=reason, values={"reason": reason})
        # Through the engine as Seedbed itself (withdrawing a draft is otherwise the applicant's step); the unit
        # joins the officer's, so both commit together.
        async with unit_of_work(Actor.system()) as system:
            await system.transition(
                Application, int(row["application"]), "withdraw", values={"updated_at": now_utc()}, reason=reason
            )
    return await read(invitation_id)


async def read_for(principal: Principal, invitation_id: int) -> InvitationRead:
    await load(principal, FastTrackInvitation, invitation_id, "reader")
    return await read(invitation_id)


async def list_for(principal: Principal, paging: PageParams) -> Page[InvitationRead]:
    """Staff: invitations in their scope; an organisation: its own."""
    where = await scope_for(
        principal,
        scope_column=FastTrackInvitation.scope_district,
        organisation_column=FastTrackInvitation.organisation,
    )
    query = FastTrackInvitation.select().order_by(FastTrackInvitation.id).output(load_json=True)
    page = await fetch_page(FastTrackInvitation, query, paging, *where)
    return Page(await _reads(page.items), page.total, paging)


async def origin_of(application_id: int, *, blind: bool) -> OriginRead | None:
    """The contest origin of a support-plan application (``None`` if it has none, or the viewer reviews blind: a
    blind reviewer learns nothing, not even that there is an origin)."""
    if blind:
        return None
    link = (
        await FastTrackInvitation.select(FastTrackInvitation.origin_application)
        .where(FastTrackInvitation.application == application_id)
        .first()
    )
    if link is None:
        return None
    origin_id = int(link["origin_application"])
    origin = (
        await Application.select(
            Application.title, Application.round, Application.round._.edition._.programme._.name.as_alias("programme")
        )
        .where(Application.id == origin_id)
        .first()
    )
    award = await Award.select(Award.amount_fen).where(Award.application == origin_id).first()
    assert origin is not None
    return OriginRead(
        application_id=application_id,
        origin_application_id=origin_id,
        origin_title=origin["title"],
        origin_round_id=origin["round"],
        origin_programme=origin["programme"],
        award_amount_fen=award["amount_fen"] if award else None,
    )


async def origin_for(principal: Principal, application_id: int) -> OriginRead | None:
    """Staff in scope and the application's organisation see the origin (reviewers: ``origin_of`` with the round's
    blind flag, from the review view)."""
    await load(principal, Application, application_id, "reader")
    return await origin_of(application_id, blind=False)
