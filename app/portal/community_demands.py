"""The community's demand pages (需求清单): its own demands, writing and editing one, the workflow's steps (submit,
revise, close), the applications it received with the choose step, and the recommended offers with their reasons.
Each page calls the service its /matching route calls, with the session's principal; a demand of another community
is the uniform 404 (the room's access policy, the one the services apply)."""

from __future__ import annotations

from typing import Any

from litestar import Request, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template
from pydantic import ValidationError

from app.access import load
from app.auth.principal import COMMUNITIES, CurrentPrincipal, Principal
from app.errors import DomainError
from app.paging import Paging
from app.portal.community_forms import (
    FIELD_CHOICES,
    budget_text,
    demand_of_form,
    empty_entry,
    entered_of,
    organisation_names,
    service_errors,
    tag_choices,
    tag_labels,
)
from app.portal.fields import FieldErrors, next_offset, pydantic_errors
from app.portal.frame import leave_notice, page_opt, render
from programmes.matching import bids, demands, recommend
from programmes.matching.schemas_demand import DemandRead, OptionalReason
from programmes.matching.tables import Demand, ServiceOffer
from programmes.workflows.demand import COMMUNITY, DEMAND
from programmes.workflows.orders import BidStatus

BASE = "/portal/community/demands"


def _may(status: str, action: str) -> bool:
    """Whether the workflow offers the community this step now (the button's presence; the service decides)."""
    return DEMAND.permits(status, action, COMMUNITY)[0]


@get("/community/demands", opt=page_opt(COMMUNITIES))
async def demand_list(request: Request[Any, Any, Any], principal: CurrentPrincipal, paging: Paging) -> Template:
    community = await demands.caller_community(principal)
    page = await demands.community_demands(principal, paging)  # the service of GET /matching/my/demands
    return render(
        request,
        "community/demands.html",
        title="需求清单",
        community=community,
        demands=page.items,
        total=page.total,
        next_offset=next_offset(paging, page.has_more),
        limit=paging.limit,
        budget_text=budget_text,
    )


async def _form_page(
    request: Request[Any, Any, Any],
    entered: dict[str, Any],
    errors: FieldErrors,
    *,
    demand: DemandRead | None = None,
    status: int = 200,
) -> Template:
    return render(
        request,
        "community/demand_form.html",
        status=status,
        title="修改需求" if demand else "发布新需求",
        demand=demand,
        entered=entered,
        errors=errors,
        fields=FIELD_CHOICES,
        tags=await tag_choices(),
    )


@get("/community/demands/new", opt=page_opt(COMMUNITIES))
async def demand_new(request: Request[Any, Any, Any], principal: CurrentPrincipal) -> Template:
    await demands.caller_community(principal)  # an account without a community is refused as the API refuses it
    return await _form_page(request, empty_entry(), {})


@post("/community/demands/new", opt=page_opt(COMMUNITIES), status_code=303)
async def demand_create(request: Request[Any, Any, Any], principal: CurrentPrincipal) -> Template | Redirect:
    entered, data, errors = demand_of_form(await request.form())
    if data is None:
        return await _form_page(request, entered, errors, status=422)
    try:
        created = await demands.create(principal, data)  # the service of POST /matching/demands
    except DomainError as error:
        return await _form_page(request, entered, service_errors(error), status=error.status)
    response = Redirect(f"{BASE}/{created.id}", status_code=303)
    leave_notice(response, "需求已保存为草稿，确认无误后请提交审核")
    return response


async def _own(principal: Principal, demand_id: int) -> DemandRead:
    """The caller's community's demand in any state, or the uniform 404 (the policy ``community`` the demand
    services check; the public read alone would show another community's published demand)."""
    await load(principal, Demand, demand_id, "community", columns=(Demand.id, Demand.community))
    found = await demands.read_for(principal, demand_id)  # the service of GET /matching/demands/{id}
    assert isinstance(found, DemandRead)  # its own community sees the whole demand
    return found


@get("/community/demands/{demand_id:int}/edit", opt=page_opt(COMMUNITIES))
async def demand_edit(
    request: Request[Any, Any, Any], principal: CurrentPrincipal, demand_id: FromPath[int]
) -> Template:
    demand = await _own(principal, demand_id)
    return await _form_page(request, entered_of(demand), {}, demand=demand)


@post("/community/demands/{demand_id:int}/edit", opt=page_opt(COMMUNITIES), status_code=303)
async def demand_update(
    request: Request[Any, Any, Any], principal: CurrentPrincipal, demand_id: FromPath[int]
) -> Template | Redirect:
    demand = await _own(principal, demand_id)
    entered, data, errors = demand_of_form(await request.form())
    if data is None:
        return await _form_page(request, entered, errors, demand=demand, status=422)
    try:
        await demands.update(principal, demand_id, data)  # the service of PUT /matching/demands/{id}
    except DomainError as error:
        if error.status == 404:
            raise
        return await _form_page(request, entered, service_errors(error), demand=demand, status=error.status)
    response = Redirect(f"{BASE}/{demand_id}", status_code=303)
    leave_notice(response, "需求已修改")
    return response


async def _detail(
    request: Request[Any, Any, Any],
    principal: Principal,
    demand_id: int,
    paging: Any,
    *,
    status: int = 200,
    error: str | None = None,
    errors: FieldErrors | None = None,
) -> Template:
    applied = await bids.list_for_demand(principal, demand_id, paging)  # GET /matching/demands/{id}/bids; 404
    demand = await _own(principal, demand_id)
    names = await organisation_names(b.organisation_id for b in applied.items)
    titles = await _offer_titles(b.offer_id for b in applied.items)
    labels = await tag_labels()
    return render(
        request,
        "community/demand.html",
        status=status,
        title=demand.title,
        demand=demand,
        tag_names=[labels.get(code, code) for code in demand.tags],
        budget=budget_text(demand),
        bids=[
            {"bid": b, "organisation": names.get(b.organisation_id, "—"), "offer": titles.get(b.offer_id, "—")}
            for b in applied.items
        ],  # fmt: skip
        pending=BidStatus.pending,
        bids_total=applied.total,
        next_offset=next_offset(paging, applied.has_more),
        limit=paging.limit,
        may_edit=DEMAND.has(demand.status, "community_edits"),
        may_submit=_may(demand.status, "submit"),
        may_revise=_may(demand.status, "revise"),
        may_close=_may(demand.status, "close"),
        listed=DEMAND.has(demand.status, "listed"),
        error=error,
        errors=errors or {},
    )


async def _offer_titles(ids: Any) -> dict[int, str]:
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    rows = await ServiceOffer.select(ServiceOffer.id, ServiceOffer.title).where(ServiceOffer.id.is_in(wanted))
    return {int(row["id"]): row["title"] for row in rows}


@get("/community/demands/{demand_id:int}", opt=page_opt(COMMUNITIES))
async def demand_detail(
    request: Request[Any, Any, Any], principal: CurrentPrincipal, demand_id: FromPath[int], paging: Paging
) -> Template:
    return await _detail(request, principal, demand_id, paging)


STEPS = {"submit": (demands.submit, "需求已提交审核"), "revise": (demands.revise, "需求已退回草稿，可以修改后重新提交")}


@post(
    [f"/community/demands/{{demand_id:int}}/{step}" for step in ("submit", "revise", "close")],
    opt=page_opt(COMMUNITIES),
    status_code=303,
)
async def demand_step(
    request: Request[Any, Any, Any], principal: CurrentPrincipal, demand_id: FromPath[int], paging: Paging
) -> Template | Redirect:
    """提交审核, 修改后重新提交 and 关闭需求: the services of POST /matching/demands/{id}/submit, /revise, /close."""
    step = request.url.path.rsplit("/", 1)[-1]
    try:
        if step == "close":
            form = await request.form()
            try:
                reason = OptionalReason.model_validate({"reason": str(form.get("reason", "")).strip()})
            except ValidationError as exc:
                errors = pydantic_errors(exc, ["reason"])
                return await _detail(request, principal, demand_id, paging, status=422, error="未能关闭", errors=errors)
            await demands.close(principal, demand_id, reason.reason)
            notice = "需求已关闭"
        else:
            service, notice = STEPS[step]
            await service(principal, demand_id)
    except DomainError as error:
        if error.status == 404:
            raise
        return await _detail(request, principal, demand_id, paging, status=error.status, error=error.detail)
    response = Redirect(f"{BASE}/{demand_id}", status_code=303)
    leave_notice(response, notice)
    return response


@post("/community/bids/{bid_id:int}/choose", opt=page_opt(COMMUNITIES), status_code=303)
async def bid_choose(
    request: Request[Any, Any, Any], principal: CurrentPrincipal, bid_id: FromPath[int], paging: Paging
) -> Template | Redirect:
    """选定承接机构 (POST /matching/bids/{id}/choose): a matched order for the organisation to accept."""
    try:
        chosen = await bids.choose(principal, bid_id)
    except DomainError as error:
        if error.status == 404:
            raise
        # Not a 404: the bid is this community's, so its demand's page can say why.
        demand_id = (await bids.read(bid_id)).demand_id
        return await _detail(request, principal, demand_id, paging, status=error.status, error=error.detail)
    response = Redirect(f"{BASE}/{chosen.demand_id}", status_code=303)
    leave_notice(response, "已选定承接机构，等待机构确认接单")
    return response


@get("/community/demands/{demand_id:int}/recommendations", opt=page_opt(COMMUNITIES))
async def demand_recommendations(
    request: Request[Any, Any, Any], principal: CurrentPrincipal, demand_id: FromPath[int]
) -> Template:
    ranked = await recommend.recommendations(principal, demand_id)  # GET /matching/demands/{id}/recommendations
    demand = await _own(principal, demand_id)
    return render(
        request,
        "community/recommendations.html",
        title=f"推荐服务项目：{demand.title}",
        demand=demand,
        ranked=ranked,
    )


DEMAND_PAGES = [
    demand_list,
    demand_new,
    demand_create,
    demand_edit,
    demand_update,
    demand_detail,
    demand_step,
    bid_choose,
    demand_recommendations,
]
