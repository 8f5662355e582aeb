"""The application factory. ``app = create_app()`` is what servers import."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from litestar import Litestar, Router, asgi
from litestar.di import Provide
from litestar.exceptions import HTTPException
from litestar.handlers import HTTPRouteHandler
from litestar.openapi import OpenAPIConfig
from litestar.openapi.datastructures import ResponseSpec
from litestar.openapi.spec import Components, SecurityScheme
from litestar.types import Receive, Scope, Send

from app.auth.account_controller import AccountController
from app.auth.controllers import AuthController
from app.auth.principal import PUBLIC, Permission, enforce_permission
from app.auth.rate_limit import RateLimitMiddleware
from app.auth.role_controllers import AccountRoleController
from app.db import close_pool, open_pool
from app.docs_ui import API_TITLE, API_VERSION, OPENAPI_PATH, docs_assets, index, swagger_plugin
from app.errors import PROBLEM_JSON, Problem
from app.health import live, ready
from app.input_limits import BoundedRequest, bound_request_parameters, limit_json_bodies
from app.notifications.controllers import NotificationController
from app.observability import configure_logging, request_id_middleware
from app.organisations.controllers import OrganisationController
from app.organisations.custody_controllers import CustodyController
from app.paging import provide_paging
from app.portal import PORTAL_STATIC, PORTAL_TEMPLATES, pages_for_unmatched_portal_paths, portal_router
from app.problems import EXCEPTION_HANDLERS, http_error_handler
from app.queue import close_queue
from app.responses import TYPE_ENCODERS, BeijingTimeResponse
from app.settings import get_settings
from programmes.agreements.controllers import AgreementController
from programmes.applications.controllers import ApplicationController
from programmes.attachments.controllers import AttachmentController
from programmes.awards.controllers import AwardController
from programmes.camps.controllers import CampController
from programmes.camps.controllers_attendance import CampAttendanceController, CertificateCheckController
from programmes.catalogue.controllers import CatalogueController
from programmes.clawbacks.controllers import ClawbackController
from programmes.disbursements.controllers import DisbursementController
from programmes.draws.controllers import InspectionDrawController
from programmes.exports.controllers import ExportController
from programmes.fasttrack.controllers import FastTrackController
from programmes.incubation.controllers import IncubationController
from programmes.matching.controllers_case import CaseController, ImpactController
from programmes.matching.controllers_community import CommunityController, MatchingTagController
from programmes.matching.controllers_demand import DemandController, DemandImportController
from programmes.matching.controllers_offer import OfferController
from programmes.matching.controllers_order import MatchOrderController
from programmes.matching.controllers_session import MatchingSessionController
from programmes.opendata.controllers import OpenDataController
from programmes.payees.controllers import BankAccountController
from programmes.prizes.controllers import AwardCertificateCheckController, PrizeController
from programmes.recommendations.controllers import RecommendationController
from programmes.reports.controllers import ReportController, ReportFormController
from programmes.resources.controllers import ResourceController
from programmes.risk.controllers import RiskWarningController
from programmes.stages.controllers import StageController
from scoring.advancement.controllers import StageAdvanceController
from scoring.assignments.controllers import AssignmentController
from scoring.experts.controllers import ExpertController
from scoring.feedback.controllers import FeedbackController
from scoring.mentors.controllers import MentorController
from scoring.publication.controllers import PublicationController
from scoring.publication.open_results import OpenResultsController
from scoring.rankings.controllers import RankingController
from scoring.reviews.controllers import ReviewController
from scoring.roadshow.controllers import RoadshowController

PROBLEM_RESPONSES = {
    status: ResponseSpec(data_container=Problem, description=text, media_type=PROBLEM_JSON, generate_examples=False)
    for status, text in {
        401: "未登录或令牌无效 (not_authenticated)",
        403: "角色或范围不允许 (forbidden, scope_forbidden, transition_role_not_allowed)",
        404: "对象不存在或不在调用者范围内 (not_found)",
        409: "当前状态不允许 (transition_invalid_state, deadline_passed, budget_exceeded, …)",
        413: "请求体过大 (body_too_large)",
        422: "输入未通过校验，errors[] 逐字段说明 (validation_failed, form_answers_invalid, …)",
    }.items()
}
RATE_LIMITED_RESPONSE = ResponseSpec(
    data_container=Problem,
    description="尝试过于频繁，Retry-After 秒后再试 (too_many_requests)",
    media_type=PROBLEM_JSON,
    generate_examples=False,
)
API_DESCRIPTION = """Seedbed：上海社会组织公益创新创业大赛、沪社星耀、聚力计划的项目管理 API。

Authenticate with `POST /auth/login`, then send `Authorization: Bearer <access_token>`. Errors are
`application/problem+json` with a stable `code`, a zh-CN `detail` and per-field `errors[]`.
Every operation states its permission (权限)."""


@asynccontextmanager
async def _database_pool(app: Litestar) -> AsyncIterator[None]:
    settings = get_settings()
    await open_pool(settings.db_pool_min, settings.db_pool_max)
    try:
        yield
    finally:
        await close_pool()
        await close_queue()


def _mount_admin() -> Any:
    from app.admin import build_admin

    def built() -> Any:
        # Piccolo Admin parses JSON with its own framework: give it the API's size and depth limits first.
        return limit_json_bodies(build_admin(), get_settings().max_body_bytes)

    admin_app: list[Any] = [] if get_settings().admin_lazy else [built()]

    @asgi("/admin", is_mount=True, copy_scope=True, opt={"permission": PUBLIC}, include_in_schema=False)
    async def admin(scope: Scope, receive: Receive, send: Send) -> None:
        if not admin_app:  # admin_lazy: built once, by the first request (one event loop per worker: no race)
            admin_app.append(built())
        # Piccolo Admin runs its own session login; only admin=True users (officers, admins) get in.
        await admin_app[0](scope, receive, send)

    return admin


def _document_permissions(app: Litestar) -> None:
    """Append each route's declared permission to its OpenAPI description, so the docs never drift.

    The OpenAPI documents themselves are built by Litestar; they are declared public here.
    """
    for route in app.routes:
        for handler in getattr(route, "route_handlers", []):
            if route.path == OPENAPI_PATH or route.path.startswith(OPENAPI_PATH + "/"):
                handler.opt.setdefault("permission", PUBLIC)
            permission = handler.opt.get("permission")
            if isinstance(handler, HTTPRouteHandler) and isinstance(permission, Permission):
                base = handler.description or ""
                handler.description = f"{base}\n\n**权限 Permission:** {permission.note}".strip()
                if route.path.startswith(OPENAPI_PATH):
                    continue
                handler.responses = {**PROBLEM_RESPONSES, **(handler.responses or {})}
                if handler.opt.get("rate_limit"):
                    handler.responses = {**handler.responses, 429: RATE_LIMITED_RESPONSE}
                if not permission.is_public:
                    handler.security = [{"BearerAuth": []}]


def create_app(*, with_admin: bool = True, manage_pool: bool = True) -> Litestar:
    """Build the app. Tests pass ``manage_pool=False`` because they open the pool once per session."""
    settings = get_settings()
    settings.require_production_ready()
    configure_logging(settings.log_level)
    api = Router(
        path="/",
        route_handlers=[
            AuthController,
            AccountController,
            AccountRoleController,
            OrganisationController,
            CustodyController,
            CatalogueController,
            ApplicationController,
            AssignmentController,
            ReviewController,
            AwardController,
            DisbursementController,
            AgreementController,
            ReportController,
            ReportFormController,
            AttachmentController,
            ExportController,
            ExpertController,
            PublicationController,
            FeedbackController,  # issue 15: applicant feedback after the 公示
            OpenDataController,  # issue 15: 一公开 open data
            OpenResultsController,  # issue 15: 一公开 results of finalised 公示
            InspectionDrawController,
            RankingController,
            StageController,
            StageAdvanceController,
            BankAccountController,
            ClawbackController,
            RiskWarningController,
            OfferController,
            MatchOrderController,
            MatchingSessionController,
            NotificationController,
            CaseController,  # issue 13: 聚力计划 case library, replication
            ImpactController,  # issue 13: 聚力计划 impact statistics
            CommunityController,
            FastTrackController,
            RecommendationController,
            MentorController,
            MatchingTagController,
            DemandController,
            DemandImportController,
            IncubationController,
            CampController,
            CampAttendanceController,
            CertificateCheckController,
            RoadshowController,  # issue 15: the final (决赛路演), scored live
            PrizeController,  # issue 15: prize tiers, confirmation, award certificates
            AwardCertificateCheckController,
            ResourceController,  # issue 15: resource partners, offers, introductions of winners
        ],
    )
    handlers: list[Any] = [api, live, ready, index, docs_assets(), portal_router(), PORTAL_STATIC]
    if with_admin:
        handlers.append(_mount_admin())
    app = Litestar(
        route_handlers=handlers,
        # Bounds first: an out-of-range id is a 404 for everyone, before authentication reads anything.
        guards=[bound_request_parameters, enforce_permission],
        request_class=BoundedRequest,
        exception_handlers={**EXCEPTION_HANDLERS, HTTPException: pages_for_unmatched_portal_paths(http_error_handler)},
        middleware=[request_id_middleware, RateLimitMiddleware()],
        lifespan=[_database_pool] if manage_pool else [],
        request_max_body_size=settings.max_body_bytes,
        # Every datetime in every response in Beijing time (+08:00), converted in one place (app/responses.py).
        response_class=BeijingTimeResponse,
        # Every list route pages the same way (app/paging.py): handlers that take ``paging`` get limit/offset.
        dependencies={"paging": Provide(provide_paging)},
        type_encoders=TYPE_ENCODERS,
        # The portal's pages (app/portal, docs/adr/0020-web-pages.md).
        template_config=PORTAL_TEMPLATES,
        openapi_config=OpenAPIConfig(
            title=API_TITLE,
            version=API_VERSION,
            description=API_DESCRIPTION,
            path=OPENAPI_PATH,
            render_plugins=[swagger_plugin()],
            components=Components(
                security_schemes={
                    "BearerAuth": SecurityScheme(
                        type="http", scheme="bearer", bearer_format="JWT", description="POST /auth/login 获取"
                    )
                }
            ),
        ),
        debug=False,
        # Our JSON logging (configure_logging) stays in charge; Litestar would replace the root handler.
        logging_config=None,
    )
    _document_permissions(app)
    return app


app = create_app()
