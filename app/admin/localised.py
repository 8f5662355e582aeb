"""Piccolo Admin's own tables in Chinese: the schema and row answers rewritten on their way to the browser.

Piccolo Admin draws every list, detail page and filter sidebar from two JSON answers, and neither can be told
Chinese names through Piccolo's column options without a migration (titles come from field names; a column's
``choices`` are recorded in migrations). So this ASGI wrapper rewrites them (docs/adr/0017-admin-chinese-labels.md):

- ``/api/tables/<t>/schema/``: every property's ``title`` from app.admin.labels; ``extra.choices`` from
  app.admin.choices (Chinese ``display_name``, the code as ``value``: a dropdown in the filter sidebar and on the
  page, and the code is what a form submits). On read-only tables money (``*_fen``) and time columns become text
  (their values arrive as 元 and Beijing time, below) and leave the filter sidebar (a text filter on them fails).
- rows asked ``__readable=true`` (the admin's list and detail page always ask so): times as Beijing time without
  ``Z``, money in 元 — in lists always, on detail pages of read-only tables only (a writable table's form saves what
  it shows) — and a user key's name as the account's display name, read for the whole answer in one query.
- the page itself: ``lang="zh-CN"`` and one script, ``seedbed-labels.js`` (served here, same origin, no CDN), for
  what JSON cannot reach: the sidebar's and headings' table names (the bundle prints the table's code), the filter
  operators' English names, and Beijing as the time-zone of Piccolo's own date-time widget.
"""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from piccolo.apps.user.tables import BaseUser
from piccolo.columns.column_types import Timestamp, Timestamptz
from piccolo.table import Table
from starlette.responses import Response

from app.admin.choices import choice_labels
from app.admin.labels import TABLE_LABELS, column_label
from app.admin.pages.html import when
from app.admin.rewrite import content_type, rewrite_body
from app.auth.tables import Account
from app.money import yuan

SCRIPT_NAME = "seedbed-labels.js"
# An ASGI scope key (no client can set one) for in-process callers that format values themselves: the list's xlsx
# export reads codes, fen and ISO times and writes its own 元, Beijing times and names (app.admin.list_export).
RAW_ROWS = "seedbed.raw_rows"
_SCHEMA = re.compile(r"/api/tables/(?P<table>[a-z_]+)/schema/$")
_ROWS = re.compile(r"/api/tables/(?P<table>[a-z_]+)/(?:(?P<row>[^/]+)/)?$")
_NOT_ROWS = {"schema", "count", "ids", "new", "referencing_tables"}
_OPERATORS_ZH = {
    "Equals": "等于", "Not Equal": "不等于", "Less Than": "小于", "Less Than or Equal To": "小于等于",
    "Greater Than or Equal To": "大于等于", "Greater Than": "大于", "Contains": "包含", "Starts With": "开头是",
    "Ends With": "结尾是", "All": "全部", "Is Null": "为空", "Not Null": "不为空", "Include readable": "包含名称列",
    "Null": "（空）",
}  # fmt: skip

# Piccolo Admin's icon-only links, named by their Font Awesome icon.
_ICONS_ZH = {
    "pen-to-square": "编辑该记录", "plus": "新增", "ellipsis-vertical": "更多操作", "ellipsis": "更多操作",
    "caret-up": "排序", "caret-down": "排序", "angle-down": "展开", "xmark": "关闭", "times": "关闭", "trash": "删除",
    "magnifying-glass": "搜索", "search": "搜索", "bars": "菜单", "download": "下载", "filter": "筛选",
}  # fmt: skip

Transform = Callable[[bytes], Awaitable[bytes]]


def is_money(table: type[Table], name: str) -> bool:
    return name.endswith("_fen") and table._meta.get_column_by_name(name).value_type is int


def _time_columns(table: type[Table]) -> set[str]:
    return {c._meta.name for c in table._meta.columns if isinstance(c, (Timestamptz, Timestamp))}


def localised_schema(table: type[Table], schema: dict[str, Any], read_only: bool) -> dict[str, Any]:
    tablename = table._meta.tablename
    columns = {c._meta.name for c in table._meta.columns}
    money = {n for n in columns if is_money(table, n)}
    as_text = (money | _time_columns(table)) if read_only else set()
    for name, prop in schema.get("properties", {}).items():
        prop["title"] = column_label(tablename, name)
        labels = choice_labels(table, name) if name in columns else None
        if labels is not None:
            prop.setdefault("extra", {})["choices"] = {
                code: {"display_name": label, "value": code} for code, label in labels.items()
            }
        if name in as_text:
            prop.pop("format", None)
            prop.pop("anyOf", None)
            prop["anyOf"] = [{"type": "string"}, {"type": "null"}]
            prop.get("extra", {}).pop("widget", None)
    extra = schema.get("extra", {})
    if as_text and "visible_filter_names" in extra:
        extra["visible_filter_names"] = [n for n in extra["visible_filter_names"] if n not in as_text]
    return schema


def _shown_time(value: Any) -> Any:
    if not isinstance(value, str) or len(value) < 16 or value[4:5] != "-":
        return value
    try:
        return when(datetime.fromisoformat(value.replace("Z", "+00:00")))
    except ValueError:
        return value


async def _display_names(user_ids: set[int]) -> dict[int, str]:
    if not user_ids:
        return {}
    user: Any = Account.user
    rows = await Account.select(Account.user, Account.display_name, user.username).where(
        Account.user.is_in(list(user_ids))
    )
    # A display name that only repeats the username adds nothing.
    return {int(r["user"]): str(r["display_name"]) for r in rows if r["display_name"] not in ("", r["user.username"])}


async def localised_rows(table: type[Table], rows: list[dict[str, Any]], *, money: bool) -> None:
    """Rewrite the rows in place: Beijing times, 元 (``money``), users by their display names."""
    times = _time_columns(table)
    fen = {c._meta.name for c in table._meta.columns if is_money(table, c._meta.name)} if money else set()
    user_keys = [
        fk._meta.name
        for fk in table._meta.foreign_key_columns
        if issubclass(fk._foreign_key_meta.resolved_references, BaseUser)
    ]
    ids = {int(r[k]) for r in rows for k in user_keys if isinstance(r.get(k), int)}
    names = await _display_names(ids)
    for row in rows:
        for name in times & row.keys():
            row[name] = _shown_time(row[name])
        for name in fen & row.keys():
            if isinstance(row[name], int):
                row[name] = yuan(row[name])
        for key in user_keys:
            user_id, readable = row.get(key), f"{key}_readable"
            if isinstance(user_id, int) and user_id in names and readable in row:
                row[readable] = f"{names[user_id]}（{row[readable]}）"


def labels_script(tables: dict[str, type[Table]]) -> str:
    names: dict[str, str] = {}
    for code, label in TABLE_LABELS.items():
        spaced = code.replace("_", " ")
        for shown_name in (code, spaced, spaced.capitalize(), spaced.title()):
            names[shown_name] = label
    columns = {
        name: {c._meta.name: column_label(name, c._meta.name) for c in table._meta.columns}
        for name, table in tables.items()
    }
    return (
        "(() => {\n"
        '  if (!localStorage.getItem("defaultTimezone")) localStorage.setItem("defaultTimezone", "Asia/Shanghai");\n'
        f"  const WORDS = {json.dumps({**names, **_OPERATORS_ZH}, ensure_ascii=False)};\n"
        f"  const COLUMNS = {json.dumps(columns, ensure_ascii=False)};\n"
        # The list's key column prints its field name; the CSV dialog lists the columns by field name.
        "  const HEADINGS = {id: '编号'};\n"
        "  const SKIP = new Set(['TD', 'TEXTAREA', 'INPUT', 'CODE', 'PRE']);\n"
        "  const table = () => (location.hash.match(/^#\\/([a-z_]+)/) || [])[1];\n"
        "  const fix = (node) => {\n"
        "    const text = node.nodeValue && node.nodeValue.trim();\n"
        "    const parent = node.parentElement;\n"
        "    if (!text || !parent || SKIP.has(parent.tagName)) return;\n"
        "    let zh = WORDS[text];\n"
        "    if (parent.tagName === 'TH' && text in HEADINGS) zh = HEADINGS[text];\n"
        "    if (parent.tagName === 'LABEL' && (parent.htmlFor || '').startsWith('csv_')) {\n"
        "      zh = (COLUMNS[table()] || {})[parent.htmlFor.slice(4)];\n"
        "    }\n"
        # A heading names the table after a translated verb (「编辑 Award」).
        "    const tail = text.match(/^(.*?\\s)([A-Za-z][A-Za-z ]*)$/);\n"
        "    if (!zh && tail && /^H[1-3]$/.test(parent.tagName) && tail[2] in WORDS) zh = tail[1] + WORDS[tail[2]];\n"
        "    if (zh && zh !== text) node.nodeValue = node.nodeValue.replace(text, zh);\n"
        "  };\n"
        "  const walk = (root) => {\n"
        "    if (root.nodeType === Node.TEXT_NODE) return fix(root);\n"
        "    const it = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);\n"
        "    for (let n = it.nextNode(); n; n = it.nextNode()) fix(n);\n"
        "  };\n"
        # Piccolo's bundle leaves icon links, row checkboxes and its fields without accessible names, and its blue
        # fails WCAG AA contrast with white text: names from the column labels and icons, and a darker blue.
        f"  const ICONS = {json.dumps(_ICONS_ZH, ensure_ascii=False)};\n"
        "  const name = (el) => {\n"
        "    if (el.getAttribute('aria-label')) return;\n"
        "    if (el.tagName === 'A') {\n"
        "      if (el.textContent.trim()) return;\n"
        "      const icon = el.querySelector('svg[data-icon]');\n"
        "      return el.setAttribute('aria-label', ICONS[icon && icon.dataset.icon] || '操作');\n"
        "    }\n"
        "    if (el.type === 'hidden' || (el.labels && el.labels.length)) return;\n"
        "    if (el.closest('#page_size')) return el.setAttribute('aria-label', '每页条数');\n"
        "    if (el.type === 'number' && !el.closest('form')) return el.setAttribute('aria-label', '页码');\n"
        "    if (el.type === 'checkbox' && el.closest('table')) {\n"
        "      return el.setAttribute('aria-label', el.closest('thead') ? '全选' : '选择此行');\n"
        "    }\n"
        "    const column = (COLUMNS[table()] || {})[el.name];\n"
        "    if (column) return el.setAttribute('aria-label', column);\n"
        "    for (let box = el.parentElement; box && box.tagName !== 'FORM'; box = box.parentElement) {\n"
        "      const label = box.querySelector(':scope > label');\n"
        "      if (label && label.textContent.trim()) return el.setAttribute('aria-label', label.textContent.trim());\n"
        "    }\n"
        "  };\n"
        "  const FIELDS = 'a, input, select, textarea';\n"
        "  const named = (root) => {\n"
        "    if (root.nodeType !== Node.ELEMENT_NODE) return;\n"
        "    if (root.matches(FIELDS)) name(root);\n"
        "    root.querySelectorAll(FIELDS).forEach(name);\n"
        "  };\n"
        "  const style = document.createElement('style');\n"
        "  style.textContent = '.light_mode #nav, .light_mode button, a.button { background-color: #1f65a8 }'\n"
        "    + ' .light_mode button:hover { background-color: #2a74b8 }'\n"
        "    + ' .light_mode a:not(.button):not(.subtle) { color: #1f65a8 }';\n"
        "  document.head.appendChild(style);\n"
        "  new MutationObserver((changes) => changes.forEach((c) => {\n"
        "    if (c.type === 'characterData') return fix(c.target);\n"
        "    c.addedNodes.forEach((n) => { walk(n); named(n); });\n"
        "    named(c.target);\n"
        "  })).observe(document.documentElement, {subtree: true, childList: true, characterData: true});\n"
        "})();\n"
    )


def localised_page(html: bytes) -> bytes:
    page = html.decode()
    page = page.replace('<html lang="en">', '<html lang="zh-CN">', 1)
    page = page.replace("<title>Piccolo Admin</title>", "<title>Seedbed 社会组织项目管理后台</title>", 1)
    return page.replace("</head>", f'  <script src="./{SCRIPT_NAME}"></script>\n</head>', 1).encode()


def localised_admin(admin_app: Any, tables: dict[str, type[Table]], read_only: set[str]) -> Any:
    """Wrap the admin ASGI app (``tables``: every registered table by name; ``read_only``: their names)."""
    script = labels_script(tables).encode()

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope.get("method") not in ("GET", "HEAD"):
            await admin_app(scope, receive, send)
            return
        path: str = scope["path"]
        if path.rstrip("/").endswith(f"/{SCRIPT_NAME}"):  # the site's mount adds a trailing slash
            await Response(script, media_type="text/javascript; charset=utf-8")(scope, receive, send)
            return
        transform = _transform_for(path, scope.get("query_string", b""), tables, read_only)
        if transform is None or scope.get(RAW_ROWS):
            await admin_app(scope, receive, send)
            return
        await _rewritten(admin_app, scope, receive, send, transform)

    return app


def _transform_for(path: str, query: bytes, tables: dict[str, type[Table]], read_only: set[str]) -> Transform | None:
    if "/api/" not in path:
        if "/assets/" in path or "/public/" in path or "/media/" in path:
            return None

        async def page(body: bytes) -> bytes:
            return localised_page(body) if b'<div id="app">' in body else body

        return page
    if match := _SCHEMA.search(path):
        schema_of = tables.get(match["table"])
        if schema_of is None:
            return None
        schema_read_only = match["table"] in read_only

        async def schema(body: bytes) -> bytes:
            assert schema_of is not None  # narrowed above; mypy does not carry it into the closure
            document = localised_schema(schema_of, json.loads(body), schema_read_only)
            return json.dumps(document, ensure_ascii=False).encode()

        return schema
    match = _ROWS.search(path)
    if not match or match["row"] in _NOT_ROWS or b"__readable=true" not in query:
        return None
    table = tables.get(match["table"])
    if table is None:
        return None
    detail, money = match["row"] is not None, match["row"] is None or match["table"] in read_only

    async def rows(body: bytes) -> bytes:
        document = json.loads(body)
        listed = [document] if detail else document.get("rows", [])
        if detail and match["table"] not in read_only:
            return body  # a writable table's form sends back what it shows: codes, fen and ISO times
        await localised_rows(table, listed, money=money)
        return json.dumps(document, ensure_ascii=False).encode()

    return rows


async def _rewritten(admin_app: Any, scope: dict[str, Any], receive: Any, send: Any, transform: Transform) -> None:
    async def localised(start: dict[str, Any], data: bytes) -> bytes:
        if start.get("status") != 200 or not content_type(start).startswith((b"application/json", b"text/html")):
            return data
        try:
            return await transform(data)
        except ValueError:
            return data  # not the JSON expected: passed on as it came

    await rewrite_body(admin_app, scope, receive, send, localised)
