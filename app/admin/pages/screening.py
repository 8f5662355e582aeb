"""A round's screening list, ``/admin/rounds/{id}/screening``: filter by screening result, status, track and the
applicant's district; tick rows and return or reject them in bulk with one reason (``act_in_bulk``, the API's bulk
service); download the current filter as xlsx. Drafts are the applicants' own and are not listed.

Paged like every list (``app.paging``: 50 by default, at most 200, ordered by id); names come from joins in the
page's one query, never a query per row. Scope is the API's: the round is loaded for the principal (404 outside a
district officer's district) and the rows are filtered by ``staff_filter`` as well.
"""

from __future__ import annotations

import io
from collections.abc import Awaitable
from dataclasses import dataclass
from typing import Any

from openpyxl import Workbook
from piccolo.custom_types import Combinable
from pydantic import ValidationError
from starlette.responses import Response

from app.access import load, staff_filter
from app.admin.pages.html import (
    OUTCOME_ZH,
    STATUS_ZH,
    csrf_field,
    esc,
    first,
    options,
    page,
    query_string,
    status_zh,
    when,
)
from app.admin.pages.reader import application_url
from app.auth.principal import Principal
from app.paging import DEFAULT_LIMIT, MAX_LIMIT, MAX_OFFSET, PageParams, fetch_page
from app.reference import DISTRICT_NAMES_ZH, District
from app.timezone import shown
from programmes.applications.schemas import OfficerAction
from programmes.catalogue.access import ROUNDS  # noqa: F401 — declares the policy load() reads
from programmes.tables import Application, Round, Track
from programmes.workflows.contest import ApplicationStatus

BULK_ZH = {"return_for_revision": "退回修改", "reject": "驳回"}
EXPORT_ROWS_MAX = 100_000
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_FILTERS = ("outcome", "status", "track", "district")


@dataclass(frozen=True)
class Filters:
    outcome: str = ""
    status: str = ""
    track: str = ""
    district: str = ""

    @classmethod
    def parse(cls, params: dict[str, str]) -> Filters:
        """Only known values are kept: an unknown one is dropped rather than answered with an error page."""
        outcome = params.get("outcome", "")
        status = params.get("status", "")
        track = params.get("track", "")
        district = params.get("district", "")
        return cls(
            outcome if outcome in OUTCOME_ZH else "",
            status if status in STATUS_ZH else "",
            track if track.isdigit() and len(track) <= 9 else "",
            district if district in District.__members__ else "",
        )

    def where(self, principal: Principal, round_id: int) -> list[Combinable]:
        conditions: list[Combinable] = [Application.round == round_id, Application.status != ApplicationStatus.draft]
        conditions += staff_filter(principal, Application.scope_district)
        if self.outcome:
            conditions.append(Application.eligibility_outcome == self.outcome)
        if self.status:
            conditions.append(Application.status == self.status)
        if self.track:
            conditions.append(Application.track == int(self.track))
        if self.district:
            conditions.append(Application.organisation_district == self.district)
        return conditions

    def params(self) -> dict[str, str]:
        return {name: getattr(self, name) for name in _FILTERS}


def paging_of(params: dict[str, str]) -> PageParams:
    limit = params.get("limit", "")
    offset = params.get("offset", "")
    size = int(limit) if limit.isdigit() and 1 <= int(limit) <= MAX_LIMIT else DEFAULT_LIMIT
    start = int(offset) if offset.isdigit() and int(offset) <= MAX_OFFSET else 0
    return PageParams(size, start)


def _columns() -> list[Any]:
    org: Any = Application.organisation
    track: Any = Application.track
    return [
        Application.id,
        Application.title,
        org.name.as_alias("organisation_name"),
        Application.organisation_district,
        track.name.as_alias("track_name"),
        Application.status,
        Application.eligibility_outcome,
        Application.submitted_at,
    ]


def screening_url(round_id: int) -> str:
    return f"/admin/rounds/{round_id}/screening"


async def _round(principal: Principal, round_id: int) -> dict[str, Any]:
    row = await load(principal, Round, round_id, columns=(Round.id, Round.name, Round.scope_district))
    edition: Any = Round.edition
    names = (
        await Round.select(edition.title, edition.programme.kind.as_alias("kind")).where(Round.id == round_id).first()
    )
    assert names is not None
    return {**row, "title": f"{names['edition.title']} · {row['name']}", "kind": names["kind"]}


def _district(value: str | None) -> str:
    return DISTRICT_NAMES_ZH[District(value)] if value and value in District.__members__ else "—"


async def _filter_form(round_id: int, filters: Filters) -> str:
    tracks = await Track.select(Track.id, Track.name).where(Track.round == round_id).order_by(Track.id)
    track_choices = [("", "全部")] + [(str(t["id"]), t["name"]) for t in tracks]
    fields = [
        ("outcome", "资格审查结果", [("", "全部"), *OUTCOME_ZH.items()], filters.outcome),
        ("status", "状态", [("", "全部"), *((k, v) for k, v in STATUS_ZH.items() if k != "draft")], filters.status),
        ("track", "赛道", track_choices, filters.track),
        ("district", "申报单位所在区", [("", "全部"), *((d.value, n) for d, n in DISTRICT_NAMES_ZH.items())], ""),
    ]
    selects = "".join(
        f'<label for="f-{name}">{esc(label)}<select id="f-{name}" name="{name}">'
        f"{options(choices, filters.district if name == 'district' else chosen)}</select></label>"
        for name, label, choices, chosen in fields
    )
    export = f"{screening_url(round_id)}.xlsx{query_string(filters.params())}"
    return (
        f'<form method="get" class="filters" action="{screening_url(round_id)}">{selects}'
        f'<button type="submit">筛选</button></form><p><a href="{export}">按当前筛选导出 Excel（xlsx）</a></p>'
    )


def _pager(round_id: int, filters: Filters, paging: PageParams, total: int) -> str:
    links = []
    base = filters.params() | {"limit": str(paging.limit)}
    if paging.offset > 0:
        back = base | {"offset": str(max(0, paging.offset - paging.limit))}
        links.append(f'<a href="{screening_url(round_id)}{query_string(back)}">上一页</a>')
    if paging.offset + paging.limit < total:
        ahead = base | {"offset": str(paging.offset + paging.limit)}
        links.append(f'<a href="{screening_url(round_id)}{query_string(ahead)}">下一页</a>')
    last = min(total, paging.offset + paging.limit)
    return f"<p>共 {total} 件，当前第 {paging.offset + 1 if total else 0}–{last} 件 {' '.join(links)}</p>"


async def screening_page(
    scope: dict[str, Any],
    principal: Principal,
    round_id: int,
    params: dict[str, str],
    *,
    message: str = "",
    error: str = "",
    status: int = 200,
) -> Response:
    round_row = await _round(principal, round_id)
    filters = Filters.parse(params)
    paging = paging_of(params)
    query = Application.select(*_columns()).order_by(Application.id)
    rows = await fetch_page(Application, query, paging, *filters.where(principal, round_id))
    body_rows = "".join(
        f'<tr><td><input type="checkbox" name="ids" value="{r["id"]}" id="pick-{r["id"]}" form="bulk">'
        f'<label class="sr" for="pick-{r["id"]}">选择申报 {r["id"]}</label></td>'
        f'<td><a href="{application_url(r["id"])}">{esc(r["title"])}</a></td><td>{esc(r["organisation_name"])}</td>'
        f"<td>{esc(_district(r['organisation_district']))}</td><td>{esc(r['track_name'] or '—')}</td>"
        f"<td>{esc(status_zh(round_row['kind'], r['status']))}</td>"
        f"<td>{esc(OUTCOME_ZH.get(r['eligibility_outcome'], r['eligibility_outcome']))}</td>"
        f"<td>{when(r['submitted_at'])}</td></tr>"
        for r in rows.items
    )
    table = (
        '<table><caption>本轮申报（勾选后可批量退回或驳回）</caption><thead><tr><th scope="col">选择</th>'
        '<th scope="col">申报项目</th><th scope="col">申报单位</th><th scope="col">所在区</th><th scope="col">赛道</th>'
        '<th scope="col">状态</th><th scope="col">资格审查结果</th><th scope="col">提交时间（北京时间）</th></tr>'
        f"</thead><tbody>{body_rows}</tbody></table>"
    )
    hidden = "".join(f'<input type="hidden" name="{k}" value="{esc(v)}">' for k, v in filters.params().items() if v)
    error_html = f'<p class="error" id="bulk-error" role="alert">{esc(error)}</p>' if error else ""
    described = ' aria-describedby="bulk-error" aria-invalid="true"' if error else ""
    bulk = (
        f'<form method="post" id="bulk" action="{screening_url(round_id)}">{csrf_field(scope)}{hidden}'
        f'<label for="bulk-action">批量操作</label><select id="bulk-action" name="action">'
        f"{options(BULK_ZH.items(), 'return_for_revision')}</select>"
        f'<label for="bulk-reason">原因（申报单位可见，必填）</label>'
        f'<textarea id="bulk-reason" name="reason" rows="2"{described}></textarea>{error_html}'
        '<button type="submit">对勾选的申报执行</button></form>'
    )
    notice = f'<div class="notice" role="status">{message}</div>' if message else ""
    review = f'<p><a href="/admin/rounds/{round_id}/review">本轮专家评审：分配、进度与催办</a></p>'
    body = (
        f"{notice}{review}<section aria-labelledby='s-filter'><h2 id='s-filter'>筛选</h2>"
        f"{await _filter_form(round_id, filters)}</section>"
        f"<section aria-labelledby='s-list'><h2 id='s-list'>申报列表</h2>"
        f"{_pager(round_id, filters, paging, rows.total)}{table}</section>"
        f"<section aria-labelledby='s-bulk'><h2 id='s-bulk'>批量退回 / 驳回</h2>{bulk}</section>"
    )
    return page(f"资格审查：{round_row['title']}", body, status=status)


async def bulk_decide(
    scope: dict[str, Any], principal: Principal, round_id: int, form: dict[str, list[str]]
) -> Response:
    """The ticked rows, returned or rejected one by one (each in its own transaction); a result per row."""
    from programmes.applications.officer_actions import act_in_bulk

    await _round(principal, round_id)
    params = {k: first(form, k) for k in _FILTERS}
    action = first(form, "action")
    ticked = [int(v) for v in form.get("ids", []) if v.isdigit() and len(v) <= 9]

    def refuse(detail: str) -> Awaitable[Response]:
        return screening_page(scope, principal, round_id, params, error=detail, status=422)

    if action not in BULK_ZH:
        return await refuse("请选择批量操作（退回修改或驳回）")
    if not ticked:
        return await refuse("请至少勾选一件申报")
    try:
        checked = OfficerAction(action=action, application_ids=ticked, reason=first(form, "reason"))
    except ValidationError:
        return await refuse("一次最多处理 500 件，原因最多 1000 个字")
    if not checked.reason.strip():
        return await refuse("退回修改和驳回须填写原因")
    # Only this round's rows in the caller's scope: a forged id of another round is reported, never touched.
    in_round = {
        r["id"]
        for r in await Application.select(Application.id).where(
            Application.id.is_in(ticked), *Filters().where(principal, round_id)
        )
    }
    results = await act_in_bulk(principal, [i for i in ticked if i in in_round], action, checked.reason)
    done = [str(r.application_id) for r in results if r.ok]
    failed = [f"{r.application_id}：{r.detail}" for r in results if not r.ok]
    failed += [f"{i}：不属于本轮或不在您的管辖范围内" for i in ticked if i not in in_round]
    message = f"<p>{esc(BULK_ZH[action])}成功 {len(done)} 件{('：' + esc('、'.join(done))) if done else ''}。</p>"
    if failed:
        message += f"<p>未处理 {len(failed)} 件：</p><ul>{''.join(f'<li>{esc(f)}</li>' for f in failed)}</ul>"
    return await screening_page(scope, principal, round_id, params, message=message)


async def screening_xlsx(principal: Principal, round_id: int, params: dict[str, str]) -> Response:
    """The current filter, every page of it, as one xlsx (what the officer is looking at)."""
    kind = (await _round(principal, round_id))["kind"]
    filters = Filters.parse(params)
    query = Application.select(*_columns()).where(*filters.where(principal, round_id)).order_by(Application.id)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("资格审查")
    sheet.append(["申报编号", "申报项目", "申报单位", "所在区", "赛道", "状态", "资格审查结果", "提交时间（北京时间）"])
    for r in await query.limit(EXPORT_ROWS_MAX):
        sheet.append(
            [
                r["id"],
                r["title"],
                r["organisation_name"],
                _district(r["organisation_district"]),
                r["track_name"] or "",
                status_zh(kind, r["status"]),
                OUTCOME_ZH.get(r["eligibility_outcome"], r["eligibility_outcome"]),
                shown(r["submitted_at"]).replace(tzinfo=None) if r["submitted_at"] else None,
            ]
        )
    data = io.BytesIO()
    workbook.save(data)
    name = f"round-{round_id}-screening.xlsx"
    return Response(data.getvalue(), media_type=XLSX, headers={"Content-Disposition": f'attachment; filename="{name}"'})
