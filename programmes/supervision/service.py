"""双随机、一公开 draws, recorded with their seed and candidate lists, and their public results."""

from __future__ import annotations

import secrets
from typing import Any

from app import audit
from app.auth.principal import Principal
from app.auth.tables import Account, Role
from app.db import engine
from app.errors import DomainError, not_found
from programmes.scope import ensure_staff_scope
from programmes.supervision.draw import DrawImpossible, draw
from programmes.tables import Award, Edition, InspectionDraw
from scoring.experts.conflicts import forbidden_pairs


async def make_draw(
    principal: Principal, edition_id: int, projects: int, inspectors_per_project: int, seed: str | None
) -> dict[str, Any]:
    """Officer in scope draws funded projects of an edition and inspectors from the expert pool."""
    edition = await Edition.select(Edition.scope_district).where(Edition.id == edition_id).first()
    if edition is None:
        raise not_found("届次")
    ensure_staff_scope(principal, edition["scope_district"], "届次")
    awards = await Award.select(Award.id, Award.application).where(
        (Award.application._.round._.edition == edition_id) & (Award.status == "active")
    )
    inspectors = [r["user"] for r in await Account.select(Account.user).where(Account.role == Role.expert.value)]
    pairs = await forbidden_pairs([a["application"] for a in awards])
    award_of = {a["application"]: a["id"] for a in awards}
    conflicts: dict[int, set[int]] = {}
    for application_id, expert_id in pairs:
        conflicts.setdefault(award_of[application_id], set()).add(expert_id)
    seed = seed or secrets.token_hex(16)
    award_ids = [a["id"] for a in awards]
    try:
        drawn = draw(seed, award_ids, inspectors, projects, inspectors_per_project, conflicts)
    except DrawImpossible as exc:
        raise DomainError("draw_impossible", str(exc), 409) from exc
    async with engine().transaction():
        rows = await InspectionDraw.insert(
            InspectionDraw(
                edition=edition_id,
                seed=seed,
                candidate_awards=sorted(award_ids),
                candidate_inspectors=sorted(inspectors),
                selections=[
                    {"award_id": d.award_id, "inspector_ids": list(d.inspector_ids), "finding": ""} for d in drawn
                ],
                drawn_by=principal.user_id,
                scope_district=edition["scope_district"],
            )
        ).returning(InspectionDraw.id)
        await audit.record(
            actor_id=principal.user_id,
            actor_role=principal.role.value,
            action="inspection.draw",
            object_type="inspection_draw",
            object_id=rows[0]["id"],
            after={"seed": seed, "projects": projects, "inspectors_per_project": inspectors_per_project},
        )
    return await read(int(rows[0]["id"]))


async def record_finding(principal: Principal, draw_id: int, award_id: int, finding: str) -> dict[str, Any]:
    """Officer in scope records the inspection result of one drawn project (it becomes public)."""
    row = await InspectionDraw.select().where(InspectionDraw.id == draw_id).first().output(load_json=True)
    if row is None:
        raise not_found("抽查")
    ensure_staff_scope(principal, row["scope_district"], "抽查")
    selections = row["selections"]
    if award_id not in {s["award_id"] for s in selections}:
        raise DomainError("award_not_drawn", "该资助项目不在本次抽查名单中", 422)
    for selection in selections:
        if selection["award_id"] == award_id:
            selection["finding"] = finding
    async with engine().transaction():
        await InspectionDraw.update({InspectionDraw.selections: selections}).where(InspectionDraw.id == draw_id)
        await audit.record(
            actor_id=principal.user_id,
            actor_role=principal.role.value,
            action="inspection.finding",
            object_type="inspection_draw",
            object_id=draw_id,
            after={"award_id": award_id},
            reason=finding,
        )
    return await read(draw_id)


async def read(draw_id: int) -> dict[str, Any]:
    """The public form of a draw: seed, candidates, projects (title, organisation), inspectors' names, findings."""
    row = await InspectionDraw.select().where(InspectionDraw.id == draw_id).first().output(load_json=True)
    if row is None:
        raise not_found("抽查")
    award_ids = [s["award_id"] for s in row["selections"]]
    awards = await Award.select(
        Award.id,
        Award.application._.title.as_alias("title"),
        Award.application._.organisation._.name.as_alias("organisation"),
    ).where(Award.id.is_in(award_ids or [0]))
    by_award = {a["id"]: a for a in awards}
    names = {
        a["user"]: a["display_name"] or a["username"]
        for a in await Account.select(Account.user, Account.display_name, Account.user._.username.as_alias("username"))
    }
    return {
        "id": row["id"],
        "edition_id": row["edition"],
        "seed": row["seed"],
        "candidate_awards": row["candidate_awards"],
        "candidate_inspectors": row["candidate_inspectors"],
        "drawn_at": row["created_at"],
        "projects": [
            {
                "award_id": s["award_id"],
                "title": by_award[s["award_id"]]["title"],
                "organisation": by_award[s["award_id"]]["organisation"],
                "inspectors": [names.get(i, str(i)) for i in s["inspector_ids"]],
                "finding": s["finding"],
            }
            for s in row["selections"]
        ],
    }


async def public_list() -> list[dict[str, Any]]:
    rows = await InspectionDraw.select(InspectionDraw.id).order_by(InspectionDraw.id, ascending=False).limit(100)
    return [await read(r["id"]) for r in rows]
