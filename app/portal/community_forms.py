"""What the community's pages share: the demand form read into the API's ``DemandWrite`` body (budgets typed in 元,
read by the xlsx import's own parser), the tag and field choices, and names of organisations read in bulk."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from pydantic import ValidationError

from app.errors import DomainError
from app.organisations.tables import Organisation
from app.paging import MAX_LIMIT, PageParams
from app.portal.fields import FieldErrors, domain_errors, pydantic_errors
from programmes.matching import tags
from programmes.matching.demand_import import CellError, yuan_to_fen
from programmes.matching.schemas_demand import DemandRead, DemandWrite
from programmes.matching.tables import FIELD_LABELS_ZH

TEXT_FIELDS = (
    "field",
    "title",
    "description",
    "paired_area",
    "beneficiary_group",
    "expected_beneficiaries",
    "period_start",
    "period_end",
    "budget_min_yuan",
    "budget_max_yuan",
    "providers_wanted",
    "contact_name",
    "contact_phone",
)
INTEGER_FIELDS = ("expected_beneficiaries", "providers_wanted")
# The schema counts money in fen; people type 元. Errors on the schema's fields are shown at the 元 inputs.
YUAN_INPUT = {"budget_min_fen": "budget_min_yuan", "budget_max_fen": "budget_max_yuan"}
SCHEMA_FIELDS = tuple(DemandWrite.model_fields)
FIELD_CHOICES = [(code, label) for code, label in FIELD_LABELS_ZH.items()]


def yuan(fen: int | None) -> str:
    """Fen as 元 for a page: 「5,000」 or 「1,234.50」."""
    if fen is None:
        return ""
    whole, cents = divmod(fen, 100)
    return f"{whole:,}" if not cents else f"{whole:,}.{cents:02d}"


def budget_text(demand: DemandRead) -> str:
    if demand.in_kind:
        return "无资金，以资源或志愿服务形式对接"
    return f"{yuan(demand.budget_min_fen)}–{yuan(demand.budget_max_fen)} 元"


def _integer(text: str) -> int | str:
    # The schema wants a JSON integer; anything else goes on as typed so the schema refuses it in its own words.
    return int(text) if text.lstrip("-").isdigit() and len(text) < 10 else text


def _on_inputs(errors: FieldErrors) -> FieldErrors:
    return {YUAN_INPUT.get(name, name): message for name, message in errors.items()}


def entered_of(demand: DemandRead) -> dict[str, Any]:
    """A stored demand as the form shows it."""
    values: dict[str, Any] = {
        name: str(getattr(demand, name) if getattr(demand, name) is not None else "")
        for name in TEXT_FIELDS
        if name in SCHEMA_FIELDS
    }
    values["budget_min_yuan"] = yuan(demand.budget_min_fen).replace(",", "")
    values["budget_max_yuan"] = yuan(demand.budget_max_fen).replace(",", "")
    values["tags"] = list(demand.tags)
    values["cross_district"] = demand.cross_district
    return values


def empty_entry() -> dict[str, Any]:
    return {**dict.fromkeys(TEXT_FIELDS, ""), "providers_wanted": "1", "tags": [], "cross_district": False}


def demand_of_form(form: Any) -> tuple[dict[str, Any], DemandWrite | None, FieldErrors]:
    """(what was typed, the API's body or None, errors by input name). Empty inputs are left out, so the schema's
    defaults and its 「此字段为必填项」 apply exactly as to a JSON body without them."""
    entered: dict[str, Any] = {name: str(form.get(name, "")).strip() for name in TEXT_FIELDS}
    entered["tags"] = [str(code) for code in form.getall("tags", [])]
    entered["cross_district"] = bool(form.get("cross_district"))
    body: dict[str, Any] = {
        name: entered[name] for name in TEXT_FIELDS if name in SCHEMA_FIELDS and entered[name] != ""
    }
    for name in INTEGER_FIELDS:
        if name in body:
            body[name] = _integer(body[name])
    errors: FieldErrors = {}
    for fen_field, yuan_input in YUAN_INPUT.items():
        try:
            amount = yuan_to_fen(entered[yuan_input])
        except CellError as exc:
            errors[yuan_input] = str(exc)
            continue
        if amount is not None:
            body[fen_field] = amount
    body["tags"] = entered["tags"]
    body["cross_district"] = entered["cross_district"]
    try:
        data = DemandWrite.model_validate(body)
    except ValidationError as exc:
        return entered, None, {**_on_inputs(pydantic_errors(exc, SCHEMA_FIELDS)), **errors}
    return entered, (None if errors else data), errors


def service_errors(error: DomainError) -> FieldErrors:
    """A demand service's refusal by input name (``""``: the page's top)."""
    return _on_inputs(domain_errors(error, SCHEMA_FIELDS))


async def tag_choices() -> list[tuple[str, str]]:
    """The active tag vocabulary (the service of GET /matching/tags), as (code, label)."""
    page = await tags.list_tags(PageParams(limit=MAX_LIMIT))
    return [(tag.code, tag.label_zh) for tag in page.items]


async def tag_labels() -> dict[str, str]:
    page = await tags.list_tags(PageParams(limit=MAX_LIMIT), include_inactive=True)
    return {tag.code: tag.label_zh for tag in page.items}


async def organisation_names(ids: Iterable[int]) -> Mapping[int, str]:
    """Names of these organisations in one query (applications and orders carry only the id)."""
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    rows = await Organisation.select(Organisation.id, Organisation.name).where(Organisation.id.is_in(wanted))
    return {int(row["id"]): row["name"] for row in rows}
