"""Bank account numbers leave the admin masked, the way the exports show them (``masked_account``), and a camp
session's check-in code hash not at all: the code is six digits salted with the session id, so its SHA-256 gives
the live code away in a million guesses; the trainer reads the code when issuing it, nobody needs the hash.

Piccolo Admin has no per-column read hook, and a column hidden from the list still shows on the detail page, so
the admin's JSON answers are masked on their way out: every value under a key named ``account_number`` —
bank accounts, the simulated bank's transfers, and the before/after JSON of audit entries (JSONB reaches the
admin as a JSON string) — in lists, detail pages and CSV downloads alike. Filtering or sorting by a masked column
would let the number be recovered digit by digit (``account_number__match=starts``), so it is refused; so are
writes to tables with a masked column (an edit form would save the masked value).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl

from piccolo.table import Table
from starlette.responses import JSONResponse

from app.admin.rewrite import content_type, rewrite_body
from programmes.exports.money import masked_account

HIDDEN = "（已隐藏）"
MASKERS: dict[str, Callable[[str], str]] = {"account_number": masked_account, "code_hash": lambda _: HIDDEN}
MASKED_KEYS = frozenset(MASKERS)
_TABLE_PATH = re.compile(r"/api/tables/(?P<table>[a-z_]+)/(?:count/)?$")
_TABLE_NAME = re.compile(r"/api/tables/(?P<table>[a-z_]+)/")
_MARKERS = tuple(key.encode() for key in MASKED_KEYS)


def mask(value: Any) -> Any:
    """``value`` with every masked key's string replaced by its masked form, also inside JSON strings."""
    if isinstance(value, dict):
        return {
            k: MASKERS[k.rsplit(".", 1)[-1]](v) if _is_masked(k) and isinstance(v, str) else mask(v)
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [mask(v) for v in value]
    if isinstance(value, str) and any(key in value for key in MASKED_KEYS) and value[:1] in "{[":
        try:
            inner = json.loads(value)
        except ValueError:
            return value
        return json.dumps(mask(inner), ensure_ascii=False)
    return value


def _is_masked(key: str) -> bool:
    return key.rsplit(".", 1)[-1] in MASKED_KEYS  # also a joined column ("payee_account.account_number")


def _names_masked_column(query_string: bytes) -> bool:
    for key, value in parse_qsl(query_string.decode("latin-1"), keep_blank_values=True):
        if key == "__order":
            names = [v.strip().lstrip("-+") for v in value.split(",")]
        elif key.startswith("__"):
            continue  # paging, readable, visible fields: the answer is masked anyway
        else:
            names = [key.removesuffix("[]").split("__")[0]]  # the value, __operator, __match
        if any(name in MASKED_KEYS for name in names):
            return True
    return False


def masked_admin(admin_app: Any, tables: list[type[Table]]) -> Any:
    """Wrap the admin ASGI app: mask account numbers in every JSON answer; refuse filters on them."""
    with_masked = {t._meta.tablename for t in tables if any(c._meta.name in MASKED_KEYS for c in t._meta.columns)}

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http" or "/api/" not in scope["path"]:
            await admin_app(scope, receive, send)
            return
        table = _TABLE_NAME.search(scope["path"])
        if table and table["table"] in with_masked and scope.get("method") not in ("GET", "HEAD"):
            # The edit form would send the masked value back over the real number: these tables stay read-only.
            await JSONResponse({"detail": "此表含脱敏的字段（银行账号、签到码），只读"}, status_code=405)(
                scope, receive, send
            )
            return
        match = _TABLE_PATH.search(scope["path"])
        if match and match["table"] in with_masked and _names_masked_column(scope.get("query_string", b"")):
            refusal = JSONResponse({"detail": "银行账号、签到码已脱敏，不能按其筛选或排序"}, status_code=400)
            await refusal(scope, receive, send)
            return

        async def masked(start: dict[str, Any], data: bytes) -> bytes:
            return _masked(data, start)

        await rewrite_body(admin_app, scope, receive, send, masked)

    return app


def _is_json(start: dict[str, Any]) -> bool:
    return content_type(start).startswith(b"application/json")


def _masked(data: bytes, start: dict[str, Any]) -> bytes:
    if not any(marker in data for marker in _MARKERS) or not _is_json(start):
        return data
    try:
        document = json.loads(data)
    except ValueError:
        return data
    return json.dumps(mask(document), ensure_ascii=False).encode()
