"""Pieces the programme pages (聚力计划, 沪社星耀, 训练营) share: a labelled table, a one-button POST form with its
CSRF field, the notice/error lines and the district's Chinese name. Values are escaped here or by the caller with
``esc`` (cells passed as ``Html`` are already markup)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from app.admin.pages.html import csrf_field, esc, query_string
from app.paging import PageParams
from app.reference import DISTRICT_NAMES_ZH, District
from app.types import ID_MAX, ID_MIN


class Html(str):
    """A cell that is already markup (a link, a form): ``table`` does not escape it again."""


def district_zh(value: str | None, *, none: str = "全市") -> str:
    return DISTRICT_NAMES_ZH[District(value)] if value and value in District.__members__ else none


def table(caption: str, headers: Sequence[str], rows: Iterable[Sequence[Any]], *, empty: str = "暂无记录") -> str:
    body = "".join(
        "<tr>" + "".join(f"<td>{cell if isinstance(cell, Html) else esc(cell)}</td>" for cell in row) + "</tr>"
        for row in rows
    )
    if not body:
        return f"<p>{esc(caption)}：{esc(empty)}。</p>"
    head = "".join(f'<th scope="col">{esc(h)}</th>' for h in headers)
    return f"<table><caption>{esc(caption)}</caption><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def link(url: str, text: Any) -> Html:
    return Html(f'<a href="{esc(url)}">{esc(text)}</a>')


def button_form(scope: dict[str, Any], url: str, label: str, hidden: dict[str, Any], *, name: str = "") -> Html:
    """One action as a POST with its CSRF field; ``name`` gives the button an accessible name beyond its label."""
    fields = "".join(f'<input type="hidden" name="{esc(k)}" value="{esc(v)}">' for k, v in hidden.items())
    aria = f' aria-label="{esc(name)}"' if name else ""
    return Html(
        f'<form method="post" action="{esc(url)}" style="display:inline">{csrf_field(scope)}{fields}'
        f'<button type="submit"{aria}>{esc(label)}</button></form>'
    )


def reason_form(
    scope: dict[str, Any],
    url: str,
    label: str,
    hidden: dict[str, Any],
    *,
    field_id: str,
    reason_label: str = "原因",
    error: str = "",
    extra: str = "",
) -> Html:
    """An action that needs a reason: the field, its label and, when refused, the message next to it."""
    fields = "".join(f'<input type="hidden" name="{esc(k)}" value="{esc(v)}">' for k, v in hidden.items())
    described = f' aria-describedby="{field_id}-error" aria-invalid="true"' if error else ""
    message = f'<p class="error" id="{field_id}-error" role="alert">{esc(error)}</p>' if error else ""
    return Html(
        f'<form method="post" action="{esc(url)}">{csrf_field(scope)}{fields}{extra}'
        f'<label for="{field_id}">{esc(reason_label)}</label>'
        f'<input type="text" id="{field_id}" name="reason" maxlength="1000"{described}>{message}'
        f'<button type="submit">{esc(label)}</button></form>'
    )


def notice(text: str) -> str:
    return f'<p class="notice" role="status">{esc(text)}</p>' if text else ""


def alert(text: str) -> str:
    return f'<p class="error" role="alert">{esc(text)}</p>' if text else ""


def section(anchor: str, title: str, body: str) -> str:
    return f"<section aria-labelledby='s-{anchor}'><h2 id='s-{anchor}'>{esc(title)}</h2>{body}</section>"


def pager(url: str, paging: PageParams, total: int, params: dict[str, str] | None = None) -> str:
    """「共 N 条」 and the previous/next links of a list (the list's filters kept)."""
    base = (params or {}) | {"limit": str(paging.limit)}
    links = []
    if paging.offset > 0:
        back = base | {"offset": str(max(0, paging.offset - paging.limit))}
        links.append(f'<a href="{esc(url + query_string(back))}">上一页</a>')
    if paging.offset + paging.limit < total:
        links.append(
            f'<a href="{esc(url + query_string(base | {"offset": str(paging.offset + paging.limit)}))}">下一页</a>'
        )
    last = min(total, paging.offset + paging.limit)
    return f"<p>共 {total} 条，当前第 {paging.offset + 1 if total else 0}–{last} 条 {' '.join(links)}</p>"


def form_id(form: dict[str, list[str]], key: str) -> int | None:
    """A posted id field: digits within the id range, else None (the caller answers with a Chinese message)."""
    value = (form.get(key) or [""])[0].strip()
    return int(value) if value.isdigit() and ID_MIN <= int(value) <= ID_MAX else None
