"""What the admin's own pages share: the page frame, escaping, the CSRF check, form bodies and Chinese labels.

The pages are plain server-rendered HTML (no template engine is a declared dependency; every value goes through
``esc``). They sit beside Piccolo Admin under /admin/ and use its session cookie, so they need no login of their own.
"""

from __future__ import annotations

import hmac
from collections.abc import Iterable
from datetime import datetime
from html import escape
from typing import Any
from urllib.parse import parse_qsl, urlencode

from starlette.datastructures import Headers
from starlette.requests import cookie_parser
from starlette.responses import HTMLResponse, RedirectResponse, Response

from app.timezone import shown
from programmes.workflows import APPLICATION_WORKFLOWS

_CSRF_COOKIE = "csrftoken"  # Piccolo Admin's double-submit cookie; a POST here must repeat it in the form
MAX_FORM_BYTES = 64_000

# Every kind's states (for the status filter); ``status_zh`` names a state as the application's own kind does
# (「已立项资助」 in a contest, 「已签约资助」 in 沪社星耀).
STATUS_ZH: dict[str, str] = {
    state: label for workflow in APPLICATION_WORKFLOWS.values() for state, label in workflow.states.items()
}


def status_zh(kind: str | None, status: str) -> str:
    own = next((w.states for k, w in APPLICATION_WORKFLOWS.items() if k.value == kind), {})
    return own.get(status) or STATUS_ZH.get(status, status)


OUTCOME_ZH = {
    "not_screened": "未审查",
    "eligible": "通过",
    "ineligible": "未通过",
    "overridden": "人工认定通过",
    "needs_verification": "待核验",
}
SEVERITY_ZH = {"ineligible": "不符合", "needs_verification": "待核验", "warning": "提示"}

_STYLE = """
body{font-family:"Noto Sans CJK SC","Noto Sans SC",sans-serif;margin:0;color:#1a1a1a;background:#f6f7f9}
header{background:#1f3a5f;color:#fff;padding:12px 24px}header a{color:#fff}
main{padding:16px 24px;max-width:1200px}section{background:#fff;border:1px solid #d0d4da;border-radius:6px;
padding:12px 16px;margin:12px 0}h1{font-size:1.4rem;margin:8px 0}h2{font-size:1.15rem;margin:4px 0 8px}
dl.answers{display:grid;grid-template-columns:minmax(8rem,14rem) 1fr;gap:4px 16px}dt{font-weight:bold}
dd{margin:0;white-space:pre-wrap}fieldset{border:1px solid #c4c9d1;margin:6px 0}legend{font-weight:bold}
table{border-collapse:collapse;width:100%}th,td{border:1px solid #c4c9d1;padding:4px 8px;text-align:left}
th{background:#e8ebef}.error{color:#a10000;font-weight:bold}.notice{color:#0b5d1e;font-weight:bold}
label{font-weight:bold;display:block;margin-top:6px}textarea{width:100%;max-width:40rem}
button{margin-top:6px;padding:4px 14px}.sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0)}
a{color:#0b4a8b}.filters label{display:inline-block;margin-right:12px}
"""


def esc(value: Any) -> str:
    return escape("" if value is None else str(value), quote=True)


def when(moment: datetime | None) -> str:
    """A stored UTC time as people read it: Beijing time, no ``Z``."""
    return shown(moment).strftime("%Y-%m-%d %H:%M") if moment else "—"


# The header's links to the admin's own pages (each page module adds its entry, in the sidebar's order).
NAV: list[tuple[str, str]] = [
    ("首页概览", "/admin/overview"),
    ("申报审阅与资格审查", "/admin/screening"),
    ("资金管理", "/admin/money"),
]


def page(title: str, body: str, *, status: int = 200) -> HTMLResponse:
    links = "".join(f' · <a href="{esc(url)}">{esc(label)}</a>' for label, url in NAV)
    html = (
        '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width"><title>{esc(title)}</title><style>{_STYLE}</style></head>'
        '<body><header><nav aria-label="后台导航"><a href="/admin/">Seedbed 社会组织项目管理后台</a>'
        f"{links}</nav></header>"
        f"<main><h1>{esc(title)}</h1>{body}</main></body></html>"
    )
    return HTMLResponse(html, status_code=status, headers={"Cache-Control": "no-store"})


def problem_page(status: int, detail: str) -> HTMLResponse:
    return page("无法打开", f'<p class="error" role="alert">{esc(detail)}</p>', status=status)


def redirect(url: str) -> Response:
    return RedirectResponse(url, status_code=303)


def csrf_token(scope: dict[str, Any]) -> str:
    return cookie_parser(Headers(scope=scope).get("cookie", "")).get(_CSRF_COOKIE, "")


def csrf_field(scope: dict[str, Any]) -> str:
    return f'<input type="hidden" name="csrftoken" value="{esc(csrf_token(scope))}">'


def csrf_ok(scope: dict[str, Any], form: dict[str, list[str]]) -> bool:
    expected = csrf_token(scope)
    given = (form.get("csrftoken") or [""])[0]
    return bool(expected) and hmac.compare_digest(expected, given)


async def read_form(receive: Any) -> dict[str, list[str]] | None:
    """An urlencoded form body (None when it is larger than any of these forms can be)."""
    body = b""
    more = True
    while more:
        message = await receive()
        body += message.get("body", b"")
        more = message.get("more_body", False)
        if len(body) > MAX_FORM_BYTES:
            return None
    form: dict[str, list[str]] = {}
    for key, value in parse_qsl(body.decode("utf-8", errors="replace"), keep_blank_values=True):
        form.setdefault(key, []).append(value)
    return form


def first(form: dict[str, list[str]], key: str) -> str:
    return (form.get(key) or [""])[0]


def options(choices: Iterable[tuple[str, str]], selected: str) -> str:
    return "".join(
        f'<option value="{esc(v)}"{" selected" if v == selected else ""}>{esc(label)}</option>' for v, label in choices
    )


def query_string(params: dict[str, str]) -> str:
    kept = {k: v for k, v in params.items() if v}
    return "?" + urlencode(kept) if kept else ""
