"""The overview as one server-rendered HTML page: per section an inline SVG chart (pygal), its numbers as a table
and an xlsx link. No script and nothing from a CDN (the back office runs on an intranet)."""

from __future__ import annotations

import html
import re
from decimal import Decimal
from functools import cache
from typing import Any

from app.admin.overview.sections import Section, district_name
from app.auth.principal import Principal
from app.timezone import now_utc, shown
from programmes.xlsx_export import Cell


@cache
def _style() -> Any:
    """Dark enough colours for 3:1 contrast against white (WCAG 1.4.11), in the order of each chart's series.
    pygal is imported on first use: it costs a quarter second of every process's start otherwise."""
    from pygal.style import Style

    return Style(
        background="white",
        plot_background="white",
        foreground="#1f2937",
        foreground_strong="#111827",
        foreground_subtle="#4b5563",
        colors=("#1d4ed8", "#b45309", "#047857", "#b91c1c", "#6d28d9"),
        font_family="'Noto Sans CJK SC', 'Noto Sans SC', sans-serif",
        label_font_size=12,
        major_label_font_size=12,
        legend_font_size=12,
        title_font_size=14,
        value_font_size=11,
    )


_SCRIPT = re.compile(r"<script\b.*?</script>", re.DOTALL)


def _number(value: Cell) -> float:
    return float(value) if isinstance(value, int | float | Decimal) and not isinstance(value, bool) else 0.0


def chart_svg(section: Section) -> str:
    """The section's chart as an inline ``<svg>`` (pygal renders it on the server), or "" for an empty section."""
    chart_spec = section.chart
    if chart_spec is None or not section.rows:
        return ""
    import pygal

    kind = pygal.HorizontalBar if chart_spec.horizontal else pygal.Bar
    chart = kind(
        style=_style(),
        width=720,
        height=max(240, 36 * len(section.rows) + 120) if chart_spec.horizontal else 320,
        disable_xml_declaration=True,
        js=[],  # pygal links its tooltip script from a CDN by default: never
        show_legend=len(chart_spec.series) > 1,
        legend_at_bottom=True,
        x_label_rotation=0 if chart_spec.horizontal else 20,
        print_values=False,
        explicit_size=True,
        truncate_label=-1,  # names are shown whole (pygal cuts them at a few characters by default)
        truncate_legend=-1,
    )
    chart.title = section.title
    rows = section.rows[:-1] if chart_spec.skip_last else section.rows
    if not any(_number(row[column]) for row in rows for column in chart_spec.series):
        return '<p class="empty">各项均为 0，未绘制图表</p>'
    labels = ["·".join(str(row[column]) for column in chart_spec.label) for row in rows]
    if chart_spec.label == (0,) and chart_spec.series == (len(section.headers) - 1,) and len(set(labels)) < len(labels):
        # Several rows per label (applications per status × track × district): the chart sums them per label.
        totals: dict[str, float] = {}
        for row in rows:
            totals[str(row[0])] = totals.get(str(row[0]), 0.0) + _number(row[-1])
        chart.x_labels = list(totals)
        chart.add(section.headers[-1], list(totals.values()))
    else:
        chart.x_labels = labels
        for column in chart_spec.series:
            chart.add(section.headers[column], [_number(row[column]) for row in rows])
    # pygal always writes its tooltip config as an inline <script>; the page runs no script, so it goes.
    svg = _SCRIPT.sub("", str(chart.render(is_unicode=True)))
    # The chart is described by the table under it; screen readers get its title, not every bar.
    return svg.replace("<svg ", f'<svg role="img" aria-label="{html.escape(section.title)}（数据见下表）" ', 1)


def _cell(value: Cell, money: bool) -> str:
    if money and isinstance(value, Decimal):
        return f"{value:,.2f}"
    return html.escape("" if value is None else str(value))


def _table(section: Section) -> str:
    if not section.rows:
        return '<p class="empty">暂无数据</p>'
    head = "".join(f'<th scope="col">{html.escape(h)}</th>' for h in section.headers)
    body = []
    for row in section.rows:
        cells = []
        for index, value in enumerate(row):
            numeric = isinstance(value, int | Decimal) and not isinstance(value, bool)
            tag = "th" if index == 0 else "td"
            scope = ' scope="row"' if index == 0 else ""
            css = ' class="num"' if numeric else ""
            cells.append(f"<{tag}{scope}{css}>{_cell(value, index in section.money_columns)}</{tag}>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return (
        f"<table><caption>{html.escape(section.title)}（数据表）</caption><thead><tr>{head}</tr></thead>"
        f"<tbody>{''.join(body)}</tbody></table>"
    )


_CSS = """
body{font-family:'Noto Sans CJK SC','Noto Sans SC',sans-serif;margin:0;color:#111827;background:#f3f4f6}
header{background:#1e3a8a;color:#fff;padding:12px 24px}header a{color:#fff}
main{padding:16px 24px;max-width:1200px}h1{font-size:22px;margin:0}
section{background:#fff;border:1px solid #d1d5db;border-radius:6px;margin:16px 0;padding:12px 16px}
h2{font-size:18px;margin:4px 0 8px}p.note{color:#374151;margin:0 0 8px}
table{border-collapse:collapse;margin:8px 0;min-width:50%}caption{text-align:left;font-weight:bold;padding:4px 0}
th,td{border:1px solid #d1d5db;padding:4px 8px;text-align:left}td.num,th.num{text-align:right}
thead th{background:#e5e7eb}a.download{font-weight:bold;color:#1d4ed8}
.chart svg{max-width:100%;height:auto}nav ul{list-style:none;padding:0;display:flex;flex-wrap:wrap;gap:12px}
nav a{color:#1d4ed8}
"""


def page(principal: Principal, sections: list[Section]) -> str:
    scope = "全市" if principal.is_city_staff else f"本区（{district_name(principal.district)}）"
    toc = "".join(f'<li><a href="#{s.key}">{html.escape(s.title)}</a></li>' for s in sections)
    parts = []
    for s in sections:
        parts.append(
            f'<section id="{s.key}" aria-labelledby="{s.key}-title"><h2 id="{s.key}-title">{html.escape(s.title)}</h2>'
            f'<p class="note">{html.escape(s.note)}</p><div class="chart">{chart_svg(s)}</div>{_table(s)}'
            f'<p><a class="download" href="/admin/overview/{s.key}.xlsx" download>下载「{html.escape(s.title)}」'
            "（xlsx）</a></p></section>"
        )
    generated = shown(now_utc()).strftime("%Y-%m-%d %H:%M")
    return (
        '<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>首页概览 · Seedbed 社会组织项目管理后台</title><style>{_CSS}</style></head><body>"
        f"<header><h1>首页概览</h1><p>范围：{html.escape(scope)}；数据时间：{generated}（北京时间）。"
        '<a href="/admin/">进入后台管理</a></p></header>'
        f'<main><nav aria-label="概览目录"><ul>{toc}</ul></nav>{"".join(parts)}</main></body></html>'
    )
