"""训练营 in the admin (issue 16, task 7): the camps in scope (a section of ``/admin/incubation``) and
``/admin/camps/{id}``: its sessions with attendance counts (and one session's attendance), its registrations with
the wait list, and the camp forms' actions — open / close / cancel with a reason (``camps.step``), cancel a
registration (``registrations.cancel``: the first on the wait list moves up), correct an attendance with a reason
(``attendance.correct_attendance`` after ``AttendanceCorrection``) and issue the certificates
(``certificates.issue_for_camp``). The same services as the forms, with the officer's principal.

A camp outside a district officer's district is the uniform 404 (the services' ``load``).
"""

from __future__ import annotations

from typing import Any

from piccolo.query.functions.aggregate import Count
from pydantic import ValidationError
from starlette.responses import Response

from app.admin.pages.html import csrf_field, esc, first, options, page, query_string, redirect, when
from app.admin.pages.parts import alert, button_form, district_zh, form_id, link, notice, reason_form, section, table
from app.admin.pages.routing import PageRequest, PageRoute
from app.admin.reference import validation_message
from app.auth.principal import Principal
from app.errors import DomainError
from app.paging import DEFAULT_LIMIT, MAX_LIMIT, PageParams
from programmes.camps.schemas import CampRead, RegistrationRead, SessionRead
from programmes.camps.schemas_attendance import AttendanceCorrection
from programmes.camps.tables import CampSession, SessionAttendance
from programmes.workflows.camps import CampStatus, RegistrationStatus

# The flow's buttons by state (the workflow refuses the rest anyway); cancelling needs a reason.
_STEPS = {"draft": ("open",), "open": ("close",)}
STEP_ZH = {"open": "开放报名", "close": "截止报名", "cancel": "取消训练营"}
DONE_ZH = {
    "open": "已开放报名",
    "close": "已截止报名",
    "cancel": "训练营已取消",
    "cancel_registration": "报名已取消；如有候补，第一位已自动转正并收到通知",
    "correct": "出勤已更正，并记入审计日志",
}


def camp_url(camp_id: int) -> str:
    return f"/admin/camps/{camp_id}"


async def _session_counts(camp_ids: list[int]) -> dict[int, int]:
    if not camp_ids:
        return {}
    rows = (
        await CampSession.select(CampSession.camp, Count(alias="n"))
        .where(CampSession.camp.is_in(camp_ids))
        .group_by(CampSession.camp)
    )
    return {int(r["camp"]): int(r["n"]) for r in rows}


async def camps_section(principal: Principal) -> str:
    """The camps in scope, newest first (the first page of ``list_camps``), for the 沪社星耀与训练营 page."""
    from programmes.camps import camps

    listed = await camps.list_camps(principal, PageParams(limit=DEFAULT_LIMIT))
    sessions = await _session_counts([c.id for c in listed.items])
    rows = [
        (
            link(camp_url(c.id), c.title),
            c.kind_zh,
            c.audience_zh,
            sessions.get(c.id, 0),
            f"{c.seats_taken}/{c.capacity}（候补 {c.waitlisted}）",
            c.status_zh,
            district_zh(c.scope_district),
        )
        for c in listed.items
    ]
    headers = ("训练营", "类型", "报名对象", "场次", "已报名/名额", "状态", "主办")
    intro = (
        f"<p>共 {listed.total} 个（最新在前，本页最多 {DEFAULT_LIMIT} 个）。"
        "新建训练营与场次请用「训练营」下的表单。</p>"
    )
    return section("camps", "训练营", intro + table("范围内的训练营", headers, rows))


async def _attended(session_ids: list[int]) -> dict[int, int]:
    if not session_ids:
        return {}
    rows = (
        await SessionAttendance.select(SessionAttendance.session, Count(alias="n"))
        .where(SessionAttendance.session.is_in(session_ids), SessionAttendance.checked_in_at.is_not_null())
        .group_by(SessionAttendance.session)
    )
    return {int(r["session"]): int(r["n"]) for r in rows}


def _session_rows(camp: CampRead, sessions: list[SessionRead], attended: dict[int, int]) -> list[tuple[Any, ...]]:
    return [
        (
            s.title,
            f"{s.session_date:%Y-%m-%d} {s.start_time:%H:%M}–{s.end_time:%H:%M}",
            s.place or s.online_link or "—",
            s.trainer,
            f"{attended.get(s.id, 0)}/{camp.seats_taken}",
            link(f"{camp_url(camp.id)}{query_string({'session': str(s.id)})}#s-attendance", "查看出勤"),
        )
        for s in sessions
    ]


def _registration_rows(
    scope: dict[str, Any], camp_id: int, regs: list[RegistrationRead], error: str, error_id: int | None
) -> list[tuple[Any, ...]]:
    return [
        (
            r.organisation_name,
            len(r.participants),
            r.status_zh + (f"（第 {r.waitlist_position} 位）" if r.waitlist_position else ""),
            when(r.created_at),
            reason_form(
                scope,
                camp_url(camp_id),
                "取消报名",
                {"action": "cancel_registration", "registration_id": r.id},
                field_id=f"cancel-{r.id}",
                reason_label=f"取消「{r.organisation_name}」报名的原因",
                error=error if error_id == r.id else "",
            )
            if r.status != RegistrationStatus.cancelled
            else r.reason or "—",
        )
        for r in regs
    ]


def _correction_form(
    scope: dict[str, Any], camp_id: int, sessions: list[SessionRead], regs: list[RegistrationRead], error: str
) -> str:
    seated = [(str(r.id), r.organisation_name) for r in regs if r.status == RegistrationStatus.registered]
    if not sessions or not seated:
        return "<p>尚无场次或正式报名，暂不能更正出勤。</p>"
    described = ' aria-describedby="correct-error" aria-invalid="true"' if error else ""
    message = f'<p class="error" id="correct-error" role="alert">{esc(error)}</p>' if error else ""
    return (
        f'<form method="post" action="{camp_url(camp_id)}">{csrf_field(scope)}'
        '<input type="hidden" name="action" value="correct"><label for="correct-session">场次</label>'
        f'<select id="correct-session" name="session_id">{options([(str(s.id), s.title) for s in sessions], "")}'
        f'</select><label for="correct-registration">报名单位</label><select id="correct-registration" '
        f'name="registration_id">{options(seated, "")}</select><label for="correct-present">更正为</label>'
        f'<select id="correct-present" name="present">{options([("1", "出勤"), ("0", "缺勤")], "1")}</select>'
        f'<label for="correct-reason">更正理由（必填，记入审计日志）</label><input id="correct-reason" name="reason" '
        f'maxlength="500"{described}>{message}<button type="submit">更正出勤</button></form>'
    )


async def _attendance(principal: Principal, camp: CampRead, sessions: list[SessionRead], chosen: int | None) -> str:
    from programmes.camps.attendance import list_attendance

    session = next((s for s in sessions if s.id == chosen), None)
    if session is None:
        return ""
    marks = await list_attendance(principal, session.id, PageParams(limit=MAX_LIMIT))
    rows = [
        (m.organisation_name, "出勤" if m.present else "缺勤", when(m.checked_in_at), m.reason or "—")
        for m in marks.items
    ]
    return section(
        "attendance",
        f"出勤：{session.title}",
        table("正式报名单位的出勤", ("报名单位", "出勤", "签到时间（北京时间）", "更正理由"), rows),
    )


async def camp_page(
    request: PageRequest, *, error: str = "", error_field: str = "", error_id: int | None = None, status: int = 200
) -> Response:
    from programmes.camps import camps, registrations

    principal, camp_id, scope = request.principal, request.object_id, request.scope
    camp = await camps.read_for(principal, camp_id)
    sessions = (await camps.list_sessions(principal, camp_id, PageParams(limit=MAX_LIMIT))).items
    regs = (await registrations.list_for_camp(principal, camp_id, PageParams(limit=MAX_LIMIT))).items
    attended = await _attended([s.id for s in sessions])
    url = camp_url(camp_id)
    steps = [button_form(scope, url, STEP_ZH[a], {"action": a}) for a in _STEPS.get(camp.status, ())]
    steps.append(button_form(scope, url, "发放结业证书", {"action": "certificates"}))
    cancel = ""
    if camp.status != CampStatus.cancelled:
        cancel = reason_form(
            scope,
            url,
            "取消训练营",
            {"action": "cancel"},
            field_id="cancel-camp",
            reason_label="取消训练营的原因（报名单位将收到）",
            error=error if error_field == "cancel" else "",
        )
    summary = (
        f'<dl class="answers"><dt>类型</dt><dd>{esc(camp.kind_zh)}</dd>'
        f"<dt>报名对象</dt><dd>{esc(camp.audience_zh)}</dd>"
        f"<dt>主办</dt><dd>{esc(district_zh(camp.scope_district))}</dd><dt>状态</dt><dd>{esc(camp.status_zh)}</dd>"
        f"<dt>名额</dt><dd>已报名 {camp.seats_taken} / {camp.capacity}，候补 {camp.waitlisted}</dd>"
        f"<dt>结业要求</dt><dd>出勤不少于 {camp.completion_min_percent}%</dd></dl>"
        '<p><a href="/admin/incubation">返回沪社星耀与训练营</a></p>'
    )
    done = DONE_ZH.get(request.params.get("done", ""), "")
    if request.params.get("done") == "certificates":
        done = f"新发结业证书 {request.params.get('issued', '0')} 张（共 {request.params.get('total', '0')} 张）"
    chosen = request.params.get("session", "")
    # A refusal sits next to its field when that form is on the page, else at the top.
    live = {r.id for r in regs if r.status != RegistrationStatus.cancelled}
    beside = error_field in ("cancel", "correct") or (error_field == "registration" and error_id in live)
    body = notice(done) + (alert(error) if error and not beside else "")
    body += section("summary", "训练营概况", summary)
    body += section("actions", "流程操作", " ".join(steps) + cancel)
    session_headers = ("场次", "时间（北京时间）", "地点", "讲师", "出勤/正式报名", "出勤明细")
    body += section(
        "sessions", "场次", table("场次与出勤人数", session_headers, _session_rows(camp, sessions, attended))
    )
    body += await _attendance(principal, camp, sessions, int(chosen) if chosen.isdigit() and len(chosen) < 10 else None)
    reg_headers = ("报名单位", "参训人数", "状态", "报名时间（北京时间）", "取消")
    body += section(
        "registrations",
        "报名与候补",
        table(
            "报名（按报名先后）",
            reg_headers,
            _registration_rows(scope, camp_id, regs, error if error_field == "registration" else "", error_id),
        ),
    )
    body += section(
        "correct",
        "更正出勤",
        _correction_form(scope, camp_id, sessions, regs, error if error_field == "correct" else ""),
    )
    return page(f"训练营：{camp.title}", body, status=status)


async def camp_act(request: PageRequest) -> Response:
    from programmes.camps import camps, registrations
    from programmes.camps.attendance import correct_attendance
    from programmes.camps.certificates import issue_for_camp

    principal, camp_id, form = request.principal, request.object_id, request.form
    await camps.read_for(principal, camp_id)  # out of scope: the uniform 404 first
    action, reason = first(form, "action"), first(form, "reason").strip()
    field = {"cancel": "cancel", "cancel_registration": "registration", "correct": "correct"}.get(action, "")
    registration_id = form_id(form, "registration_id")
    try:
        if action in ("open", "close"):
            await camps.step(principal, camp_id, action)
        elif action == "cancel":
            if len(reason) < 2:
                return await camp_page(request, error="取消训练营须填写原因", error_field=field, status=422)
            await camps.step(principal, camp_id, "cancel", reason[:500])
        elif action == "cancel_registration":
            if registration_id is None or (await registrations.read_for(principal, registration_id)).camp_id != camp_id:
                return await camp_page(request, error="请选择本训练营的一个报名", status=422)
            await registrations.cancel(principal, registration_id, reason[:500])
        elif action == "correct":
            session_id = form_id(form, "session_id")
            if session_id is None or registration_id is None:
                return await camp_page(request, error="请选择场次和报名单位", error_field=field, status=422)
            try:
                body = AttendanceCorrection(present=first(form, "present") == "1", reason=reason)
            except ValidationError as exc:
                return await camp_page(request, error=validation_message(exc), error_field=field, status=422)
            await correct_attendance(principal, session_id, registration_id, body)
        elif action == "certificates":
            done = await issue_for_camp(principal, camp_id)
            counts = {"done": "certificates", "issued": str(done.issued), "total": str(done.total)}
            return redirect(f"{camp_url(camp_id)}{query_string(counts)}")
        else:
            return await camp_page(request, error="不支持的操作", status=422)
    except DomainError as exc:
        if exc.status == 404 and action not in ("correct", "cancel_registration"):
            raise
        return await camp_page(request, error=exc.detail, error_field=field, error_id=registration_id, status=422)
    return redirect(f"{camp_url(camp_id)}?done={action}")


CAMP_ROUTES = [
    PageRoute(r"/camps/(?P<id>[0-9]{1,10})", camp_page, camp_act),
]
