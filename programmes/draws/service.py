"""双随机、一公开 draws: commit-reveal seeds, recorded redraws, append-only public findings (docs/adr/0013).

1. ``commit_draw`` freezes the candidates (funded projects, inspectors, conflicts) and a seed the server generates,
   kept in ``inspection_draw_seed`` (not in the admin); only its SHA-256 is shown (in the public list too) — nobody,
   the officer included, knows the pick yet.
2. ``execute_draw`` reveals the seed and draws; anyone can re-run ``draw.draw`` on the public record and check the
   hash. The officer never chooses the seed, so trying seeds until a pick suits is impossible.
3. A second draw on an edition needs a reason; it supersedes the earlier one (audited, public with its reason).
4. Findings are rows of ``inspection_finding`` (append-only in the database); a correction names the finding it
   replaces.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from collections import defaultdict
from typing import Any

import programmes.catalogue.access  # noqa: F401  (the edition policy, EDITIONS)
from app.access import load, protect
from app.auth.principal import Principal
from app.auth.tables import Account, Role
from app.errors import DomainError, FieldError, conflict, not_found
from app.paging import Page, PageParams, fetch_page
from app.timezone import now_utc
from app.uow import unit_of_work
from app.workflow.engine import Actor
from programmes.draws.draw import DrawImpossible, draw
from programmes.draws.schemas import DrawnProjectRead, DrawRead, FindingRead
from programmes.draws.tables import InspectionDraw, InspectionDrawSeed, InspectionFinding
from programmes.ports import review_side
from programmes.tables import Award, Edition
from programmes.workflows.disbursement import AwardStatus
from programmes.workflows.supervision import INSPECTION_DRAW, InspectionDrawStatus

# Officers act on draws of their scope's editions; the public list and a draw's public form need no principal.
DRAWS = protect(InspectionDraw, "抽查")


def seed_hash(seed: str) -> str:
    """What is published before the draw: SHA-256 of the seed's UTF-8 bytes, hex."""
    return hashlib.sha256(seed.encode()).hexdigest()


async def commit_draw(
    principal: Principal, edition_id: int, projects: int, inspectors_per_project: int, redraw_reason: str = ""
) -> DrawRead:
    """Officer in scope: record a draw of an edition's funded projects with a server-generated, still hidden seed."""
    edition = await load(principal, Edition, edition_id, columns=(Edition.scope_district,))
    awards = await Award.select(Award.id, Award.application).where(
        (Award.application._.round._.edition == edition_id) & (Award.status == AwardStatus.active)
    )
    inspectors = [r["user"] for r in await Account.select(Account.user).where(Account.role == Role.expert.value)]
    award_of = {a["application"]: a["id"] for a in awards}
    conflicts: dict[int, set[int]] = {}
    for application_id, expert_id in await review_side().conflict_pairs([a["application"] for a in awards]):
        conflicts.setdefault(award_of[application_id], set()).add(expert_id)
    award_ids = sorted(a["id"] for a in awards)
    # Feasibility does not depend on the seed: refuse an impossible draw before anything is recorded.
    try:
        draw("feasibility", award_ids, inspectors, projects, inspectors_per_project, conflicts)
    except DrawImpossible as exc:
        raise DomainError("draw_impossible", str(exc), 409) from exc
    seed = secrets.token_hex(32)  # 64 hex characters: the column's width
    async with unit_of_work(Actor.of(principal)) as uow:
        # The edition's row lock serialises concurrent draws: exactly one of them finds no earlier draw.
        await Edition.select(Edition.id).where(Edition.id == edition_id).lock_rows("UPDATE")
        earlier = await InspectionDraw.select(InspectionDraw.id).where(
            (InspectionDraw.edition == edition_id) & (InspectionDraw.status != InspectionDrawStatus.superseded)
        )
        if earlier and len(redraw_reason.strip()) < 2:
            message = "本届次已有抽查记录，重新抽取须说明原因（原因将公开）"
            raise DomainError(
                "redraw_reason_required", message, 409, [FieldError("redraw_reason", "required", message)]
            )
        rows = await InspectionDraw.insert(
            InspectionDraw(
                edition=edition_id,
                seed="",  # revealed by execute_draw; until then only in inspection_draw_seed
                seed_hash=seed_hash(seed),
                status=INSPECTION_DRAW.initial,
                projects=projects,
                inspectors_per_project=inspectors_per_project,
                candidate_awards=award_ids,
                candidate_inspectors=sorted(inspectors),
                conflicts={str(k): sorted(v) for k, v in sorted(conflicts.items())},
                redraw_reason=redraw_reason.strip() if earlier else "",
                drawn_by=principal.user_id,
                scope_district=edition["scope_district"],
            )
        ).returning(InspectionDraw.id)
        draw_id = int(rows[0]["id"])
        await InspectionDrawSeed.insert(InspectionDrawSeed(draw=draw_id, seed=seed))
        for old in earlier:
            values: dict[str, Any] = {"superseded_by": draw_id}
            # A draw abandoned before executing reveals its seed too: anyone can check it against the hash shown.
            hidden = await InspectionDrawSeed.select(InspectionDrawSeed.seed).where(
                InspectionDrawSeed.draw == old["id"]
            )
            if hidden:
                values["seed"] = hidden[0]["seed"]
                await InspectionDrawSeed.delete().where(InspectionDrawSeed.draw == old["id"])
            await uow.transition(InspectionDraw, old["id"], "supersede", values=values, reason=redraw_reason.strip())
        await uow.audit(
            "inspection_draw.commit",
            "inspection_draw",
            draw_id,
            after={
                "seed_hash": seed_hash(seed),
                "projects": projects,
                "inspectors_per_project": inspectors_per_project,
            },
            reason=redraw_reason.strip() if earlier else "",
        )
    return await read(draw_id)


async def execute_draw(principal: Principal, draw_id: int) -> DrawRead:
    """Officer in scope: reveal the committed seed and draw from the frozen candidates (once)."""
    row = await load(principal, InspectionDraw, draw_id, load_json=True)
    async with unit_of_work(Actor.of(principal)) as uow:
        # Under the draw's row lock: of concurrent executes one reveals and draws, the others see it done.
        locked = (
            await InspectionDraw.select(InspectionDraw.status).where(InspectionDraw.id == draw_id).lock_rows("UPDATE")
        )
        secret = await InspectionDrawSeed.select(InspectionDrawSeed.seed).where(InspectionDrawSeed.draw == draw_id)
        if locked[0]["status"] != InspectionDrawStatus.committed or not secret:
            raise conflict("draw_not_committed", "该抽查已抽取或已作废，不能再次抽取")
        seed = secret[0]["seed"]
        try:
            drawn = draw(
                seed,
                row["candidate_awards"],
                row["candidate_inspectors"],
                row["projects"],
                row["inspectors_per_project"],
                {int(k): set(v) for k, v in (row["conflicts"] or {}).items()},
            )
        except DrawImpossible as exc:  # cannot happen for a committed draw; the frozen candidates were checked
            raise DomainError("draw_impossible", str(exc), 409) from exc
        selections = [{"award_id": d.award_id, "inspector_ids": list(d.inspector_ids), "finding": ""} for d in drawn]
        await uow.transition(
            InspectionDraw,
            draw_id,
            "execute",
            values={"seed": seed, "selections": json.dumps(selections), "executed_at": now_utc()},
        )
        await InspectionDrawSeed.delete().where(InspectionDrawSeed.draw == draw_id)
    return await read(draw_id)


async def record_finding(
    principal: Principal, draw_id: int, award_id: int, finding: str, corrects: int | None = None
) -> DrawRead:
    """Officer in scope records the (public) inspection result of one drawn project; ``corrects`` names the earlier
    finding of the same project this one replaces — nothing is overwritten."""
    row = await load(principal, InspectionDraw, draw_id, load_json=True)
    if row["status"] != InspectionDrawStatus.executed:
        raise conflict("draw_not_executed", "只能为已抽取且未作废的抽查记录检查结果")
    if award_id not in {s["award_id"] for s in row["selections"]}:
        raise DomainError("award_not_drawn", "该资助项目不在本次抽查名单中", 422)
    async with unit_of_work(Actor.of(principal)) as uow:
        # The draw's row lock serialises findings of one draw (the append-only table grants no UPDATE, so no
        # FOR UPDATE on it): each correction must name the finding that is current under the lock.
        await InspectionDraw.select(InspectionDraw.id).where(InspectionDraw.id == draw_id).lock_rows("UPDATE")
        latest = (
            await InspectionFinding.select(InspectionFinding.id)
            .where((InspectionFinding.draw == draw_id) & (InspectionFinding.award == award_id))
            .order_by(InspectionFinding.id, ascending=False)
            .limit(1)
        )
        current = latest[0]["id"] if latest else None
        if corrects != current:
            message = (
                f"该项目的现行检查结果是第 {current} 号，更正须指明它"
                if current is not None
                else "该项目尚无检查结果，无需更正"
            )
            raise DomainError(
                "finding_correction_mismatch", message, 409, [FieldError("corrects", "mismatch", message)]
            )
        rows = await InspectionFinding.insert(
            InspectionFinding(
                draw=draw_id,
                award=award_id,
                finding=finding,
                corrects=corrects,
                recorded_by=principal.user_id,
                scope_district=row["scope_district"],
            )
        ).returning(InspectionFinding.id)
        await uow.audit(
            "inspection.finding" if corrects is None else "inspection.finding_correction",
            "inspection_draw",
            draw_id,
            after={"award_id": award_id, "finding_id": rows[0]["id"], "corrects": corrects},
            reason=finding,
        )
    return await read(draw_id)


async def read(draw_id: int) -> DrawRead:
    """The public form of a draw: seed hash (and the seed once drawn), candidates, conflicts, projects, inspectors'
    names, findings with their corrections, and a redraw's reason."""
    row = await InspectionDraw.select().where(InspectionDraw.id == draw_id).first().output(load_json=True)
    if row is None:
        raise not_found(DRAWS.label_zh)
    [shown] = await _shown([dict(row)])
    return shown


async def public_list(paging: PageParams) -> Page[DrawRead]:
    """一公开: every draw, newest first, superseded ones included (with their reasons)."""
    query = InspectionDraw.select().order_by(InspectionDraw.id, ascending=False).output(load_json=True)
    page = await fetch_page(InspectionDraw, query, paging)
    return page.map(await _shown(page.items))


async def _shown(rows: list[dict[str, Any]]) -> list[DrawRead]:
    """The public form of several draws: their awards, inspectors' names and findings in one query each."""
    selections = [s for row in rows for s in row["selections"]]
    award_ids = sorted({s["award_id"] for s in selections})
    inspector_ids = sorted({i for s in selections for i in s["inspector_ids"]})
    by_award = {
        a["id"]: a
        for a in await Award.select(
            Award.id,
            Award.application._.title.as_alias("title"),
            Award.application._.organisation._.name.as_alias("organisation"),
        ).where(Award.id.is_in(award_ids or [0]))
    }
    names = {
        a["user"]: a["display_name"] or a["username"]
        for a in await Account.select(
            Account.user, Account.display_name, Account.user._.username.as_alias("username")
        ).where(Account.user.is_in(inspector_ids or [0]))
    }
    history: dict[tuple[int, int], list[FindingRead]] = defaultdict(list)
    for f in (
        await InspectionFinding.select(
            InspectionFinding.id, InspectionFinding.draw, InspectionFinding.award, InspectionFinding.finding,
            InspectionFinding.corrects, InspectionFinding.created_at,
        )
        .where(InspectionFinding.draw.is_in([row["id"] for row in rows] or [0]))
        .order_by(InspectionFinding.id)
    ):  # fmt: skip
        history[(f["draw"], f["award"])].append(
            FindingRead(id=f["id"], finding=f["finding"], corrects=f["corrects"], recorded_at=f["created_at"])
        )
    return [
        DrawRead(
            id=row["id"],
            edition_id=row["edition"],
            status=row["status"],
            seed_hash=row["seed_hash"],
            seed=row["seed"] or None,  # hidden (not even stored here) until the draw is executed
            projects_to_draw=row["projects"],
            inspectors_per_project=row["inspectors_per_project"],
            candidate_awards=row["candidate_awards"],
            candidate_inspectors=row["candidate_inspectors"],
            conflicts=row["conflicts"] or {},
            redraw_reason=row["redraw_reason"],
            superseded_by=row["superseded_by"],
            committed_at=row["created_at"],
            drawn_at=row["executed_at"],
            projects=[
                DrawnProjectRead(
                    award_id=s["award_id"],
                    title=by_award[s["award_id"]]["title"],
                    organisation=by_award[s["award_id"]]["organisation"],
                    inspectors=[names.get(i, str(i)) for i in s["inspector_ids"]],
                    finding=history[(row["id"], s["award_id"])][-1].finding
                    if history.get((row["id"], s["award_id"]))
                    else "",
                    findings=history.get((row["id"], s["award_id"]), []),
                )
                for s in row["selections"]
            ],
        )
        for row in rows
    ]
