"""The figures of the officers' overview (/admin/overview): one grouped query per section, scoped like the API.

Every query filters on its table's ``scope_district`` the way ``app.access.staff_filter`` does: city staff see every
row, a district officer only their district's. Names, not ids (programme, round, fund source, district in Chinese),
statuses by their workflow labels, money in 元 (fen / 100, kept as ``Decimal`` so the xlsx sums exactly).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from app.auth.principal import Principal
from app.reference import DISTRICT_NAMES_ZH, District
from app.timezone import now_utc, shown, today_shanghai
from app.workflow.registry import binding_of
from programmes.exports.money import MEASURES_ZH, money_summary_sheets
from programmes.ledger.service import kind_sums_sql, net_obligation
from programmes.ledger.tables import LedgerEntry, LedgerKind
from programmes.matching.impact import ImpactView, impact
from programmes.matching.schemas_case import ImpactFilters
from programmes.risk.service import KIND_ZH
from programmes.xlsx_export import Cell

YUAN = "#,##0.00"


@dataclass(frozen=True)
class Chart:
    """How a section is drawn: bars per row, labelled by the columns ``label`` (joined with ·), one series per
    column in ``series``."""

    label: Sequence[int]
    series: Sequence[int]
    horizontal: bool = False
    skip_last: bool = False  # the table ends with a 合计 row the chart leaves out


@dataclass(frozen=True)
class Section:
    key: str  # the xlsx download's name: /admin/overview/<key>.xlsx
    title: str
    note: str
    headers: Sequence[str]
    rows: list[list[Cell]]
    chart: Chart | None = None
    money_columns: Sequence[int] = field(default_factory=tuple)


def district_name(code: str | None) -> str:
    if not code:
        return "市级"
    try:
        return DISTRICT_NAMES_ZH[District(code)]
    except ValueError:
        return code


def status_name(tablename: str, code: str) -> str:
    for workflow in binding_of(tablename).workflows:
        if code in workflow.states:
            return workflow.states[code]
    return code


def yuan(fen: int) -> Decimal:
    return (Decimal(int(fen)) / 100).quantize(Decimal("0.01"))


def _scope(alias: str) -> str:
    """City staff pass NULL (every row); a district officer their district. Takes the district twice, as
    parameters (``_in(district)``)."""
    return f"({{}}::varchar IS NULL OR {alias}.scope_district = {{}}::varchar)"


def _in(district: str | None) -> tuple[str | None, str | None]:
    return (district, district)


async def _rows(sql: str, *args: Any) -> list[dict[str, Any]]:
    # Every value travels as a query parameter; the SQL text is built from constants only.
    return list(await LedgerEntry.raw(sql, *args))


def scope_of(principal: Principal) -> str | None:
    return None if principal.is_city_staff else principal.district


async def open_calls(district: str | None) -> Section:
    rows = await _rows(
        "SELECT p.name AS programme, r.name AS round, r.closes_at, r.scope_district,"  # noqa: S608
        " count(a.id) FILTER (WHERE a.submitted_at IS NOT NULL) AS submitted"
        " FROM round r JOIN edition e ON e.id = r.edition JOIN programme p ON p.id = e.programme"
        " LEFT JOIN application a ON a.round = r.id"
        f" WHERE r.status = 'open' AND {_scope('r')}"
        " GROUP BY r.id, p.name ORDER BY r.closes_at, r.id",
        *_in(district),
    )
    return Section(
        "open_calls",
        "征集中的轮次与截止时间",
        "截止时间为北京时间；已提交数含之后被退回或撤回的申报",
        ("项目", "轮次", "管辖范围", "截止时间（北京时间）", "已提交申报"),
        [
            [
                r["programme"],
                r["round"],
                district_name(r["scope_district"]),
                shown(r["closes_at"]).strftime("%Y-%m-%d %H:%M"),
                int(r["submitted"]),
            ]
            for r in rows
        ],
        Chart(label=(0, 1), series=(4,), horizontal=True),
    )


async def applications(district: str | None) -> Section:
    rows = await _rows(
        "SELECT a.status, coalesce(t.name, '') AS track, a.organisation_district AS district, count(*) AS n"  # noqa: S608
        " FROM application a LEFT JOIN track t ON t.id = a.track"
        f" WHERE {_scope('a')} GROUP BY a.status, t.name, a.organisation_district"
        " ORDER BY a.status, t.name NULLS FIRST, a.organisation_district NULLS FIRST",
        *_in(district),
    )
    return Section(
        "applications",
        "申报情况（按状态、赛道、申报机构所在区）",
        "图表按状态汇总；表格列出每个状态、赛道、区的组合",
        ("状态", "赛道", "申报机构所在区", "申报数"),
        [
            [
                status_name("application", r["status"]),
                r["track"] or "（未分赛道）",
                district_name(r["district"]),
                int(r["n"]),
            ]
            for r in rows
        ],
        Chart(label=(0,), series=(3,)),
    )


async def review_progress(district: str | None) -> Section:
    rows = await _rows(
        "SELECT p.name AS programme, r.name AS round, count(*) AS total,"  # noqa: S608
        " count(*) FILTER (WHERE ra.status = 'submitted') AS done,"
        " count(*) FILTER (WHERE ra.status <> 'submitted' AND ra.due_at < {}) AS overdue"
        " FROM review_assignment ra JOIN application a ON a.id = ra.application JOIN round r ON r.id = a.round"
        " JOIN edition e ON e.id = r.edition JOIN programme p ON p.id = e.programme"
        f" WHERE {_scope('ra')} GROUP BY r.id, p.name ORDER BY r.id",
        now_utc(),
        *_in(district),
    )
    return Section(
        "review_progress",
        "评审进度（按轮次）",
        "逾期：已过评审截止时间仍未提交的评审任务",
        ("项目", "轮次", "评审任务", "已完成", "未完成", "其中逾期"),
        [
            [
                r["programme"],
                r["round"],
                int(r["total"]),
                int(r["done"]),
                int(r["total"]) - int(r["done"]),
                int(r["overdue"]),
            ]
            for r in rows
        ],
        Chart(label=(0, 1), series=(3, 4, 5), horizontal=True),
    )


async def notices(district: str | None) -> Section:
    rows = await _rows(
        "SELECT p.name AS programme, r.name AS round, pub.ends_at,"  # noqa: S608
        " count(o.id) FILTER (WHERE o.status = 'open') AS open_objections, count(o.id) AS objections"
        " FROM publication pub JOIN round r ON r.id = pub.round JOIN edition e ON e.id = r.edition"
        " JOIN programme p ON p.id = e.programme LEFT JOIN objection o ON o.publication = pub.id"
        f" WHERE pub.status = 'published' AND {_scope('pub')} GROUP BY pub.id, r.name, p.name ORDER BY pub.ends_at",
        *_in(district),
    )
    return Section(
        "notices",
        "公示中的轮次与待处理异议",
        "公示截止为北京时间",
        ("项目", "轮次", "公示截止（北京时间）", "待处理异议", "异议总数"),
        [
            [
                r["programme"],
                r["round"],
                shown(r["ends_at"]).strftime("%Y-%m-%d %H:%M"),
                int(r["open_objections"]),
                int(r["objections"]),
            ]
            for r in rows
        ],
        Chart(label=(0, 1), series=(3, 4), horizontal=True),
    )


def _ledger_columns() -> str:
    return kind_sums_sql("l")


async def money_by_fund_source(district: str | None) -> Section:
    """The 资金汇总 export's own sheet (programmes.exports.money), so the page and the export never disagree."""
    by_source = (await money_summary_sheets(district))[0]
    labels = 2  # 资金来源, 类型; then five measures in 元 and the same five in 分
    return Section(
        "money_by_fund_source",
        "资金（按资金来源，元）",
        "已承诺 = 资助承诺 − 冲回 − 追回退款；可用余额 = 预算 − 已承诺；已拨付为实际支付",
        [*by_source.headers[: labels + len(MEASURES_ZH)]],
        [list(row[: labels + len(MEASURES_ZH)]) for row in by_source.rows],
        Chart(label=(0,), series=(2, 3, 4, 6), skip_last=True),
        money_columns=tuple(range(labels, labels + len(MEASURES_ZH))),
    )


async def money_by_district(district: str | None) -> Section:
    """By the recipient's district: the payee organisation of an award, the organisation of a 聚力计划 order."""
    rows = await _rows(
        "SELECT coalesce(pa.district, po.district) AS district, "  # noqa: S608
        + _ledger_columns()
        + " FROM ledger_entry l LEFT JOIN award aw ON aw.id = l.award LEFT JOIN organisation pa ON pa.id = aw.payee"
        " LEFT JOIN match_order mo ON mo.id = l.match_order LEFT JOIN organisation po ON po.id = mo.organisation"
        f" WHERE {_scope('l')} GROUP BY 1 ORDER BY 1 NULLS LAST",
        *_in(district),
    )
    return Section(
        "money_by_district",
        "资金（按受资助机构所在区，元）",
        "含大赛、创投资助和聚力计划服务订单",
        ("受资助机构所在区", "已承诺", "已支付"),
        [[district_name(r["district"]), yuan(net_obligation(r)), yuan(r[LedgerKind.disbursement.value])] for r in rows],
        Chart(label=(0,), series=(1, 2)),
        money_columns=(1, 2),
    )


async def supervision(district: str | None) -> Section:
    rows = await _rows(
        "SELECT '逾期未交报告' AS what, count(*) AS n FROM progress_report pr"  # noqa: S608
        f" WHERE pr.status IN ('due', 'returned') AND pr.due_on < {{}} AND {_scope('pr')}"
        " UNION ALL SELECT '待处理预警：' || w.kind, count(*) FROM risk_warning w"
        f" WHERE w.status = 'open' AND {_scope('w')} GROUP BY w.kind",
        today_shanghai(),
        *_in(district),
        *_in(district),
    )
    labels = KIND_ZH
    table: list[list[Cell]] = []
    for r in rows:
        what = str(r["what"])
        if what.startswith("待处理预警："):
            code = what.removeprefix("待处理预警：")
            what = "待处理预警：" + labels.get(code, code)
        table.append([what, int(r["n"])])
    return Section(
        "supervision",
        "逾期报告与待处理预警",
        "逾期：到期日（北京时间）已过仍待提交或退回待改的进度报告",
        ("事项", "数量"),
        table,
        Chart(label=(0,), series=(1,), horizontal=True),
    )


async def matching(principal: Principal) -> Section:
    """聚力计划 per district: the API's own impact figures (GET /matching/impact?view=district)."""
    rows = await impact(principal, ImpactView.district, ImpactFilters())
    return Section(
        "matching",
        "聚力计划对接（按需求所在区）",
        "与「对接成效」接口的数字一致",
        ("区", "发布需求", "已对接", "已完成服务", "服务人次"),
        [[r.label, r.demands_published, r.demands_matched, r.demands_delivered, r.beneficiaries_served] for r in rows],
        Chart(label=(0,), series=(1, 2, 3)),
    )


async def camps(district: str | None) -> Section:
    rows = await _rows(
        "SELECT c.title, c.status, c.capacity, c.scope_district,"  # noqa: S608
        " count(g.id) FILTER (WHERE g.status = 'registered') AS registered,"
        " count(g.id) FILTER (WHERE g.status = 'waitlisted') AS waitlisted"
        " FROM camp c LEFT JOIN camp_registration g ON g.camp = c.id"
        f" WHERE c.status IN ('open', 'closed') AND {_scope('c')} GROUP BY c.id ORDER BY c.id",
        *_in(district),
    )
    return Section(
        "camps",
        "训练营报名",
        "报名中和报名截止的训练营",
        ("训练营", "状态", "管辖范围", "名额", "已报名", "候补"),
        [
            [
                r["title"],
                status_name("camp", r["status"]),
                district_name(r["scope_district"]),
                int(r["capacity"]),
                int(r["registered"]),
                int(r["waitlisted"]),
            ]
            for r in rows
        ],
        Chart(label=(0,), series=(3, 4, 5), horizontal=True),
    )


async def overview(principal: Principal) -> list[Section]:
    """Every section, in the page's order (a handful of grouped queries in all, none per row)."""
    district = scope_of(principal)
    return [
        await open_calls(district),
        await applications(district),
        await review_progress(district),
        await notices(district),
        await money_by_fund_source(district),
        await money_by_district(district),
        await supervision(district),
        await matching(principal),
        await camps(district),
    ]
