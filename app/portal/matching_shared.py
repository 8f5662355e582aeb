"""What the 聚力计划 pages of an organisation share: the steps its role may take from a state (read from the
workflow, so a page offers exactly the buttons the service would accept), the tag vocabulary's Chinese labels, the
districts, money shown in 元, and turning a posted form's text into the JSON the API's schemas expect."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from app.paging import MAX_LIMIT, PageParams
from app.reference import DISTRICT_NAMES_ZH
from app.workflow.definition import APPLICANT, Workflow
from programmes.matching import tags
from programmes.matching.tables import FIELD_LABELS_ZH

FIELD_CHOICES = [(str(code), label) for code, label in FIELD_LABELS_ZH.items()]
DISTRICT_CHOICES = [(str(code), name) for code, name in DISTRICT_NAMES_ZH.items()]
DISTRICT_LABELS = dict(DISTRICT_CHOICES)


def applicant_steps(workflow: Workflow, state: str) -> set[str]:
    """The actions an organisation may take from ``state``: the buttons a page shows (the service still decides)."""
    return {t.action for t in workflow.transitions if workflow.permits(state, t.action, APPLICANT)[0]}


async def tag_labels() -> tuple[dict[str, str], list[tuple[str, str]]]:
    """Every tag's label (old rows may carry inactive ones) and the active ones to choose from (GET /matching/tags)."""
    page = await tags.list_tags(PageParams(limit=MAX_LIMIT), include_inactive=True)
    return {t.code: t.label_zh for t in page.items}, [(t.code, t.label_zh) for t in page.items if t.active]


def yuan(fen: int | None) -> str:
    """An amount in fen as people read it: 「1,234.50 元」."""
    if fen is None:
        return "—"
    return f"{Decimal(fen) / 100:,.2f} 元"


def whole_number(text: str) -> int | str | None:
    """A typed whole number as the API's JSON would carry it; anything else as typed, so the API's schema refuses
    it with its own message; empty → None (the field left out)."""
    text = text.strip()
    if not text:
        return None
    return int(text) if text.isdigit() and len(text) < 12 else text


def fen_of(text: str) -> int | str | None:
    """元 as typed (at most two decimals) → fen for the API; text that is no amount stays text (the schema refuses
    it: 「应为整数」); empty → None."""
    text = text.strip().replace(",", "")
    if not text:
        return None
    try:
        amount = Decimal(text)
    except InvalidOperation:
        return text
    fen = amount * 100
    if not amount.is_finite() or fen != fen.to_integral_value() or abs(fen) > 10**15:
        return text
    return int(fen)


def present(values: dict[str, Any]) -> dict[str, Any]:
    """The body without the fields left empty, so the schema's defaults (or its 「此字段为必填项」) apply."""
    return {name: value for name, value in values.items() if value is not None and value != ""}
