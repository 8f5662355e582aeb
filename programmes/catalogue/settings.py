"""Changing a programme's and a round's settings after creation: the one write path for them (API and admin form).

Each change is checked like creation (``programmes.catalogue.rules``), refused where it would change an outcome
already under way, and audited with the changed fields before and after.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from app.access import load
from app.auth.principal import Principal
from app.errors import DomainError, FieldError
from app.uow import unit_of_work
from app.workflow.engine import Actor
from programmes.catalogue.rules import check_attachment_limits, check_criteria, check_window
from programmes.catalogue.schemas import ProgrammeRead, RoundRead
from programmes.catalogue.service import read_round
from programmes.catalogue.settings_schemas import ProgrammeUpdate, RoundSettingsUpdate, TrackChange
from programmes.ports import review_side
from programmes.stages.rules import check_order_unlocked, check_stage
from programmes.tables import Criterion, Edition, Programme, Round, RoundStage, Track
from programmes.workflows import RoundStatus
from scoring.tie_break import tie_break_problems

MB = 1024 * 1024
CRITERION_FIELDS = ("code", "name", "weight", "max_score", "allow_na", "comment_below", "anchors")


def _sent(data: RoundSettingsUpdate | ProgrammeUpdate) -> dict[str, Any]:
    """The fields the caller set; ``null`` means "leave as it is" (every column here is NOT NULL)."""
    return {k: getattr(data, k) for k in data.model_fields_set if k != "reason" and getattr(data, k) is not None}


def _locked(code: str, detail: str, field_name: str) -> DomainError:
    return DomainError(code, detail, 409, [FieldError(field_name, code, detail)])


def _jsonable(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


async def review_started(round_id: int) -> bool:
    """An expert has been assigned to an application of the round: from then on experts may have seen the rubric
    and (in blind rounds) been shown anonymised submissions."""
    return await review_side().review_started(round_id)


async def _criteria(round_id: int) -> list[dict[str, Any]]:
    rows = (
        await Criterion.select(*[getattr(Criterion, f) for f in CRITERION_FIELDS])
        .where(Criterion.round == round_id)
        .order_by(Criterion.position)
        .output(load_json=True)
    )
    return [dict(r) for r in rows]


async def update_round_settings(principal: Principal, round_id: int, data: RoundSettingsUpdate) -> RoundRead:
    """Officers in scope (district officers: their district's rounds) and admins change a round's settings.

    ``blind`` and the rubric are refused (409 ``round_review_started``) once an expert is assigned; the ranking
    settings (method, reviews per application, tie-break) once the round is closed (409 ``round_closed``).
    Unchanged values are no change and write nothing.
    """
    sent = _sent(data)
    async with unit_of_work(Actor.of(principal)) as uow:
        current = await load(principal, Round, round_id, lock=True, load_json=True)
        wanted = {
            "name": sent.get("name"),
            "opens_at": sent.get("opens_at"),
            "closes_at": sent.get("closes_at"),
            "blind": sent.get("blind"),
            "aggregation_method": sent.get("aggregation_method"),
            "reviews_per_application": sent.get("reviews_per_application"),
            "tie_break": list(sent["tie_break"]) if "tie_break" in sent else None,
            "eligibility_rules": sent["eligibility_rules"].model_dump(mode="json")
            if "eligibility_rules" in sent
            else None,
            "allow_multiple_entries": sent.get("allow_multiple_entries"),
            "attachment_types": list(sent["attachment_types"]) if "attachment_types" in sent else None,
            "max_attachment_bytes": sent["max_attachment_mb"] * MB if "max_attachment_mb" in sent else None,
            "max_application_attachment_bytes": (
                sent["max_application_attachment_mb"] * MB if "max_application_attachment_mb" in sent else None
            ),
            "stage": sent.get("stage"),
            "position": sent.get("position"),
        }
        changes = {k: v for k, v in wanted.items() if v is not None and v != current[k]}
        for moved in ("stage", "position"):
            if moved in changes:
                await check_order_unlocked(round_id, moved)
        if "stage" in changes:
            await check_stage(current["edition"], RoundStage(str(changes["stage"])), round_id)
        before_criteria = await _criteria(round_id)
        new_criteria = [c.model_dump() for c in sent["criteria"]] if "criteria" in sent else None
        if new_criteria == before_criteria:
            new_criteria = None
        if ("blind" in changes or new_criteria is not None) and await review_started(round_id):
            name = "blind" if "blind" in changes else "criteria"
            raise _locked("round_review_started", "评审已经开始，不能再修改匿名评审设置和评分标准", name)
        ranking_settings = {"aggregation_method", "reviews_per_application", "tie_break"} & changes.keys()
        if ranking_settings and current["status"] == RoundStatus.closed:
            raise _locked(
                "round_closed",
                "轮次已关闭并完成排名，不能修改汇总方法、评审人数和并列处理规则",
                sorted(ranking_settings)[0],
            )
        codes = [c["code"] for c in (new_criteria if new_criteria is not None else before_criteria)]
        if problems := tie_break_problems(changes.get("tie_break", current["tie_break"]) or [], codes):
            detail = "；".join(problems)
            raise DomainError("tie_break_invalid", detail, 422, [FieldError("tie_break", "tie_break_invalid", detail)])
        merged = {**current, **changes}
        check_window(merged["opens_at"], merged["closes_at"])
        check_attachment_limits(merged["max_attachment_bytes"], merged["max_application_attachment_bytes"])
        if new_criteria is not None:
            check_criteria(sent["criteria"])
        track_before, track_after = await _track_changes(round_id, sent.get("tracks") or [])
        if not changes and new_criteria is None and not track_after:
            return await read_round(round_id)
        if changes:
            await Round.update({getattr(Round, k): v for k, v in changes.items()}).where(Round.id == round_id)
        before = {k: _jsonable(current[k]) for k in changes}
        after = {k: _jsonable(v) for k, v in changes.items()}
        if new_criteria is not None:
            await Criterion.delete().where(Criterion.round == round_id)
            await Criterion.insert(*[Criterion(round=round_id, position=i, **c) for i, c in enumerate(new_criteria)])
            before["criteria"], after["criteria"] = before_criteria, new_criteria
        if track_after:
            before["tracks"], after["tracks"] = track_before, track_after
        await uow.audit("round.update_settings", "round", round_id, before=before, after=after, reason=data.reason)
    return await read_round(round_id)


async def _track_changes(round_id: int, wanted: list[TrackChange]) -> tuple[list[Any], list[Any]]:
    """Apply renames and quotas to the round's own tracks; returns the changed tracks before and after."""
    rows = {
        r["id"]: dict(r) for r in await Track.select(Track.id, Track.name, Track.quota).where(Track.round == round_id)
    }
    for change in wanted:
        if change.id not in rows:
            message = f"赛道 {change.id} 不属于本轮次"
            raise DomainError("track_not_in_round", message, 422, [FieldError("tracks", "track_not_in_round", message)])
    merged = {i: dict(r) for i, r in rows.items()}
    for change in wanted:
        if change.name is not None:
            merged[change.id]["name"] = change.name
        if "quota" in change.model_fields_set:
            merged[change.id]["quota"] = change.quota
    if len({t["name"] for t in merged.values()}) != len(merged):
        message = "赛道名称不能重复"
        raise DomainError("tracks_duplicate", message, 422, [FieldError("tracks", "tracks_duplicate", message)])
    changed = [i for i in merged if merged[i] != rows[i]]
    for i in changed:
        await Track.update({Track.name: merged[i]["name"], Track.quota: merged[i]["quota"]}).where(Track.id == i)
    return [rows[i] for i in changed], [merged[i] for i in changed]


async def update_programme(principal: Principal, programme_id: int, data: ProgrammeUpdate) -> ProgrammeRead:
    """Officers in scope and admins rename a programme or change its description and conflict rules.

    ``kind`` picks the workflow every application follows: it may change only while the programme has no edition
    (409 ``programme_kind_locked``). The scope is never changed here.
    """
    sent = _sent(data)
    async with unit_of_work(Actor.of(principal)) as uow:
        current = await load(principal, Programme, programme_id, lock=True, load_json=True)
        if "conflict_rules" in sent:
            sent["conflict_rules"] = list(dict.fromkeys(sent["conflict_rules"]))
        if "kind" in sent:
            sent["kind"] = sent["kind"].value
        changes = {k: v for k, v in sent.items() if v != current[k]}
        if "kind" in changes and await Edition.exists().where(Edition.programme == programme_id):
            raise _locked("programme_kind_locked", "项目已有届次和申报，不能修改项目类型", "kind")
        if changes:
            await Programme.update({getattr(Programme, k): v for k, v in changes.items()}).where(
                Programme.id == programme_id
            )
            await uow.audit(
                "programme.update",
                "programme",
                programme_id,
                before={k: current[k] for k in changes},
                after=changes,
                reason=data.reason,
            )
    return ProgrammeRead(**{**current, **changes})
