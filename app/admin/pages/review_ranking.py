"""A closed round's results, ``/admin/rounds/{id}/ranking`` (+ ``.xlsx``): the ranking with every aggregation method
side by side (the round's own method marked), the flags (too few reviews, outlier reviews by expert name), the
cut-line ties, and the reliability of the reviews (ICC, distribution, outliers).

Reads the API's services only: ``scoring.rankings.service.round_ranking`` (GET /rounds/{id}/ranking) and
``reliability`` (GET /rounds/{id}/reliability), with the officer's principal (the uniform 404 outside scope). Paged
like every list (50 by default, at most 200); the xlsx holds the whole ranking.
"""

from __future__ import annotations

import io
from typing import Any

from openpyxl import Workbook
from starlette.responses import Response

from app.admin.config_fields import AGGREGATION_CHOICES
from app.admin.pages.html import esc, page, query_string
from app.admin.pages.reader import application_url
from app.admin.pages.review_progress import expert_names, ranking_url, review_round, review_url
from app.admin.pages.routing import PageRequest, PageRoute
from app.admin.pages.screening import EXPORT_ROWS_MAX, XLSX, paging_of
from app.paging import PageParams
from programmes.catalogue.schemas import RankingRow
from programmes.tables import Application, Track
from programmes.workflows.contest import RoundStatus
from scoring.rankings.schemas import ReliabilityRead

METHOD_ZH = {code: label for label, code in AGGREGATION_CHOICES.items()}
# The methods' columns, in the order officers compare them; a live final adds the judges' score and the vote.
METHOD_COLUMNS = ["weighted_mean", "median", "trimmed_mean", "calibrated_mean"]
LIVE_COLUMNS = {"judges_score": "评委得分", "public_votes": "大众投票数", "vote_weight_percent": "大众投票权重（%）"}


def _flags(row: RankingRow, experts: dict[int, str]) -> str:
    out = []
    for flag in row.flags:
        if flag == "too_few_reviews":
            out.append("评审数不足")
        elif flag.startswith("outlier_review:") and flag.split(":", 1)[1].isdigit():
            out.append(f"离群评分：{experts.get(int(flag.split(':', 1)[1]), '专家')}")
        else:
            out.append(flag)
    return "；".join(out) or "—"


def _outlier_experts(rows: list[RankingRow]) -> set[int]:
    return {
        int(f.split(":", 1)[1])
        for r in rows
        for f in r.flags
        if f.startswith("outlier_review:") and f.split(":", 1)[1].isdigit()
    }


async def _tie_labels(rows: list[RankingRow]) -> dict[str, str]:
    lines = [r.cut_line_tie.split(":", 1) for r in rows if r.cut_line_tie]
    ids = {int(line[1]) for line in lines if line[0] == "track" and len(line) == 2 and line[1].isdigit()}
    tracks = await Track.select(Track.id, Track.name).where(Track.id.is_in(sorted(ids) or [0]))
    return {"overall": "入围总数线", **{f"track:{t['id']}": f"赛道「{t['name']}」名额线" for t in tracks}}


def _tie(row: RankingRow, labels: dict[str, str]) -> str:
    if not row.cut_line_tie:
        return "—"
    return f"{labels.get(row.cut_line_tie, row.cut_line_tie)}并列，{'已裁定' if row.cut_line_decided else '待裁定'}"


async def _organisations(rows: list[RankingRow]) -> dict[int, str]:
    org: Any = Application.organisation
    found = await Application.select(Application.id, org.name.as_alias("org")).where(
        Application.id.is_in([r.application_id for r in rows] or [0])
    )
    return {r["id"]: r["org"] for r in found}


def _live(rows: list[RankingRow]) -> list[str]:
    return [c for c in LIVE_COLUMNS if any(c in r.methods for r in rows)]


def _headers(method: str, live: list[str]) -> list[str]:
    marked = [f"{METHOD_ZH[m]}{'（本轮方法）' if m == method else ''}" for m in METHOD_COLUMNS]
    live_headers = [LIVE_COLUMNS[c] for c in live]
    return ["名次", "申报项目", "申报单位", "评审数", "排名得分", *marked, "评分标准差", *live_headers]


def _values(row: RankingRow, live: list[str]) -> list[Any]:
    m = row.methods
    return [
        m.get("score", row.weighted_mean),
        *(m.get(c, "") for c in METHOD_COLUMNS),
        m.get("spread", ""),
        *(m.get(c, "") for c in live),
    ]


def _reliability(r: ReliabilityRead) -> str:
    def number(value: float | None) -> str:
        return "—" if value is None else f"{value:.3f}"

    if not r.reviews:
        return "<p>本轮没有已提交的评分。</p>"
    facts = [
        ("已提交评分", f"{r.reviews} 份"),
        ("参与排名的申报", f"{r.applications or 0} 件"),
        ("平均每件评审人数", number(r.raters_per_application)),
        ("ICC(1)：单个专家评分的信度", number(r.icc1)),
        ("ICC(1,k)：平均分的信度", number(r.icc1k)),
        ("全部评分均值", number(r.global_mean)),
        ("全部评分标准差", number(r.global_sd)),
        ("离群评分", f"{r.outlier_reviews or 0} 份"),
        ("未能校准的评分", f"{r.uncalibrated_reviews or 0} 份"),
    ]
    items = "".join(f"<dt>{esc(k)}</dt><dd>{esc(v)}</dd>" for k, v in facts)
    return f'<dl class="answers">{items}</dl><p>ICC 越接近 1，专家之间的评分越一致；低于 0.5 时建议复核离群评分。</p>'


async def ranking_page(request: PageRequest) -> Response:
    from scoring.rankings.service import reliability, round_ranking

    review = await review_round(request.principal, request.object_id)
    paging = paging_of(request.params)
    ranked = await round_ranking(request.principal, review.id, paging)
    rows: list[RankingRow] = list(ranked.items)
    back = f'<p><a href="{review_url(review.id)}">返回本轮专家评审</a></p>'
    if ranked.total == 0:
        text = "本轮尚未关闭并排名。" if review.status != RoundStatus.closed else "本轮没有参与排名的申报。"
        return page(f"排名与信度：{review.title}", f"<section><p>{text}</p>{back}</section>")
    experts = await expert_names(_outlier_experts(rows))
    orgs = await _organisations(rows)
    ties = await _tie_labels(rows)
    method = rows[0].methods.get("method", "weighted_mean") if rows else "weighted_mean"
    live = _live(rows)
    head = "".join(f'<th scope="col">{esc(h)}</th>' for h in [*_headers(method, live), "提示", "入围线并列"])
    body_rows = "".join(
        f'<tr><td>{r.rank}</td><td><a href="{application_url(r.application_id)}">{esc(r.title)}</a></td>'
        f"<td>{esc(orgs.get(r.application_id, '—'))}</td><td>{r.review_count}</td>"
        + "".join(f"<td>{esc(v)}</td>" for v in _values(r, live))
        + f"<td>{esc(_flags(r, experts))}</td><td>{esc(_tie(r, ties))}</td></tr>"
        for r in rows
    )
    links = []
    if paging.offset > 0:
        back_page = {"offset": str(max(0, paging.offset - paging.limit)), "limit": str(paging.limit)}
        links.append(f'<a href="{ranking_url(review.id)}{query_string(back_page)}">上一页</a>')
    if paging.offset + paging.limit < ranked.total:
        ahead = {"offset": str(paging.offset + paging.limit), "limit": str(paging.limit)}
        links.append(f'<a href="{ranking_url(review.id)}{query_string(ahead)}">下一页</a>')
    pager = f"<p>共 {ranked.total} 件 {' '.join(links)}</p>"
    outliers = [r for r in rows if any(f.startswith("outlier_review:") for f in r.flags)]
    outlier_items = "".join(f"<li>{esc(r.title)}：{esc(_flags(r, experts))}</li>" for r in outliers)
    table = (
        f"<table><caption>排名（各汇总方法并列，本轮按「{esc(METHOD_ZH.get(method, method))}」排名）</caption>"
        f"<thead><tr>{head}</tr></thead><tbody>{body_rows}</tbody></table>"
    )
    body = (
        f"<section aria-labelledby='s-rank'><h2 id='s-rank'>排名</h2>{back}"
        f'<p><a href="{ranking_url(review.id)}.xlsx">导出排名与信度 Excel（xlsx）</a></p>{pager}{table}</section>'
        f"<section aria-labelledby='s-outliers'><h2 id='s-outliers'>离群评分（当前页）</h2>"
        f"{f'<ul>{outlier_items}</ul>' if outliers else '<p>当前页没有离群评分。</p>'}</section>"
        f"<section aria-labelledby='s-icc'><h2 id='s-icc'>评分信度（ICC）与分布</h2>"
        f"{_reliability(await reliability(request.principal, review.id))}</section>"
    )
    return page(f"排名与信度：{review.title}", body)


async def ranking_xlsx(request: PageRequest) -> Response:
    """The whole ranking (every method side by side) and the reliability, as one workbook of two sheets."""
    from scoring.rankings.service import reliability, round_ranking

    review = await review_round(request.principal, request.object_id)
    rows = list((await round_ranking(request.principal, review.id, PageParams(limit=EXPORT_ROWS_MAX))).items)
    experts = await expert_names(_outlier_experts(rows))
    orgs = await _organisations(rows)
    ties = await _tie_labels(rows)
    method = rows[0].methods.get("method", "weighted_mean") if rows else "weighted_mean"
    live = _live(rows)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("排名")
    sheet.append([*_headers(method, live), "提示", "入围线并列", "申报编号"])
    for r in rows:
        sheet.append(
            [
                r.rank,
                r.title,
                orgs.get(r.application_id, ""),
                r.review_count,
                *_values(r, live),
                _flags(r, experts),
                _tie(r, ties),
                r.application_id,
            ]
        )
    found = await reliability(request.principal, review.id)
    facts = workbook.create_sheet("评分信度")
    facts.append(["指标", "数值"])
    for label, value in (
        ("已提交评分（份）", found.reviews),
        ("参与排名的申报（件）", found.applications),
        ("平均每件评审人数", found.raters_per_application),
        ("ICC(1)", found.icc1),
        ("ICC(1,k)", found.icc1k),
        ("全部评分均值", found.global_mean),
        ("全部评分标准差", found.global_sd),
        ("离群评分（份）", found.outlier_reviews),
        ("未能校准的评分（份）", found.uncalibrated_reviews),
    ):
        facts.append([label, value])
    data = io.BytesIO()
    workbook.save(data)
    name = f"round-{review.id}-ranking.xlsx"
    return Response(data.getvalue(), media_type=XLSX, headers={"Content-Disposition": f'attachment; filename="{name}"'})


RANKING_ROUTES = [
    PageRoute(r"/rounds/(?P<id>[0-9]{1,10})/ranking", ranking_page),
    PageRoute(r"/rounds/(?P<id>[0-9]{1,10})/ranking\.xlsx", ranking_xlsx),
]
