"""Review exports as sheets (headers + rows) for programmes.exports: scores per expert and criterion, the ranking
with every aggregation method side by side, and the reviewer load report."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from programmes.tables import Criterion
from scoring.tables import RankingEntry, ReviewAssignment

Sheet = tuple[list[str], list[Sequence[Any]]]
STATUS_ZH = {
    "assigned": "待评审",
    "submitted": "已提交",
    "declined": "已回避",
    "removed": "已撤销",
    "retracted": "因冲突撤回",
}


async def scores_sheet(round_id: int) -> Sheet:
    criteria = (
        await Criterion.select(Criterion.code, Criterion.name)
        .where(Criterion.round == round_id)
        .order_by(Criterion.position)
    )
    rows = (
        await ReviewAssignment.select(
            ReviewAssignment.application,
            ReviewAssignment.application._.title.as_alias("title"),
            ReviewAssignment.expert,
            ReviewAssignment.expert._.username.as_alias("expert_name"),
            ReviewAssignment.status,
            ReviewAssignment.scores,
            ReviewAssignment.comment,
            ReviewAssignment.submitted_at,
        )
        .where(ReviewAssignment.application._.round == round_id)
        .order_by(ReviewAssignment.application)
        .order_by(ReviewAssignment.expert)
        .output(load_json=True)
    )
    headers = ["申报编号", "项目名称", "专家编号", "专家", "状态", *[c["name"] for c in criteria], "评语", "提交时间"]
    body: list[Sequence[Any]] = [
        [
            r["application"],
            r["title"],
            r["expert"],
            r["expert_name"],
            STATUS_ZH.get(r["status"], r["status"]),
            *[_na((r["scores"] or {}).get(c["code"]), c["code"] in (r["scores"] or {})) for c in criteria],
            r["comment"],
            r["submitted_at"],
        ]
        for r in rows
    ]
    return headers, body


def _na(value: Any, present: bool) -> Any:
    return "不适用" if present and value is None else value


async def ranking_sheet(round_id: int) -> Sheet:
    rows = (
        await RankingEntry.select(
            RankingEntry.rank,
            RankingEntry.application,
            RankingEntry.application._.title.as_alias("title"),
            RankingEntry.review_count,
            RankingEntry.methods,
            RankingEntry.flags,
        )
        .where(RankingEntry.round == round_id)
        .order_by(RankingEntry.rank)
        .order_by(RankingEntry.application)
        .output(load_json=True)
    )
    headers = [
        "排名",
        "申报编号",
        "项目名称",
        "评审数",
        "排名方法",
        "排名分",
        "加权平均",
        "中位数",
        "截尾平均",
        "校准平均",
        "离散度",
        "提示",
    ]
    body: list[Sequence[Any]] = [
        [
            r["rank"],
            r["application"],
            r["title"],
            r["review_count"],
            *[
                (r["methods"] or {}).get(k)
                for k in ("method", "score", "weighted_mean", "median", "trimmed_mean", "calibrated_mean", "spread")
            ],
            "、".join(r["flags"] or []),
        ]
        for r in rows
    ]
    return headers, body


async def load_sheet(round_id: int) -> Sheet:
    rows = await ReviewAssignment.select(
        ReviewAssignment.expert, ReviewAssignment.expert._.username.as_alias("expert_name"), ReviewAssignment.status
    ).where(ReviewAssignment.application._.round == round_id)
    load: dict[int, dict[str, Any]] = {}
    for r in rows:
        entry = load.setdefault(r["expert"], {"name": r["expert_name"], **{s: 0 for s in STATUS_ZH}})
        entry[r["status"]] += 1
    headers = ["专家编号", "专家", "分配总数", *[f"{label}" for label in STATUS_ZH.values()]]
    body: list[Sequence[Any]] = [
        [expert, e["name"], sum(e[s] for s in STATUS_ZH), *[e[s] for s in STATUS_ZH]]
        for expert, e in sorted(load.items())
    ]
    return headers, body
