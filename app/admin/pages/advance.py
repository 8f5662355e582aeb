"""晋级下一阶段 on a round's 公示 / 晋级 page: the quota (晋级总数, 分数线, per track, per applicant district) typed
into a GET form, the preview in ranking order with why each entry is out, the ties at the cut lines each decided
explicitly (which tied entries pass, with a reason), then the confirmation. The API's model and services
(``StageQuota`` / ``StageTieDecision`` and ``scoring.advancement.service.preview / decide_tie / commit``), so the
quota, tie and carry rules, audit rows and notifications are the API's.

The quota travels in the query string (``top_n``, ``cutoff``, ``track-<id>``, ``district-<code>``) and in hidden
fields of the two POST forms, so the preview, a tie decision and the confirmation all use the same one.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from app.admin.pages.feedback import Outcome, Refusal, error_of, form_int, invalid, refused, typed_of
from app.admin.pages.html import csrf_field, esc, first, status_zh
from app.admin.pages.publication_round import RoundContext, district_zh, publication_url
from app.admin.pages.reader import application_url
from app.auth.principal import Principal
from app.errors import DomainError
from app.reference import District
from programmes.tables import Application
from scoring.advancement.schemas import StageEntryRead, StagePreviewRead, StageQuota, StageTieDecision
from scoring.tables import RankingEntry

REASON_ZH = {
    "below_cutoff": "低于分数线",
    "top_n_reached": "超出晋级总数",
    "group_full": "赛道名额已满",
    "district_full": "区名额已满",
    "tie": "入围线并列，裁定未晋级",
}
SHOWN_ENTRIES = 500  # the preview's table; the counts above it are over every entry


def quota_values(source: dict[str, str], context: RoundContext) -> dict[str, str]:
    """The quota fields of a query string or form, only those this round can have (bounded: the model says what
    is wrong with a long value, nothing is cut into a valid one)."""
    names = [
        "top_n",
        "cutoff",
        *(f"track-{t}" for t in context.track_names),
        *(f"district-{d.value}" for d in District),
    ]
    return {name: source[name].strip()[:32] for name in names if source.get(name, "").strip()}


def _quota_body(values: dict[str, str], context: RoundContext) -> tuple[dict[str, Any], dict[str, str]]:
    """The ``StageQuota`` body and, for its errors, which field each body location was typed into."""
    body: dict[str, Any] = {
        "top_n": form_int(values.get("top_n", "")),
        "cutoff": values.get("cutoff") or None,
        "track_quotas": [],
        "district_quotas": [],
    }
    ids = {"top_n": "adv-top_n", "cutoff": "adv-cutoff"}
    for track_id in context.track_names:
        if text := values.get(f"track-{track_id}"):
            ids[f"track_quotas.{len(body['track_quotas'])}.quota"] = f"adv-track-{track_id}"
            body["track_quotas"].append({"track_id": track_id, "quota": form_int(text)})
    for district in District:
        if text := values.get(f"district-{district.value}"):
            ids[f"district_quotas.{len(body['district_quotas'])}.quota"] = f"adv-district-{district.value}"
            body["district_quotas"].append({"district": district.value, "quota": form_int(text)})
    return body, ids


def _typed(values: dict[str, str]) -> dict[str, str]:
    return {f"adv-{k}": v for k, v in values.items()}


def parse_quota(values: dict[str, str], context: RoundContext) -> StageQuota | Refusal:
    body, ids = _quota_body(values, context)
    try:
        return StageQuota.model_validate(body)
    except ValidationError as exc:
        return invalid(exc, ids, _typed(values), "adv-top_n")


def _hidden(values: dict[str, str]) -> str:
    return "".join(f'<input type="hidden" name="{esc(k)}" value="{esc(v)}">' for k, v in values.items())


def _input(field_id: str, name: str, label: str, refusal: Refusal | None, values: dict[str, str], hint: str) -> str:
    attrs, error = error_of(refusal, field_id)
    value = typed_of(refusal, field_id, values.get(name, ""))
    return (
        f'<label for="{field_id}">{esc(label)}<input id="{field_id}" name="{esc(name)}" value="{esc(value)}" '
        f'size="8" placeholder="{esc(hint)}"{attrs}></label>{error}'
    )


async def _districts(round_id: int) -> list[str]:
    """The applicant districts of the round's ranked entries: the districts a quota can matter for."""
    rows = await (
        RankingEntry.select(RankingEntry.application._.organisation_district.as_alias("district"))
        .where(RankingEntry.round == round_id)
        .distinct()
    )
    present = {r["district"] for r in rows}
    return [d.value for d in District if d.value in present]


async def _quota_form(context: RoundContext, values: dict[str, str], refusal: Refusal | None) -> str:
    general = _input("adv-top_n", "top_n", "晋级总数", refusal, values, "不限") + _input(
        "adv-cutoff", "cutoff", "分数线（含）", refusal, values, "不限"
    )
    tracks = "".join(
        _input(f"adv-track-{i}", f"track-{i}", f"「{name}」", refusal, values, "按赛道设置")
        for i, name in context.track_names.items()
    )
    districts = "".join(
        _input(f"adv-district-{d}", f"district-{d}", district_zh(d), refusal, values, "不限")
        for d in await _districts(context.id)
    )
    return (
        f'<form method="get" class="filters" action="{publication_url(context.id)}#s-advance">'
        f"<fieldset><legend>名额（留空表示不限；赛道留空取赛道设置的入围名额）</legend>{general}</fieldset>"
        + (f"<fieldset><legend>各赛道晋级名额</legend>{tracks}</fieldset>" if tracks else "")
        + (f"<fieldset><legend>各区晋级名额（按申报单位所在区）</legend>{districts}</fieldset>" if districts else "")
        + '<button type="submit">按此名额预览晋级名单</button></form>'
    )


def line_zh(line: str, context: RoundContext) -> str:
    kind, _, key = line.partition(":")
    if kind == "track":
        return f"赛道「{context.track_names.get(int(key), key) if key.isdigit() else key}」名额线"
    if kind == "district":
        return f"{district_zh(key)}名额线"
    return "晋级总数线"


def _tie_id(line: str, rank: int) -> str:
    return f"tie-{line.replace(':', '-')}-{rank}"


def _ties(
    scope: dict[str, Any],
    context: RoundContext,
    seen: StagePreviewRead,
    titles: dict[int, str],
    values: dict[str, str],
    refusal: Refusal | None,
) -> str:
    if not seen.ties:
        return "<p>入围线上没有并列。</p>"
    parts = []
    for tie in seen.ties:
        names = "、".join(titles.get(a, str(a)) for a in tie.tied_application_ids)
        count = len(tie.tied_application_ids)
        head = f"{line_zh(tie.line, context)}：第 {tie.rank} 名并列 {count} 个（{names}），可晋级 {tie.places} 个"
        if tie.decided:
            passed = "、".join(titles.get(a, str(a)) for a in tie.passed_application_ids or [])
            parts.append(f"<li>{esc(head)}。<strong>已裁定晋级：{esc(passed)}</strong></li>")
            continue
        tie_id = _tie_id(tie.line, tie.rank)
        _, passed_error = error_of(refusal, f"{tie_id}-passed")
        reason_attrs, reason_error = error_of(refusal, f"{tie_id}-reason")
        boxes = "".join(
            f'<input type="checkbox" name="passed" value="{a}" id="{tie_id}-{a}">'
            f'<label style="display:inline" for="{tie_id}-{a}">{esc(titles.get(a, str(a)))}</label> '
            for a in tie.tied_application_ids
        )
        parts.append(
            f"<li>{esc(head)}。<strong>待裁定</strong>"
            f'<form method="post" action="{publication_url(context.id)}">{csrf_field(scope)}{_hidden(values)}'
            '<input type="hidden" name="action" value="decide_tie">'
            f'<input type="hidden" name="line" value="{esc(tie.line)}">'
            f'<input type="hidden" name="rank" value="{tie.rank}">'
            f'<fieldset id="{tie_id}-passed"><legend>勾选晋级的 {tie.places} 个</legend>{boxes}</fieldset>'
            f'{passed_error}<label for="{tie_id}-reason">裁定理由（记入审计日志，至少 2 个字）</label>'
            f'<textarea id="{tie_id}-reason" name="reason" rows="2"{reason_attrs}>'
            f"{esc(typed_of(refusal, f'{tie_id}-reason'))}</textarea>{reason_error}"
            '<button type="submit">裁定并列</button></form></li>'
        )
    return f"<ul>{''.join(parts)}</ul>"


def _outcome(e: StageEntryRead, undecided: set[int]) -> str:
    if e.application_id in undecided:  # the preview's pick is no decision: the officer's is still to come
        return "入围线并列，待裁定"
    return "晋级" if e.advancing else "未晋级：" + REASON_ZH.get(e.reason or "", e.reason or "—")


def _entries(context: RoundContext, seen: StagePreviewRead, organisations: dict[int, str]) -> str:
    undecided = {a for t in seen.ties if not t.decided for a in t.tied_application_ids}
    rows = "".join(
        f'<tr><td>{e.rank}</td><td><a href="{application_url(e.application_id)}">{esc(e.title)}</a></td>'
        f"<td>{esc(organisations.get(e.application_id, '—'))}</td>"
        f"<td>{esc(context.track_names.get(e.track_id, '—') if e.track_id else '—')}</td>"
        f"<td>{esc(district_zh(e.district))}</td><td>{esc(status_zh(context.kind, e.status))}</td>"
        f"<td>{esc(_outcome(e, undecided))}</td>"
        f"<td>{'已带入' if e.carried_entry_id else '—'}</td></tr>"
        for e in seen.entries[:SHOWN_ENTRIES]
    )
    more = f"<p>仅显示前 {SHOWN_ENTRIES} 名。</p>" if len(seen.entries) > SHOWN_ENTRIES else ""
    return (
        '<table><caption>晋级预览（按排名）</caption><thead><tr><th scope="col">名次</th><th scope="col">申报项目</th>'
        '<th scope="col">申报单位</th><th scope="col">赛道</th><th scope="col">所在区</th><th scope="col">当前状态</th>'
        f'<th scope="col">预览结果</th><th scope="col">下一阶段</th></tr></thead><tbody>{rows}</tbody></table>{more}'
    )


def _commit_form(
    scope: dict[str, Any],
    context: RoundContext,
    seen: StagePreviewRead,
    values: dict[str, str],
    refusal: Refusal | None,
) -> str:
    if seen.next_round_name is None:
        return "<p>本轮是本届最后一个阶段，没有可晋级的下一阶段。</p>"
    if seen.committed:
        return f'<p class="notice">本阶段的晋级已确认，晋级项目已带入「{esc(seen.next_round_name)}」。</p>'
    _, error = error_of(refusal, "adv-commit")
    going = sum(e.advancing for e in seen.entries)
    plan = (
        f"尚有 {seen.undecided_ties} 处入围线并列待裁定，裁定后方可确认。"
        if seen.undecided_ties
        else f"按以上名额确认：{going} 个项目晋级并带入「{esc(seen.next_round_name)}」，其余为未晋级，均通知申报单位。"
    )
    return (
        f'<form method="post" action="{publication_url(context.id)}">{csrf_field(scope)}{_hidden(values)}'
        f'<input type="hidden" name="action" value="advance"><p>{plan}</p>'
        f'<button type="submit" id="adv-commit">确认晋级</button>{error}</form>'
    )


async def advance_section(
    scope: dict[str, Any], principal: Principal, context: RoundContext, values: dict[str, str], refusal: Refusal | None
) -> str:
    from scoring.advancement import service

    form = await _quota_form(context, values, refusal)
    quota = parse_quota(values, context)
    if isinstance(quota, Refusal):
        return form
    try:
        seen = await service.preview(principal, context.id, quota)
    except DomainError as exc:
        if exc.status == 404:
            raise
        return f'{form}<p class="error" role="alert">{esc(exc.detail)}</p>'
    ids = [e.application_id for e in seen.entries]
    organisation: Any = Application.organisation
    names = await Application.select(Application.id, organisation.name.as_alias("name")).where(
        Application.id.is_in(ids or [0])
    )
    titles = {e.application_id: e.title for e in seen.entries}
    going = sum(e.advancing for e in seen.entries)
    summary = (
        f"<p>下一阶段：{esc(seen.next_round_name or '无')}。"
        f"共 {len(seen.entries)} 个已排名项目，按此名额晋级 {going} 个；"
        f"待裁定并列 {seen.undecided_ties} 处。</p>"
    )
    return (
        f"{form}{summary}<h3>入围线并列</h3>{_ties(scope, context, seen, titles, values, refusal)}"
        f"{_entries(context, seen, {n['id']: n['name'] for n in names})}"
        f"{_commit_form(scope, context, seen, values, refusal)}"
    )


async def decide_tie(principal: Principal, context: RoundContext, form: dict[str, list[str]]) -> Outcome:
    from scoring.advancement import service

    values = quota_values({k: first(form, k) for k in form}, context)
    line, rank = first(form, "line"), form_int(first(form, "rank"))
    tie_id = _tie_id(line, rank) if isinstance(rank, int) else "adv-top_n"
    typed = {**_typed(values), f"{tie_id}-reason": first(form, "reason")}
    body, ids = _quota_body(values, context)
    passed = [int(v) for v in form.get("passed", []) if v.isdigit() and len(v) <= 9]
    body |= {"line": line, "rank": rank, "passed_application_ids": passed, "reason": first(form, "reason")}
    ids |= {"passed_application_ids": f"{tie_id}-passed", "reason": f"{tie_id}-reason"}
    try:
        decision = StageTieDecision.model_validate(body)
    except ValidationError as exc:
        return invalid(exc, ids, typed, f"{tie_id}-reason")
    try:
        await service.decide_tie(principal, context.id, decision)
    except DomainError as exc:
        where = f"{tie_id}-passed" if exc.code == "cut_line_decision_invalid" else f"{tie_id}-reason"
        return refused(where, exc, typed)
    return "tie"


async def commit_advance(principal: Principal, context: RoundContext, form: dict[str, list[str]]) -> Outcome:
    from scoring.advancement import service

    values = quota_values({k: first(form, k) for k in form}, context)
    quota = parse_quota(values, context)
    if isinstance(quota, Refusal):
        return quota
    try:
        await service.commit(principal, context.id, quota)
    except DomainError as exc:  # an undecided tie: the ties are listed above with their names
        hint = "请先在上方「入围线并列」中裁定" if exc.code == "cut_line_tie_undecided" else ""
        return refused("adv-commit", exc, _typed(values), hint=hint)
    return "advanced"
