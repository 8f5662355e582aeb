"""The 公示 gate on awards: when a round has a public notice, only what the public was shown — and had its full
notice period to object to — may be awarded.

An application of such a round may be awarded only if it is listed in the notice, the notice period has ended,
and no objection about it is still open. Rounds without a notice (programme kinds that do not publish) are not
gated here; the eligibility gate (programmes.applications.gate) applies to every award regardless.
"""

from __future__ import annotations

from app.errors import DomainError, FieldError, conflict
from app.timezone import now_utc, shown
from programmes.workflows.publication import ObjectionStatus
from scoring.tables import Objection, Publication


async def ensure_noticed(application_id: int, round_id: int) -> None:
    """Raise 409 unless ``application_id`` passed its round's 公示. Runs in the award's transaction."""
    notice = (
        await Publication.select(Publication.id, Publication.ends_at, Publication.entries)
        .where(Publication.round == round_id)
        .first()
        .output(load_json=True)
    )
    if notice is None:
        return
    if application_id not in {e["application_id"] for e in notice["entries"] or []}:
        raise DomainError(
            "not_published",
            "本轮已公示，该申报未列入公示名单，不能确定资助",
            409,
            [FieldError("application_id", "not_published", "该申报未列入公示名单")],
        )
    if now_utc() < notice["ends_at"]:
        raise conflict(
            "publication_running", f"公示期至 {shown(notice['ends_at']):%Y-%m-%d %H:%M} 结束，期满后方可确定资助"
        )
    if await Objection.exists().where(
        (Objection.publication == notice["id"])
        & (Objection.application == application_id)
        & (Objection.status == ObjectionStatus.open)
    ):
        raise conflict("objections_open", "该申报尚有未处理的公示异议，处理完毕后方可确定资助")
