"""The round a 公示 / 晋级 page is about, loaded once per request with the API's scope rule (a district officer gets
the uniform 404 outside their district), and the names its sections show instead of ids."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from app.access import load
from app.auth.principal import Principal
from app.reference import DISTRICT_NAMES_ZH, District
from programmes.tables import Round, Track
from scoring.access import ROUNDS
from scoring.tables import Publication


@dataclass(frozen=True)
class RoundContext:
    id: int
    title: str  # 「2026 年度 · 初赛」
    status: str
    kind: str  # the programme kind (for its own status labels)
    publication_id: int | None
    track_names: dict[int, str]


def publication_url(round_id: int) -> str:
    return f"/admin/rounds/{round_id}/publication"


def district_zh(value: str | None) -> str:
    return DISTRICT_NAMES_ZH[District(value)] if value and value in District.__members__ else "—"


async def round_context(principal: Principal, round_id: int) -> RoundContext:
    row = await load(
        principal, ROUNDS.table, round_id, columns=(Round.id, Round.name, Round.status, Round.scope_district)
    )
    edition: Any = Round.edition
    names = (
        await Round.select(edition.title, edition.programme.kind.as_alias("kind")).where(Round.id == round_id).first()
    )
    assert names is not None  # the round was just loaded
    publication = await Publication.select(Publication.id).where(Publication.round == round_id).first()
    tracks = await Track.select(Track.id, Track.name).where(Track.round == round_id).order_by(Track.id)
    return RoundContext(
        id=round_id,
        title=f"{names['edition.title']} · {row['name']}",
        status=row["status"],
        kind=names["kind"],
        publication_id=publication["id"] if publication else None,
        track_names={t["id"]: t["name"] for t in tracks},
    )
