"""服务清单: an organisation's service offers (聚力计划) — its list, publishing one (written as a draft, submitted
for moderation), editing it while the workflow allows, submitting, revising after a rejection, withdrawing. Each page
calls the service of the matching /matching/offers route with the session's principal and validates with its schema."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from litestar import Request, Response, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template
from pydantic import ValidationError

from app.auth.principal import APPLICANTS, CurrentPrincipal, Principal
from app.errors import DomainError
from app.organisations.membership import acting_organisation_ids
from app.organisations.tables import Organisation
from app.paging import Paging
from app.portal.fields import FieldErrors, domain_errors, next_offset, pydantic_errors
from app.portal.frame import leave_notice, page_opt, render
from app.portal.matching_shared import (
    DISTRICT_CHOICES,
    DISTRICT_LABELS,
    FIELD_CHOICES,
    applicant_steps,
    fen_of,
    present,
    tag_labels,
    whole_number,
    yuan,
)
from programmes.matching import offers
from programmes.matching.schemas_offer import OfferContent, OfferRead, ServiceOfferCreate, ServiceOfferUpdate
from programmes.workflows.demand import OFFER

FIELDS = (*OfferContent.model_fields, "organisation_id")
STEP_NOTICES = {
    "submit": "已提交审核，审核通过后即可对接",
    "withdraw": "服务项目已撤回",
    "revise": "已退回草稿，可修改后重新提交",
}


async def _my_organisations(principal: Principal) -> list[tuple[str, str]]:
    """The organisations the member acts for (own, and filed groups in its centre's custody), for the form's choice."""
    ids = await acting_organisation_ids(principal.user_id)
    if not ids:
        return []
    rows = await Organisation.select(Organisation.id, Organisation.name).where(Organisation.id.is_in(ids))
    return [(str(r["id"]), str(r["name"])) for r in sorted(rows, key=lambda r: int(r["id"]))]


def _values_of(form: Any) -> dict[str, Any]:
    """What was typed, kept to show again on an error page (元 as typed, lists as lists)."""
    text = {name: str(form.get(name, "")).strip() for name in ("title", "description", "capacity", "delivery_days")}
    return {
        **text,
        "organisation_id": str(form.get("organisation_id", "")),
        "field": str(form.get("field", "")),
        "tags": [str(t) for t in form.getall("tags", [])],
        "city_wide": bool(form.get("city_wide")),
        "districts_served": [str(d) for d in form.getall("districts_served", [])],
        "price_min_yuan": str(form.get("price_min_yuan", "")).strip(),
        "price_max_yuan": str(form.get("price_max_yuan", "")).strip(),
    }


def _body_of(values: Mapping[str, Any]) -> dict[str, Any]:
    """The API's JSON body for what was typed (money in fen, whole numbers as numbers)."""
    return {
        **present(
            {
                "field": values["field"],
                "title": values["title"],
                "description": values["description"],
                "capacity": whole_number(values["capacity"]),
                "delivery_days": whole_number(values["delivery_days"]),
            }
        ),
        "tags": values["tags"],
        "city_wide": values["city_wide"],
        "districts_served": [] if values["city_wide"] else values["districts_served"],
        "price_min_fen": fen_of(values["price_min_yuan"]),
        "price_max_fen": fen_of(values["price_max_yuan"]),
    }


def _values_from(offer: OfferRead) -> dict[str, Any]:
    def shown(fen: int | None) -> str:
        return "" if fen is None else f"{fen / 100:.2f}".removesuffix(".00")

    return {
        "organisation_id": str(offer.organisation_id),
        "field": offer.field,
        "tags": offer.tags,
        "title": offer.title,
        "description": offer.description,
        "city_wide": offer.city_wide,
        "districts_served": offer.districts_served,
        "capacity": str(offer.capacity),
        "delivery_days": "" if offer.delivery_days is None else str(offer.delivery_days),
        "price_min_yuan": shown(offer.price_min_fen),
        "price_max_yuan": shown(offer.price_max_fen),
    }


async def _form_context(principal: Principal) -> dict[str, Any]:
    labels, active = await tag_labels()
    return {
        "fields": FIELD_CHOICES,
        "districts": DISTRICT_CHOICES,
        "district_labels": DISTRICT_LABELS,
        "tag_choices": active,
        "tag_labels": labels,
        "organisations": await _my_organisations(principal),
        "yuan": yuan,
    }


@get("/offers", opt=page_opt(APPLICANTS))
async def my_offers(request: Request[Any, Any, Any], principal: CurrentPrincipal, paging: Paging) -> Template:
    page = await offers.list_for(principal, paging)  # the service of GET /matching/offers
    labels, _ = await tag_labels()
    return render(
        request,
        "matching/offers.html",
        title="服务清单",
        offers=page.items,
        total=page.total,
        next_offset=next_offset(paging, page.has_more),
        limit=paging.limit,
        tag_labels=labels,
        district_labels=DISTRICT_LABELS,
        yuan=yuan,
    )


async def _new_page(
    request: Request[Any, Any, Any],
    principal: Principal,
    values: Mapping[str, Any],
    errors: FieldErrors,
    status: int = 200,
) -> Template:
    return render(
        request,
        "matching/offer_new.html",
        status=status,
        title="发布服务项目",
        choose_organisation=True,
        values=values,
        errors=errors,
        **await _form_context(principal),
    )


@get("/offers/new", opt=page_opt(APPLICANTS))
async def new_offer(request: Request[Any, Any, Any], principal: CurrentPrincipal) -> Template:
    blank = {"tags": [], "districts_served": [], "city_wide": False, "capacity": "1"}
    return await _new_page(request, principal, blank, {})


@post("/offers", opt=page_opt(APPLICANTS), status_code=303)
async def create_offer(request: Request[Any, Any, Any], principal: CurrentPrincipal) -> Response[Any]:
    """保存草稿 (POST /matching/offers) or 提交审核 (then POST /matching/offers/{id}/submit)."""
    form = await request.form()
    values = _values_of(form)
    organisations = await _my_organisations(principal)
    chosen = values["organisation_id"] or (organisations[0][0] if len(organisations) == 1 else "")
    try:
        data = ServiceOfferCreate.model_validate(
            {**_body_of(values), **present({"organisation_id": whole_number(chosen)})}
        )
        offer = await offers.create(principal, data)
    except ValidationError as exc:
        return await _new_page(request, principal, values, pydantic_errors(exc, FIELDS), 422)
    except DomainError as error:
        return await _new_page(request, principal, values, domain_errors(error, FIELDS), error.status)
    notice = "服务项目草稿已保存"
    if form.get("action") == "submit":
        await offers.submit(principal, offer.id)
        notice = "服务项目已提交审核，审核通过后即可对接"
    response = Redirect(f"/portal/offers/{offer.id}", status_code=303)
    leave_notice(response, notice)
    return response


async def _offer_page(
    request: Request[Any, Any, Any],
    principal: Principal,
    offer: OfferRead,
    values: Mapping[str, Any] | None = None,
    errors: FieldErrors | None = None,
    status: int = 200,
) -> Template:
    return render(
        request,
        "matching/offer.html",
        status=status,
        title=offer.title,
        offer=offer,
        values=values if values is not None else _values_from(offer),
        errors=errors or {},
        editable=OFFER.has(offer.status, "organisation_edits"),
        versioned=OFFER.has(offer.status, "matchable"),  # an edit then snapshots the terms agreed so far
        steps=applicant_steps(OFFER, offer.status),
        **await _form_context(principal),
    )


@get("/offers/{offer_id:int}", opt=page_opt(APPLICANTS))
async def offer_detail(
    request: Request[Any, Any, Any], principal: CurrentPrincipal, offer_id: FromPath[int]
) -> Template:
    # The service of GET /matching/offers/{id}: another organisation's offer is the uniform 404.
    return await _offer_page(request, principal, await offers.read_for(principal, offer_id))


@post("/offers/{offer_id:int}", opt=page_opt(APPLICANTS), status_code=303)
async def update_offer(
    request: Request[Any, Any, Any], principal: CurrentPrincipal, offer_id: FromPath[int]
) -> Response[Any]:
    """The edit form (PATCH /matching/offers/{id}); an approved offer's edit becomes a new version."""
    offer = await offers.read_for(principal, offer_id)  # out of reach → the uniform 404 before anything is read
    values = _values_of(await request.form())
    try:
        updated = await offers.update(principal, offer_id, ServiceOfferUpdate.model_validate(_body_of(values)))
    except ValidationError as exc:
        return await _offer_page(request, principal, offer, values, pydantic_errors(exc, FIELDS), 422)
    except DomainError as error:
        if error.status == 404:
            raise
        return await _offer_page(request, principal, offer, values, domain_errors(error, FIELDS), error.status)
    response = Redirect(f"/portal/offers/{offer_id}", status_code=303)
    leave_notice(response, f"已保存（第 {updated.version} 版）" if updated.version > offer.version else "已保存")
    return response


async def _step(request: Request[Any, Any, Any], principal: Principal, offer_id: int, action: str) -> Response[Any]:
    step = {"submit": offers.submit, "withdraw": offers.withdraw, "revise": offers.revise}[action]
    try:
        await step(principal, offer_id)  # POST /matching/offers/{id}/<action>
    except DomainError as error:
        if error.status == 404:
            raise
        offer = await offers.read_for(principal, offer_id)
        return await _offer_page(request, principal, offer, errors={"": error.detail}, status=error.status)
    response = Redirect(f"/portal/offers/{offer_id}", status_code=303)
    leave_notice(response, STEP_NOTICES[action])
    return response


@post("/offers/{offer_id:int}/submit", opt=page_opt(APPLICANTS), status_code=303)
async def submit_offer(
    request: Request[Any, Any, Any], principal: CurrentPrincipal, offer_id: FromPath[int]
) -> Response[Any]:
    return await _step(request, principal, offer_id, "submit")


@post("/offers/{offer_id:int}/withdraw", opt=page_opt(APPLICANTS), status_code=303)
async def withdraw_offer(
    request: Request[Any, Any, Any], principal: CurrentPrincipal, offer_id: FromPath[int]
) -> Response[Any]:
    return await _step(request, principal, offer_id, "withdraw")


@post("/offers/{offer_id:int}/revise", opt=page_opt(APPLICANTS), status_code=303)
async def revise_offer(
    request: Request[Any, Any, Any], principal: CurrentPrincipal, offer_id: FromPath[int]
) -> Response[Any]:
    return await _step(request, principal, offer_id, "revise")


OFFER_PAGES = [
    my_offers,
    new_offer,
    create_offer,
    offer_detail,
    update_offer,
    submit_offer,
    withdraw_offer,
    revise_offer,
]
