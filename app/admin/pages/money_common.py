"""What the money pages (资金管理, ``app.admin.pages.money*``) share: amounts typed in 元 read as exact fen, names of
organisations with their district, refusals placed next to the field they are about, and the row limit.

A refusal is a ``Refusal``: field name → Chinese message (``TOP`` for one shown at the top of the form). It is
built from the API model's ``ValidationError`` or the service's ``DomainError``, so the words are the API's.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from typing import Any

from pydantic import ValidationError

from app.admin.pages.html import esc
from app.errors import DomainError
from app.organisations.tables import Organisation
from app.reference import DISTRICT_NAMES_ZH, District
from app.validation_messages import pydantic_error

TOP = "_"
LIST_LIMIT = 100  # every money list shows at most this many rows (in a stable order by id), with the total counted
CITY_ZH = "市级"
Refusal = dict[str, str]


def fen_from_yuan(text: str) -> int | None:
    """``"1,234.5"`` → ``123450``; None when it is not an amount in 元 with at most two decimals (never a float)."""
    cleaned = text.replace(",", "").replace("，", "").replace("元", "").strip()
    if not cleaned or len(cleaned) > 20:
        return None
    try:
        amount = Decimal(cleaned)
    except InvalidOperation:
        return None
    if not amount.is_finite() or amount != amount.quantize(Decimal("0.01")):
        return None
    return int(amount * 100)


def yuan_plain(fen: int) -> str:
    """Fen as the 元 an officer would type back into a field (``300000.00``)."""
    whole, cents = divmod(fen, 100)
    return f"{whole}.{cents:02d}"


def district_zh(district: str | None) -> str:
    return DISTRICT_NAMES_ZH[District(district)] if district and district in District.__members__ else CITY_ZH


async def organisation_names(ids: Iterable[int | None]) -> dict[int, str]:
    """「长宁区 · 某某服务中心」 for each organisation id, read in one query."""
    wanted = sorted({i for i in ids if i is not None})
    if not wanted:
        return {}
    rows = await Organisation.select(Organisation.id, Organisation.name, Organisation.district).where(
        Organisation.id.is_in(wanted)
    )
    return {r["id"]: f"{district_zh(r['district'])} · {r['name']}" for r in rows}


def refusal_of_validation(exc: ValidationError, fields: Iterable[str]) -> Refusal:
    """Each pydantic error under the first form field its location names (else at the top)."""
    known = set(fields)
    refusal: Refusal = {}
    for error in exc.errors():
        entry = pydantic_error(error)
        place = next((part for part in entry["field"].split(".") if part in known), TOP)
        refusal.setdefault(place, entry["message"])
    return refusal


def refusal_of_domain(exc: DomainError, fields: Iterable[str]) -> Refusal:
    """The service's message, next to the field it names when that field is on the form."""
    known = set(fields)
    for error in exc.errors:
        place = error.field.split("[")[0].split(".")[0]
        if place in known:
            return {place: exc.detail}
    return {TOP: exc.detail}


def top_error(refusal: Refusal) -> str:
    return f'<p class="error" role="alert" id="err-{TOP}">{esc(refusal[TOP])}</p>' if TOP in refusal else ""


def field_error(refusal: Refusal, name: str) -> tuple[str, str]:
    """(attributes for the input, the message element after it) for one field of a refused form."""
    if name not in refusal:
        return "", ""
    element_id = f"err-{name}"
    attributes = f' aria-invalid="true" aria-describedby="{element_id}"'
    return attributes, f'<span class="error" role="alert" id="{element_id}">{esc(refusal[name])}</span>'


def notice(message: str) -> str:
    return f'<div class="notice" role="status">{esc(message)}</div>' if message else ""


def counted(total: int, shown_rows: int) -> str:
    more = f"，仅显示前 {shown_rows} 条（请先办理这些）" if total > shown_rows else ""
    return f"<p>共 {total} 条{more}</p>"


def table(caption: str, headers: Iterable[str], rows: Iterable[str], empty: str = "暂无记录") -> str:
    head = "".join(f'<th scope="col">{esc(h)}</th>' for h in headers)
    body = "".join(rows)
    if not body:
        return f"<p>{esc(empty)}</p>"
    return f"<table><caption>{esc(caption)}</caption><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def cells(*values: Any) -> str:
    """One table row of already-escaped HTML cells."""
    return "<tr>" + "".join(f"<td>{v}</td>" for v in values) + "</tr>"
