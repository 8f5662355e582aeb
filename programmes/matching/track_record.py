"""An organisation's track record (履约记录), computed from its orders and their evaluations — never typed.

One aggregate query for any number of organisations, so a list page costs one query whatever its size:

- ``delivered``: orders in a ``delivered_record`` state (delivered or evaluated);
- ``evaluated`` and the average overall rating (1..5) of their evaluations;
- ``on_time``: delivered orders whose delivery date (Beijing) is on or before the demand's period end — the one
  deadline both sides agreed to, since an order carries no due date of its own.
"""

from __future__ import annotations

from collections.abc import Iterable

from programmes.matching.schemas_offer import TrackRecordRead
from programmes.matching.score import TrackRecord
from programmes.matching.tables import MatchOrder
from programmes.workflows.orders import ORDER

_QUERY = """
SELECT o.organisation AS organisation_id,
       count(*) FILTER (WHERE o.status = ANY({}::text[])) AS delivered,
       count(e.id) AS evaluated,
       avg(e.overall) AS average,
       count(*) FILTER (
           WHERE o.status = ANY({}::text[])
             AND (o.delivered_at AT TIME ZONE 'Asia/Shanghai')::date <= d.period_end
       ) AS on_time
  FROM match_order o
  JOIN demand d ON d.id = o.demand
  LEFT JOIN order_evaluation e ON e."order" = o.id
 WHERE o.organisation = ANY({}::int[])
 GROUP BY o.organisation
"""


async def track_records(organisation_ids: Iterable[int]) -> dict[int, TrackRecord]:
    """Every given organisation's record (an empty one if it has no orders yet)."""
    ids = sorted(set(organisation_ids))
    records = {org_id: TrackRecord() for org_id in ids}
    if not ids:
        return records
    delivered_states = ORDER.states_with("delivered_record")
    rows = await MatchOrder.raw(_QUERY, delivered_states, delivered_states, ids)
    for row in rows:
        delivered = int(row["delivered"])
        records[int(row["organisation_id"])] = TrackRecord(
            delivered=delivered,
            evaluated=int(row["evaluated"]),
            average_tenths=round(float(row["average"]) * 10) if row["average"] is not None else None,
            on_time_percent=round(100 * int(row["on_time"]) / delivered) if delivered else None,
        )
    return records


def shown(record: TrackRecord) -> TrackRecordRead:
    return TrackRecordRead(
        delivered=record.delivered,
        evaluated=record.evaluated,
        average_rating=record.average_tenths / 10 if record.average_tenths is not None else None,
        on_time_share=record.on_time_percent / 100 if record.on_time_percent is not None else None,
    )
