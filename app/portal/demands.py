"""Open demands (需求清单) as an organisation meets them: the API's public list with its filters by field and district,
one demand (its contact shown to signed-in organisations, as the API shows it), 申请承接 with one of the
organisation's approved offers, and the organisation's applications (withdraw while pending). Each through the
service of the matching /matching route; every rule (published and takeable, area served, one pending application,
an order already live) is the service's, shown in its Chinese words."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template
from pydantic import ValidationError

from app.auth.principal import APPLICANTS, PUBLIC, CurrentPrincipal, Principal
from app.auth.tables import Role
from app.errors import DomainError
from app.paging import MAX_LIMIT, PageParams, Paging
from app.portal.fields import FieldErrors, domain_errors, next_offset, pydantic_errors
from app.portal.frame import leave_notice, page_opt, render, signed_in
from app.portal.matching_shared import (
    DISTRICT_CHOICES,
    DISTRICT_LABELS,
    FIELD_CHOICES,
    applicant_steps,
    tag_labels,
    whole_number,
    yuan,
)
from app.reference import District
from programmes.matching import bids, demands, offers
from programmes.matching.schemas_demand import DemandRead
from programmes.matching.schemas_order import BidCreate
from programmes.matching.tables import Demand, DemandField, ServiceOffer
from programmes.workflows.demand import DEMAND, OfferStatus
from programmes.workflows.orders import BID, BidStatus

BID_FIELDS = ("offer_id", "message")
BAD_FILTER = "筛选条件不正确，请重新选择"


def _choice(value: str, allowed: type[DemandField] | type[District]) -> str | None:
    """A filter as the list's select sends it: empty for 「全部」; a value outside the list is refused (400 page)."""
    if not value:
        return None
    if value not in {member.value for member in allowed}:
        raise DomainError("filter_invalid", BAD_FILTER, 400)
    return value


@get("/demands", opt=page_opt(PUBLIC))
async def open_demands(
    request: Request[Any, Any, Any], paging: Paging, field: FromQuery[str] = "", district: FromQuery[str] = ""
) -> Template:
    chosen = {"field": _choice(field, DemandField), "district": _choice(district, District)}
    # The service of GET /matching/demands: published, partly matched and matched demands, newest publication first.
    page = await demands.public_list(signed_in(request), paging, field=chosen["field"], district=chosen["district"])
    labels, _ = await tag_labels()
    query = "&".join(f"{name}={value}" for name, value in chosen.items() if value)
    return render(
        request,
        "matching/demands.html",
        title="社区需求清单",
        demands=page.items,
        total=page.total,
        next_offset=next_offset(paging, page.has_more),
        limit=paging.limit,
        filters={name: value or "" for name, value in chosen.items()},
        filter_query=query,
        fields=FIELD_CHOICES,
        districts=DISTRICT_CHOICES,
        district_labels=DISTRICT_LABELS,
        tag_labels=labels,
        takeable={d.id for d in page.items if DEMAND.has(d.status, "takeable")},
        yuan=yuan,
    )


async def _approved_offers(principal: Principal | None) -> list[tuple[str, str]]:
    """The organisation's offers that may apply (入库), for the application form's choice (GET /matching/offers)."""
    if principal is None or principal.role is not Role.applicant:
        return []
    page = await offers.list_for(principal, PageParams(limit=MAX_LIMIT), OfferStatus.approved)
    return [(str(o.id), o.title) for o in page.items]


async def _demand_page(
    request: Request[Any, Any, Any],
    demand_id: int,
    values: dict[str, str] | None = None,
    errors: FieldErrors | None = None,
    status: int = 200,
) -> Template:
    principal = signed_in(request)
    demand = await demands.read_for(principal, demand_id)  # GET /matching/demands/{id}: unpublished → the 404 page
    labels, _ = await tag_labels()
    return render(
        request,
        "matching/demand.html",
        status=status,
        title=demand.title,
        demand=demand,
        contact=isinstance(demand, DemandRead),  # the service decides who sees the contact
        takeable=DEMAND.has(demand.status, "takeable"),
        applicant=principal is not None and principal.role is Role.applicant,
        my_offers=await _approved_offers(principal),
        values=values or {"offer_id": "", "message": ""},
        errors=errors or {},
        district_labels=DISTRICT_LABELS,
        tag_labels=labels,
        yuan=yuan,
    )


@get("/demands/{demand_id:int}", opt=page_opt(PUBLIC))
async def demand_detail(request: Request[Any, Any, Any], demand_id: FromPath[int]) -> Template:
    return await _demand_page(request, demand_id)


@post("/demands/{demand_id:int}/bids", opt=page_opt(APPLICANTS), status_code=303)
async def apply_for_demand(
    request: Request[Any, Any, Any], principal: CurrentPrincipal, demand_id: FromPath[int]
) -> Response[Any]:
    """申请承接 (POST /matching/demands/{id}/bids): the community then chooses, and the organisation 接单 the order."""
    form = await request.form()
    values = {name: str(form.get(name, "")).strip() for name in BID_FIELDS}
    try:
        body = {"message": values["message"], "offer_id": whole_number(values["offer_id"])}
        await bids.apply(
            principal, demand_id, BidCreate.model_validate({k: v for k, v in body.items() if v is not None})
        )
    except ValidationError as exc:
        return await _demand_page(request, demand_id, values, pydantic_errors(exc, BID_FIELDS), 422)
    except DomainError as error:
        if error.status == 404:
            raise
        return await _demand_page(request, demand_id, values, domain_errors(error, BID_FIELDS), error.status)
    response = Redirect("/portal/bids", status_code=303)
    leave_notice(response, "已提交承接申请，请等待社区选择；选定后在「我的订单」中确认接单")
    return response


@get("/bids", opt=page_opt(APPLICANTS))
async def my_bids(request: Request[Any, Any, Any], principal: CurrentPrincipal, paging: Paging) -> Template:
    page = await bids.list_mine(principal, paging)  # the service of GET /matching/bids
    titles = await _titles({b.demand_id for b in page.items}, {b.offer_id for b in page.items})
    return render(
        request,
        "matching/bids.html",
        title="我的承接申请",
        bids=page.items,
        titles=titles,
        withdrawable={b.id for b in page.items if "withdraw" in applicant_steps(BID, b.status)},
        total=page.total,
        next_offset=next_offset(paging, page.has_more),
        limit=paging.limit,
    )


async def _titles(demand_ids: set[int], offer_ids: set[int]) -> dict[str, dict[int, str]]:
    """The demands' and offers' titles for a page of applications: one query each."""
    demand_rows = await Demand.select(Demand.id, Demand.title).where(Demand.id.is_in(sorted(demand_ids) or [0]))
    offer_rows = await ServiceOffer.select(ServiceOffer.id, ServiceOffer.title).where(
        ServiceOffer.id.is_in(sorted(offer_ids) or [0])
    )
    return {
        "demand": {int(r["id"]): str(r["title"]) for r in demand_rows},
        "offer": {int(r["id"]): str(r["title"]) for r in offer_rows},
    }


@post("/bids/{bid_id:int}/withdraw", opt=page_opt(APPLICANTS), status_code=303)
async def withdraw_bid(principal: CurrentPrincipal, bid_id: FromPath[int]) -> Response[Any]:
    await bids.withdraw(principal, bid_id)  # POST /matching/bids/{id}/withdraw; a refusal is the error page
    response = Redirect("/portal/bids", status_code=303)
    leave_notice(response, f"承接申请{BID.states[BidStatus.withdrawn]}")
    return response


DEMAND_PAGES = [open_demands, demand_detail, apply_for_demand, my_bids, withdraw_bid]
