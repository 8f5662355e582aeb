"""聚力计划 impact statistics: per field, district, street, session or organisation, how many demands were
published, matched (an organisation accepted) and delivered, the match rate, the median time from publication to
the first acceptance, the beneficiaries served (delivery records) and the average ratings (evaluations).

One SQL aggregate per view. The unit counted is a (group, demand) pair: for field/district/street every published
demand of the group with all its orders; for a session the demands it considered (preview pairs, unmatched, or an
order of the session) with that session's orders only; for an organisation the demands it was matched to or applied
for, with its own orders only. Per-order subtotals are taken before the join, so no delivery record or evaluation is
counted twice. District officers see their district's demands only (``demand.scope_district``).
"""

from __future__ import annotations

import io
import json
import tempfile
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Any

from anyio import to_thread

from app.auth.principal import Principal
from app.errors import DomainError, FieldError
from app.reference import DISTRICT_NAMES_ZH, District
from app.timezone import SHANGHAI
from programmes.matching.schemas_case import ImpactFilters, ImpactRow
from programmes.matching.tables import FIELD_LABELS_ZH, Demand
from programmes.workflows.orders import ORDER, OrderStatus
from programmes.xlsx_export import Sheet, write_sheets_file

ASPECTS = ("quality", "timeliness", "communication", "effect")
ASPECT_LABELS_ZH = {"quality": "服务质量", "timeliness": "及时性", "communication": "沟通", "effect": "成效"}


class ImpactView(StrEnum):
    field = "field"
    district = "district"
    street = "street"
    session = "session"
    organisation = "organisation"


VIEW_LABELS_ZH = {
    ImpactView.field: "按领域",
    ImpactView.district: "按区",
    ImpactView.street: "按街镇",
    ImpactView.session: "按对接活动",
    ImpactView.organisation: "按社会组织",
}

# Orders that count as "matched": an organisation accepted and the order is still live (a cancelled or declined
# order matched nothing). Taken from the workflow, so a new live state is counted without editing this file.
_TAKEN = sorted(s for s in ORDER.states_with("holds_demand") if s != OrderStatus.matched)
_DELIVERED = [OrderStatus.delivered.value, OrderStatus.evaluated.value]

# Per view: the (group key, demand) pairs, how orders join them, and the group's label.
_PAIRS = {
    ImpactView.field: ("SELECT d.field AS key, d.id AS demand FROM demand d", "", "NULL"),
    ImpactView.district: ("SELECT d.district AS key, d.id AS demand FROM demand d", "", "NULL"),
    ImpactView.street: (
        "SELECT d.district || '/' || d.street AS key, d.id AS demand FROM demand d",
        "",
        "NULL",
    ),
    ImpactView.session: (
        "SELECT session::text AS key, demand FROM session_pair UNION SELECT session::text, demand FROM"
        " session_unmatched UNION SELECT session::text, demand FROM match_order WHERE session IS NOT NULL",
        "AND o.session::text = p.key",
        "(SELECT title FROM matching_session WHERE id::text = g.key)",
    ),
    ImpactView.organisation: (
        "SELECT organisation::text AS key, demand FROM match_order UNION SELECT organisation::text, demand"
        " FROM demand_bid",
        "AND o.organisation::text = p.key",
        "(SELECT name FROM organisation WHERE id::text = g.key)",
    ),
}

_SQL = """
WITH pairs AS ({pairs}),
served AS (
    SELECT "order" AS order_id, sum(beneficiaries_served) AS served FROM delivery_record GROUP BY "order"
),
orders AS (
    SELECT o.id, o.demand, o.session, o.organisation, o.status, o.accepted_at,
           coalesce(s.served, 0) AS served, e.overall, e.ratings
    FROM match_order o
    LEFT JOIN served s ON s.order_id = o.id
    LEFT JOIN order_evaluation e ON e."order" = o.id
    WHERE o.status = ANY({taken}::text[])
),
facts AS (
    SELECT p.key, d.id, d.published_at,
           min(o.accepted_at) AS first_accepted,
           bool_or(o.status = ANY({delivered}::text[])) AS delivered,
           coalesce(sum(o.served), 0) AS served,
           array_remove(array_agg(o.overall), NULL) AS overall,
           array_remove(array_agg(o.ratings), NULL) AS ratings
    FROM pairs p
    JOIN demand d ON d.id = p.demand
    LEFT JOIN orders o ON o.demand = d.id {order_join}
    WHERE d.published_at IS NOT NULL
      AND ({district}::text IS NULL OR d.scope_district = {district})
      AND ({field}::text IS NULL OR d.field = {field})
      AND ({since}::timestamptz IS NULL OR d.published_at >= {since})
      AND ({until}::timestamptz IS NULL OR d.published_at < {until})
    GROUP BY p.key, d.id, d.published_at
),
rated AS (
    SELECT f.key, unnest(f.overall) AS overall FROM facts f
),
aspects AS (
    SELECT f.key, r.key AS aspect, avg((r.value)::numeric) AS mean
    FROM facts f, unnest(f.ratings) AS one(ratings), jsonb_each_text(one.ratings) AS r
    WHERE r.value ~ '^[1-5]$'
    GROUP BY f.key, r.key
)
SELECT g.key, {label} AS label, g.published, g.matched, g.delivered, g.median_seconds, g.served,
       (SELECT avg(overall) FROM rated WHERE rated.key = g.key) AS average_rating,
       (SELECT count(*) FROM rated WHERE rated.key = g.key) AS evaluations,
       (SELECT coalesce(jsonb_object_agg(aspect, round(mean, 2)), jsonb_build_object()) FROM aspects
        WHERE aspects.key = g.key) AS by_aspect
FROM (
    SELECT key, count(*) AS published, count(first_accepted) AS matched,
           count(*) FILTER (WHERE delivered) AS delivered,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM first_accepted - published_at))
               FILTER (WHERE first_accepted IS NOT NULL) AS median_seconds,
           sum(served) AS served
    FROM facts GROUP BY key
) g
ORDER BY g.key
"""


def _scope(principal: Principal, filters: ImpactFilters) -> str | None:
    """The district the figures are limited to: a district officer's own, or the one a city officer asked for."""
    if principal.is_city_staff:
        return filters.district
    if filters.district is not None and filters.district != principal.district:
        message = "区级官员只能查看本区的统计"
        raise DomainError("district_out_of_scope", message, 403, [FieldError("district", "out_of_scope", message)])
    return principal.district


def _beijing_midnight(day: date | None) -> datetime | None:
    return None if day is None else datetime.combine(day, time.min, tzinfo=SHANGHAI)


def _label(view: ImpactView, key: str, label: str | None) -> str:
    if view is ImpactView.field:
        return FIELD_LABELS_ZH.get(key, key)
    if view is ImpactView.district:
        return DISTRICT_NAMES_ZH.get(District(key), key)
    if view is ImpactView.street:
        district, _, street = key.partition("/")
        return f"{DISTRICT_NAMES_ZH.get(District(district), district)}{street}"
    return label or key


async def impact(principal: Principal, view: ImpactView, filters: ImpactFilters) -> list[ImpactRow]:
    """Staff: one view's figures, a row per group, ordered by the group's key."""
    if filters.date_from and filters.date_to and filters.date_from > filters.date_to:
        message = "开始日期不能晚于结束日期"
        raise DomainError("date_range_invalid", message, 422, [FieldError("date_from", "after_end", message)])
    pairs, order_join, label = _PAIRS[view]
    sql = _SQL.format(
        pairs=pairs,
        order_join=order_join,
        label=label,
        taken="{}",
        delivered="{}",
        district="{}",
        field="{}",
        since="{}",
        until="{}",
    )
    district = _scope(principal, filters)
    until = _beijing_midnight(filters.date_to + timedelta(days=1)) if filters.date_to else None
    # Piccolo numbers the ``{}`` placeholders in order of appearance: taken, delivered, then the filters twice each.
    arguments: list[Any] = [_TAKEN, _DELIVERED]
    for value in (district, filters.field, _beijing_midnight(filters.date_from), until):
        arguments += [value, value]
    rows = await Demand.raw(sql, *arguments)
    return [_row(view, r) for r in rows]


def _row(view: ImpactView, r: dict[str, Any]) -> ImpactRow:
    published, matched = int(r["published"]), int(r["matched"])
    median = r["median_seconds"]
    by_aspect = r["by_aspect"] if isinstance(r["by_aspect"], dict) else _json(r["by_aspect"])
    return ImpactRow(
        view=view.value,
        key=r["key"],
        label=_label(view, r["key"], r["label"]),
        demands_published=published,
        demands_matched=matched,
        demands_delivered=int(r["delivered"]),
        match_rate=round(matched / published, 4) if published else 0.0,
        median_hours_to_match=round(float(median) / 3600, 1) if median is not None else None,
        beneficiaries_served=int(r["served"] or 0),
        evaluations=int(r["evaluations"]),
        average_rating=round(float(r["average_rating"]), 2) if r["average_rating"] is not None else None,
        ratings_by_aspect={k: float(v) for k, v in by_aspect.items()},
    )


def _json(value: Any) -> dict[str, Any]:
    loaded = json.loads(value) if isinstance(value, str) else {}
    return loaded if isinstance(loaded, dict) else {}


HEADERS = [
    "分组",
    "发布需求数",
    "已对接需求数",
    "已完成服务需求数",
    "对接率",
    "对接用时中位数（小时）",
    "服务人次",
    "评价数",
    "平均评分",
    *[f"平均评分·{ASPECT_LABELS_ZH[a]}" for a in ASPECTS],
]


async def impact_workbook(principal: Principal, filters: ImpactFilters) -> bytes:
    """Staff: every view as one sheet of an xlsx workbook (the same figures and scope as the API)."""
    sheets = []
    for view in ImpactView:
        rows = await impact(principal, view, filters)
        sheets.append(
            Sheet(
                title=VIEW_LABELS_ZH[view],
                headers=HEADERS,
                rows=[
                    [
                        r.label,
                        r.demands_published,
                        r.demands_matched,
                        r.demands_delivered,
                        r.match_rate,
                        r.median_hours_to_match,
                        r.beneficiaries_served,
                        r.evaluations,
                        r.average_rating,
                        *[r.ratings_by_aspect.get(a) for a in ASPECTS],
                    ]
                    for r in rows
                ],
                number_formats={4: "0.0%"},
            )
        )
    return await to_thread.run_sync(_write, sheets)


def _write(sheets: list[Sheet]) -> bytes:
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "impact.xlsx"
        write_sheets_file(path, sheets)
        buffer = io.BytesIO(path.read_bytes())
    return buffer.getvalue()
