"""The stage order's rules, checked where a round is created or changed (programmes.catalogue): one 决赛 per
edition, graduation rounds (结项评估) only in 沪社星耀 editions, and a round's place in the order fixed once it has
entries (moving it would change which stage its entries came from or go to)."""

from __future__ import annotations

from app.errors import DomainError, FieldError, guarded_constraint
from programmes.tables import Application, Edition, ProgrammeKind, Round, RoundStage


def _refused(status: int, code: str, message: str, field_name: str) -> DomainError:
    return DomainError(code, message, status, [FieldError(field_name, code, message)])


FINAL_EXISTS = _refused(409, "final_stage_exists", "本届已有决赛轮次，每届只能有一个决赛", "stage")
# Two concurrent writes can both pass the check below; the partial unique index (migration 19_30_00_000001) keeps
# one final, and its violation is answered as the same 409.
guarded_constraint("round_one_final_per_edition", FINAL_EXISTS)


async def check_stage(edition_id: int, stage: RoundStage, round_id: int | None = None) -> None:
    """422/409 unless ``stage`` may be this round's (``round_id`` None: a round being created) in the edition."""
    if stage == RoundStage.graduation:
        kind = await Edition.select(Edition.programme._.kind.as_alias("kind")).where(Edition.id == edition_id).first()
        if kind is None or kind["kind"] != ProgrammeKind.support_plan:
            raise _refused(422, "graduation_needs_support_plan", "结项评估轮次只用于沪社星耀项目", "stage")
    if stage == RoundStage.final:
        others = Round.exists().where((Round.edition == edition_id) & (Round.stage == RoundStage.final))
        if round_id is not None:
            others = others.where(Round.id != round_id)
        if await others:
            raise FINAL_EXISTS


async def check_order_unlocked(round_id: int, field_name: str) -> None:
    """409 ``stage_order_locked`` once the round has an entry."""
    if await Application.exists().where(Application.round == round_id):
        raise _refused(409, "stage_order_locked", "轮次已有申报，不能再修改其阶段和顺序", field_name)
