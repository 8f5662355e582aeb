"""What the review page reads: the round (in the officer's scope), names for ids, and the review progress per expert
and per application. Reads only; every write is a service call in app.admin.pages.review.

Scope is the API's: the round is loaded with ``load`` (the uniform 404 outside a district officer's district) and
every row is filtered by ``staff_filter`` as well. Whatever the page size, names and counts are read in bulk: the
experts' table is three grouped queries, the applications' one page plus one query for their assignments.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from piccolo.query.functions.aggregate import Count, Min

from app.access import load, staff_filter
from app.admin.pages.html import esc, status_zh, when
from app.admin.pages.reader import application_url
from app.auth.principal import Principal
from app.auth.tables import Account, Role
from app.paging import Page, PageParams, fetch_page
from app.reference import DISTRICT_NAMES_ZH, District
from app.timezone import now_utc
from programmes.catalogue.access import ROUNDS  # noqa: F401 — declares the policy load() reads
from programmes.tables import Application, Round
from programmes.workflows import APPLICATION
from programmes.workflows.contest import CONTEST_ROUND
from programmes.workflows.review import REVIEW_ASSIGNMENT, ReviewAssignmentStatus
from scoring.tables import ReviewAssignment

EXPERTS_SHOWN = 500  # the pool is a few hundred people; a longer list says so
NAMES_LIMIT = 500  # the manual-assignment pickers


def review_url(round_id: int) -> str:
    return f"/admin/rounds/{round_id}/review"


def ranking_url(round_id: int) -> str:
    return f"/admin/rounds/{round_id}/ranking"


@dataclass(frozen=True)
class ReviewRound:
    id: int
    title: str
    kind: str
    status: str
    reviews_per_application: int
    blind: bool
    closes_at: Any

    @property
    def status_zh(self) -> str:
        return CONTEST_ROUND.states.get(self.status, self.status)


async def review_round(principal: Principal, round_id: int) -> ReviewRound:
    columns = (Round.id, Round.name, Round.scope_district, Round.status, Round.reviews_per_application, Round.blind)
    row = await load(principal, Round, round_id, columns=(*columns, Round.closes_at))
    edition: Any = Round.edition
    names = (
        await Round.select(edition.title, edition.programme.kind.as_alias("kind")).where(Round.id == round_id).first()
    )
    assert names is not None
    return ReviewRound(
        id=round_id,
        title=f"{names['edition.title']} · {row['name']}",
        kind=names["kind"],
        status=row["status"],
        reviews_per_application=row["reviews_per_application"],
        blind=row["blind"],
        closes_at=row["closes_at"],
    )


def district_zh(value: str | None) -> str:
    return DISTRICT_NAMES_ZH[District(value)] if value and value in District.__members__ else "—"


async def expert_names(ids: Iterable[int]) -> dict[int, str]:
    """Display names of experts (their username where none was given): one query."""
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    user: Any = Account.user
    rows = await Account.select(Account.user, Account.display_name, user.username.as_alias("username")).where(
        Account.user.is_in(wanted)
    )
    shown = {r["user"]: r["display_name"] or r["username"] for r in rows}
    # Display names are not unique: two experts of one name are told apart by their usernames.
    taken = list(shown.values())
    return {
        r["user"]: f"{shown[r['user']]}（{r['username']}）" if taken.count(shown[r["user"]]) > 1 else shown[r["user"]]
        for r in rows
    }


async def application_names(ids: Iterable[int]) -> dict[int, str]:
    """「项目名称（申报单位）」 per application: one query."""
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    org: Any = Application.organisation
    rows = await Application.select(Application.id, Application.title, org.name.as_alias("org")).where(
        Application.id.is_in(wanted)
    )
    return {r["id"]: f"{r['title']}（{r['org']}）" for r in rows}


async def reviewable_choices(principal: Principal, round_id: int) -> list[tuple[str, str]]:
    """The round's applications that may get an expert (the manual-assignment picker), by id."""
    org: Any = Application.organisation
    rows = (
        await Application.select(Application.id, Application.title, org.name.as_alias("org"))
        .where(
            (Application.round == round_id) & Application.status.is_in(APPLICATION.states_with("reviewable")),
            *staff_filter(principal, Application.scope_district),
        )
        .order_by(Application.id)
        .limit(NAMES_LIMIT)
    )
    return [(str(r["id"]), f"{r['title']}（{r['org']}）") for r in rows]


async def expert_choices() -> list[tuple[str, str]]:
    """The expert pool (the same pool the solver draws from), by name."""
    user: Any = Account.user
    rows = (
        await Account.select(Account.user, Account.display_name, user.username.as_alias("username"))
        .where(Account.role == Role.expert.value)
        .order_by(Account.display_name)
        .order_by(Account.user)
        .limit(NAMES_LIMIT)
    )
    return [(str(r["user"]), f"{r['display_name'] or r['username']}（{r['username']}）") for r in rows]


def _of_round(principal: Principal, round_id: int) -> list[Any]:
    return [ReviewAssignment.application._.round == round_id, *staff_filter(principal, ReviewAssignment.scope_district)]


async def expert_progress(principal: Principal, round_id: int) -> str:
    """Per expert: assigned (still to score), submitted, declined, removed or withdrawn, overdue, next due date."""
    where = _of_round(principal, round_id)
    counts: dict[int, dict[str, int]] = {}
    for r in (
        await ReviewAssignment.select(ReviewAssignment.expert, ReviewAssignment.status, Count(alias="n"))
        .where(*where)
        .group_by(ReviewAssignment.expert, ReviewAssignment.status)
    ):
        counts.setdefault(r["expert"], {})[r["status"]] = r["n"]
    is_open = ReviewAssignment.status == ReviewAssignmentStatus.assigned
    next_due = {
        r["expert"]: r["next_due"]
        for r in await ReviewAssignment.select(ReviewAssignment.expert, Min(ReviewAssignment.due_at, alias="next_due"))
        .where(*where, is_open)
        .group_by(ReviewAssignment.expert)
    }
    late = {
        r["expert"]: r["n"]
        for r in await ReviewAssignment.select(ReviewAssignment.expert, Count(alias="n"))
        .where(*where, is_open, ReviewAssignment.due_at < now_utc())
        .group_by(ReviewAssignment.expert)
    }
    if not counts:
        return "<p>本轮尚未分配评审专家。</p>"
    names = await expert_names(counts)
    ordered = sorted(counts, key=lambda e: (names.get(e, ""), e))
    rows = []
    for expert in ordered[:EXPERTS_SHOWN]:
        c = counts[expert]
        ended = c.get("removed", 0) + c.get("retracted", 0)
        overdue = late.get(expert, 0)
        rows.append(
            f"<tr><td>{esc(names.get(expert, '—'))}</td><td>{sum(c.values())}</td><td>{c.get('assigned', 0)}</td>"
            f"<td>{c.get('submitted', 0)}</td><td>{c.get('declined', 0)}</td><td>{ended}</td>"
            f"<td{' class=error' if overdue else ''}>{overdue}</td><td>{when(next_due.get(expert))}</td></tr>"
        )
    more = f"<p>共 {len(ordered)} 位专家，仅列出前 {EXPERTS_SHOWN} 位。</p>" if len(ordered) > EXPERTS_SHOWN else ""
    return (
        '<table><caption>按专家统计（逾期：截止时间已过仍未提交评分）</caption><thead><tr><th scope="col">评审专家</th>'
        '<th scope="col">分配总数</th><th scope="col">待评审</th><th scope="col">已提交评分</th>'
        '<th scope="col">已回避</th><th scope="col">已撤销或撤回</th><th scope="col">已逾期</th>'
        f'<th scope="col">最近截止时间（北京时间）</th></tr></thead><tbody>{"".join(rows)}</tbody></table>{more}'
    )


@dataclass(frozen=True)
class ApplicationProgress:
    table: str  # the page's applications with their assignments
    page: Page[Any]
    assignments: list[tuple[str, str]]  # (assignment id, label) of the page, for the remove/reopen picker


async def application_progress(principal: Principal, review: ReviewRound, paging: PageParams) -> ApplicationProgress:
    """One page of the round's applications in review (or waiting for experts), each with its assignments."""
    org: Any = Application.organisation
    query = Application.select(
        Application.id,
        Application.title,
        org.name.as_alias("organisation_name"),
        Application.organisation_district,
        Application.status,
    ).order_by(Application.id)
    states = sorted(set(APPLICATION.states_with("reviewable")) | set(APPLICATION.states_with("in_ranking")))
    page = await fetch_page(
        Application,
        query,
        paging,
        (Application.round == review.id) & Application.status.is_in(states),
        *staff_filter(principal, Application.scope_district),
    )
    ids = [a["id"] for a in page.items]
    assignments = (
        await ReviewAssignment.select(
            ReviewAssignment.id,
            ReviewAssignment.application,
            ReviewAssignment.expert,
            ReviewAssignment.status,
            ReviewAssignment.due_at,
        )
        .where(ReviewAssignment.application.is_in(ids or [0]))
        .order_by(ReviewAssignment.application)
        .order_by(ReviewAssignment.id)
    )
    names = await expert_names(a["expert"] for a in assignments)
    by_application: dict[int, list[dict[str, Any]]] = {}
    for a in assignments:
        by_application.setdefault(a["application"], []).append(a)
    now = now_utc()
    rows, picker = [], []
    for app in page.items:
        held = by_application.get(app["id"], [])
        done = sum(1 for a in held if a["status"] == ReviewAssignmentStatus.submitted)
        live = sum(1 for a in held if REVIEW_ASSIGNMENT.has(a["status"], "live"))
        items = []
        for a in held:
            late = a["status"] == ReviewAssignmentStatus.assigned and a["due_at"] is not None and a["due_at"] < now
            state = REVIEW_ASSIGNMENT.states.get(a["status"], a["status"])
            due = f"，截止 {when(a['due_at'])}" if a["status"] == ReviewAssignmentStatus.assigned else ""
            flag = '<span class="error">（已逾期）</span>' if late else ""
            items.append(f"<li>{esc(names.get(a['expert'], '—'))}：{esc(state)}{esc(due)}{flag}</li>")
            if a["status"] in (ReviewAssignmentStatus.assigned, ReviewAssignmentStatus.submitted):
                picker.append((str(a["id"]), f"{app['title']} — {names.get(a['expert'], '—')}（{state}）"))
        rows.append(
            f'<tr><td><a href="{application_url(app["id"])}">{esc(app["title"])}</a></td>'
            f"<td>{esc(app['organisation_name'])}</td><td>{esc(district_zh(app['organisation_district']))}</td>"
            f"<td>{esc(status_zh(review.kind, app['status']))}</td>"
            f"<td>{done} / {review.reviews_per_application}（在评 {live}）</td>"
            f"<td><ul>{''.join(items) or '<li>尚无专家</li>'}</ul></td></tr>"
        )
    table = (
        "<table><caption>按申报统计（已评：已提交评分的专家数 / 每件应评专家数）</caption><thead><tr>"
        '<th scope="col">申报项目</th><th scope="col">申报单位</th><th scope="col">所在区</th><th scope="col">状态</th>'
        f'<th scope="col">已评 / 应评</th><th scope="col">评审专家</th></tr></thead><tbody>{"".join(rows)}</tbody>'
        "</table>"
    )
    return ApplicationProgress(table, page, picker)
