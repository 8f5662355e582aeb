"""一公开 open data: how every open-data list leaves the service — the same rows as JSON or CSV, personal data
patterns scrubbed, paged (app.paging), cached (Cache-Control, ETag, 304 on If-None-Match).

Datasets only ever select public columns (never contacts, accounts, answers or bank details); ``scrub`` is the
second line for free text typed by people (a case summary, an inspection finding, a project title) that might quote
a phone number, an ID card number or an e-mail address. The field lists are the stable schema (docs/open-data.md).
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from litestar import Request, Response
from litestar.serialization import encode_json
from pydantic import BaseModel

from app.paging import Page, page_headers
from app.timezone import in_beijing_time

CACHE_SECONDS = 300  # the data changes a few times a day; five minutes keeps portals and crawlers cheap
CACHE_CONTROL = f"public, max-age={CACHE_SECONDS}"
CSV_MEDIA_TYPE = "text/csv; charset=utf-8"
REDACTED = "［已隐去］"

# Mainland mobiles (optionally +86), landlines with an area code, 18-character resident ID numbers, e-mail addresses.
PERSONAL_PATTERNS = (
    re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}"),
    re.compile(
        r"(?<![0-9A-Za-z])[1-9]\d{5}(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[\dXx](?![0-9A-Za-z])"
    ),
    re.compile(r"(?<!\d)(?:\+?86[- ]?)?1[3-9]\d(?:[- ]?\d{4}){2}(?!\d)"),
    re.compile(r"(?<!\d)0\d{2,3}-\d{7,8}(?!\d)"),
)


def scrub(text: str) -> str:
    """``text`` with every phone number, ID card number and e-mail address replaced by ``REDACTED``."""
    for pattern in PERSONAL_PATTERNS:
        text = pattern.sub(REDACTED, text)
    return text


def _public(value: Any) -> Any:
    if isinstance(value, str):
        return scrub(value)
    if isinstance(value, Mapping):
        return {key: _public(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_public(item) for item in value]
    return value


def public_rows(items: list[BaseModel]) -> list[dict[str, Any]]:
    """The rows as they are published: Beijing time, strings scrubbed."""
    return [_public(in_beijing_time(item)) for item in items]


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return ";".join(_cell(item) for item in value)
    return str(value)


def csv_body(fields: list[str], rows: list[dict[str, Any]]) -> bytes:
    """A header row of ``fields``, then one line per row; UTF-8 with a BOM so spreadsheet programs read the Chinese."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(fields)
    for row in rows:
        writer.writerow([_cell(row.get(name)) for name in fields])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def etag_of(body: bytes) -> str:
    return f'"{hashlib.sha256(body).hexdigest()[:32]}"'


def not_modified(request: Request[Any, Any, Any], etag: str) -> bool:
    given = request.headers.get("if-none-match")
    if not given:
        return False
    tags = {tag.strip().removeprefix("W/") for tag in given.split(",")}
    return "*" in tags or etag in tags


def respond(
    request: Request[Any, Any, Any], page: Page[Any], model: type[BaseModel], as_csv: bool = False
) -> Response[Any]:
    """One page of a dataset as JSON (an array, the list convention) or CSV, with the paging and caching headers; a
    matching ``If-None-Match`` answers 304 with no body."""
    rows = public_rows(page.items)
    if as_csv:
        body, media_type = csv_body(list(model.model_fields), rows), CSV_MEDIA_TYPE
    else:
        body, media_type = encode_json(rows), "application/json"
    etag = etag_of(body)
    headers = {**page_headers(page, request), "ETag": etag, "Cache-Control": CACHE_CONTROL}
    if not_modified(request, etag):
        return Response(content=b"", status_code=304, headers=headers, media_type=media_type)
    return Response(content=body, headers=headers, media_type=media_type)
