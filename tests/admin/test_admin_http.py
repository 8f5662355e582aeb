"""Piccolo Admin over HTTP against the real app: login, language, district scope, status guard, forms, accounts."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import httpx
import pytest

from app.audit import AuditEntry
from app.auth.tables import Account, Role
from app.outbox import OutboxMessage
from app.reference import District
from programmes.tables import Application, Edition, LedgerEntry, PaymentBatch, Programme, Round
from tests import factories
from tests.admin.conftest import AdminFactory, AdminSession, draft_batch, run_worker_burst

pytestmark = pytest.mark.filterwarnings("ignore:If running sessions in production:UserWarning")

APPROVE_BATCH = "审批支付批次"
OPEN_ROUND = "开放轮次"


def ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


async def row_ids(session: AdminSession, table: str, query: str = "") -> set[int]:
    return {row["id"] for row in ok(await session.get(f"tables/{table}/{query}"))["rows"]}


async def count(session: AdminSession, table: str, query: str = "") -> int:
    return int(ok(await session.get(f"tables/{table}/count/{query}"))["count"])


def form_path(name: str) -> str:
    return f"forms/{quote(name)}/"


async def one_programme_per_scope(city: factories.User) -> dict[str | None, dict[str, Any]]:
    """Open contest rounds of a changning, a pudong and a city-level programme, by the city officer."""
    return {
        d: await factories.contest_round(city, district=District(d) if d else None)
        for d in ("changning", "pudong", None)
    }


# --- login -------------------------------------------------------------------------------------------------------


async def test_officers_and_admins_log_in_applicants_and_experts_do_not(admin_client: AdminFactory) -> None:
    anonymous = await admin_client(None, login=False)
    assert (await anonymous.get("tables/")).status_code == 401

    officer = await admin_client(Role.officer, login=False)
    assert officer.user is not None
    wrong = await officer.login(officer.user.principal.username, "not-the-password")
    assert wrong.status_code == 401
    ok(await officer.login(officer.user.principal.username))
    assert ok(await officer.get("user/"))["username"] == officer.user.principal.username
    assert "programme" in ok(await officer.get("tables/"))

    admin = await admin_client(Role.admin)
    assert "account" in ok(await admin.get("tables/"))

    _, applicant = await factories.organisation()
    expert = await factories.user(Role.expert)
    for user in (applicant, expert):
        outsider = await admin_client(None, login=False)
        # Piccolo's login gives any active user a session; the admin API lets only admin-flagged users use it.
        ok(await outsider.login(user.principal.username))
        for path in ("tables/", "tables/programme/", "tables/application/count/", "forms/", "user/"):
            assert (await outsider.get(path)).status_code == 401, path
        assert (await outsider.post(form_path(APPROVE_BATCH), {"batch_id": 1})).status_code == 401


async def test_an_admin_flag_without_a_staff_role_gets_nothing(admin_client: AdminFactory) -> None:
    """Belt and braces: even if someone ticks ``admin`` on an applicant's user, the role check still refuses."""
    from piccolo.apps.user.tables import BaseUser

    _, applicant = await factories.organisation()
    await BaseUser.update({BaseUser.admin: True}).where(BaseUser.id == applicant.id)
    session = await admin_client(None, login=False)
    ok(await session.login(applicant.principal.username))
    for path in ("tables/programme/", "tables/programme/count/", "tables/programme/ids/", "tables/fund_source/"):
        assert (await session.get(path)).status_code in (401, 403), path
    assert (await session.post(form_path(APPROVE_BATCH), {"batch_id": 1})).status_code == 403


async def test_unsafe_requests_need_the_csrf_header(admin_client: AdminFactory) -> None:
    officer = await admin_client(Role.officer)
    response = await officer.http.post(f"/admin/api/{form_path(APPROVE_BATCH)}", json={"batch_id": 1})
    assert response.status_code == 403


# --- language ----------------------------------------------------------------------------------------------------


async def test_admin_defaults_to_simplified_chinese(admin_client: AdminFactory) -> None:
    officer = await admin_client(Role.officer)
    translations = ok(await officer.http.get("/admin/public/translations/"))
    assert translations["default_language_code"] == "zh-CN"
    assert "zh-CN" in {t["language_code"] for t in translations["translations"]}
    chinese = ok(await officer.http.get("/admin/public/translations/zh-CN/"))
    assert chinese["language_code"] == "zh-CN"
    assert any("\u4e00" <= ch <= "\u9fff" for text in chinese["translations"].values() for ch in text)

    meta = ok(await officer.http.get("/admin/public/meta/"))
    assert meta["site_name"] == "Seedbed 社会组织项目管理后台"
    grouped = ok(await officer.get("tables/grouped/"))["grouped"]
    assert {"社会组织", "项目与轮次", "申报与评审", "资金", "系统"} <= set(grouped)
    assert "payment_batch" in grouped["资金"]
    forms = ok(await officer.get("forms/grouped/"))["grouped"]
    assert [f["name"] for f in forms["资金"]] == [
        APPROVE_BATCH,
        "发起追回",
        "登记退款",
        "新建支付批次",
        "排除预警",
        "导出资金汇总",
        "导出批次支付明细",
        "重新执行支付批次",
        "查看支付批次进度",
    ]
    assert [f["name"] for f in forms["社会组织"]] == ["核验银行账户", "驳回银行账户"]


# --- district scope ----------------------------------------------------------------------------------------------


async def test_district_officer_sees_only_own_district_rows(admin_client: AdminFactory) -> None:
    city = await admin_client(Role.officer)
    changning = await admin_client(Role.officer, District.changning)
    assert city.user is not None
    rounds = await one_programme_per_scope(city.user)
    ids = {d: r["programme_id"] for d, r in rounds.items()}
    own, other, city_level = ids["changning"], ids["pudong"], ids[None]

    # Whatever the caller asks for, the district filter is forced: plain, other district, operators, list form.
    for query in (
        "",
        "?scope_district=pudong",
        "?scope_district=null",
        "?scope_district__operator=is_null",
        "?scope_district__operator=not_null",
        "?scope_district__match=contains&scope_district=n",
        "?scope_district[]=pudong&scope_district[]=changning",
        "?__order=-id&__page_size=100",
    ):
        assert await row_ids(changning, "programme", query) == {own}, query
        assert await count(changning, "programme", query) == 1, query
    assert await row_ids(changning, "round") == {rounds["changning"]["id"]}
    assert await row_ids(changning, "edition", "?scope_district=pudong") == {rounds["changning"]["edition_id"]}
    # The foreign-key picker's endpoint ignores filters in piccolo_api; it is answered with the district's rows.
    assert set(ok(await changning.get("tables/programme/ids/"))) == {str(own)}
    assert set(ok(await changning.get("tables/programme/ids/?search=&limit=10&offset=0"))) == {str(own)}
    assert ok(await changning.get("tables/programme/ids/?offset=1")) == {}

    # Single rows outside the district look missing; inside they read and patch normally.
    assert ok(await changning.get(f"tables/programme/{own}/"))["scope_district"] == "changning"
    for row_id in (other, city_level):
        assert (await changning.get(f"tables/programme/{row_id}/")).status_code == 404
        assert (await changning.patch(f"tables/programme/{row_id}/", {"name": "改名"})).status_code == 404
        assert (await changning.delete(f"tables/programme/{row_id}/")).status_code == 404
    assert ok(await changning.patch(f"tables/programme/{own}/", {"name": "长宁区公益创投"}))["name"] == "长宁区公益创投"
    names = {r["id"]: r["name"] for r in await Programme.select(Programme.id, Programme.name)}
    assert names[other] == names[city_level] == "公益创新创业大赛"
    # Nor can a row be moved into or out of the district.
    moved = await changning.patch(f"tables/programme/{own}/", {"scope_district": "pudong"})
    assert moved.status_code == 403
    assert await Programme.select(Programme.scope_district).where(Programme.id == own).first() == {
        "scope_district": "changning"
    }

    # The session cookie is read the way piccolo's auth middleware reads it (the last of duplicates wins), and an
    # unreadable one forces the filter rather than lifting it.
    token = changning.http.cookies.get("id")
    stranger = await admin_client(None, login=False)
    for cookie in (f"id=bogus; id={token}", f"id={token}; id={token}", f'id="{token}"'):
        response = await stranger.http.get("/admin/api/tables/programme/", headers={"Cookie": cookie})
        assert {r["id"] for r in ok(response)["rows"]} == {own}, cookie

    # City staff see everything, and their own filters work as usual.
    assert await row_ids(city, "programme") == {own, other, city_level}
    assert await count(city, "programme") == 3
    assert await row_ids(city, "programme", "?scope_district=pudong") == {other}
    assert await row_ids(city, "programme", "?scope_district__operator=is_null") == {city_level}
    assert set(ok(await city.get("tables/programme/ids/"))) == {str(own), str(other), str(city_level)}
    ok(await city.get(f"tables/programme/{other}/"))


async def test_district_scope_covers_organisations_and_city_only_tables(admin_client: AdminFactory) -> None:
    city = await admin_client(Role.officer)
    changning = await admin_client(Role.officer, District.changning)
    own_org, _ = await factories.organisation(District.changning)
    other_org, _ = await factories.organisation(District.pudong)

    assert await row_ids(changning, "organisation", "?district=pudong") == {own_org}
    assert await count(changning, "organisation", "?district__operator=not_null") == 1
    assert (await changning.get(f"tables/organisation/{other_org}/")).status_code == 404
    assert await row_ids(city, "organisation") == {own_org, other_org}

    # Tables without a district column that hold every district's rows are for city staff only.
    for table in ("organisation_member", "criterion", "audit_entry", "outbox_message", "simulated_transfer"):
        for path in (f"tables/{table}/", f"tables/{table}/count/", f"tables/{table}/ids/", f"tables/{table}/1/"):
            # A missing row answers 404 before any check; everything else is refused.
            assert (await changning.get(path)).status_code in (403, 404) if path.endswith("/1/") else 403, path
        ok(await city.get(f"tables/{table}/"))
    # Shared reference data stays readable for everyone on staff.
    ok(await changning.get("tables/fund_source/"))


async def test_inserts_inherit_the_parents_scope(admin_client: AdminFactory) -> None:
    city = await admin_client(Role.officer)
    changning = await admin_client(Role.officer, District.changning)
    assert city.user is not None
    rounds = await one_programme_per_scope(city.user)
    own, other = rounds["changning"], rounds["pudong"]

    created = ok(
        await changning.post(
            "tables/programme/", await new_form_body(changning, "programme", name="长宁新项目", kind="contest")
        ),
        201,
    )
    assert await Programme.select(Programme.scope_district).where(Programme.id == created[0]["id"]).first() == {
        "scope_district": "changning"
    }
    refused = await changning.post(
        "tables/programme/",
        await new_form_body(changning, "programme", name="越权", kind="contest", scope_district="pudong"),
    )
    assert refused.status_code == 403

    # An edition hangs under a programme: it takes the programme's scope, and that programme must be in scope.
    edition = await new_form_body(changning, "edition", year=2027, title="2027")
    assert (await changning.post("tables/edition/", {**edition, "programme": other["programme_id"]})).status_code == 403
    ok(await changning.post("tables/edition/", {**edition, "programme": own["programme_id"]}), 201)
    ok(await city.post("tables/edition/", {**edition, "programme": other["programme_id"]}), 201)
    mismatch = await city.post(
        "tables/edition/", {**edition, "programme": other["programme_id"], "scope_district": "changning"}
    )
    assert mismatch.status_code == 403
    scopes = await Edition.select(Edition.programme, Edition.scope_district).where(Edition.year == 2027)
    assert sorted((e["programme"], e["scope_district"]) for e in scopes) == sorted(
        [(own["programme_id"], "changning"), (other["programme_id"], "pudong")]
    )

    # Re-parenting an edition under another district's programme is refused, also for city staff.
    moved = await changning.patch(f"tables/edition/{own['edition_id']}/", {"programme": other["programme_id"]})
    assert moved.status_code == 403
    moved = await city.patch(f"tables/edition/{own['edition_id']}/", {"programme": other["programme_id"]})
    assert moved.status_code == 403
    assert await Edition.select(Edition.programme).where(Edition.id == own["edition_id"]).first() == {
        "programme": own["programme_id"]
    }


# --- status guard and read-only tables ---------------------------------------------------------------------------


async def new_form_body(session: AdminSession, table: str, **fields: Any) -> dict[str, Any]:
    """What the admin's "add row" form sends: the defaults from ``new/`` plus what the user typed."""
    return {**ok(await session.get(f"tables/{table}/new/")), **fields}


async def edit_form_body(session: AdminSession, table: str, row_id: int) -> dict[str, Any]:
    """What the admin's edit form sends back: every field of the row as it was read."""
    row = ok(await session.get(f"tables/{table}/{row_id}/"))
    row.pop("id")
    return dict(row)


async def test_status_never_changes_through_raw_edits(admin_client: AdminFactory) -> None:
    city = await admin_client(Role.officer)
    assert city.user is not None
    contest = await factories.contest_round(city.user)
    org_id, applicant = await factories.organisation()
    from programmes.applications.schemas import ApplicationCreate
    from programmes.applications.service import create_draft

    draft = await create_draft(
        applicant.principal, ApplicationCreate(round_id=contest["id"], organisation_id=org_id, title="社区助餐")
    )

    for table, row_id, status, other in (
        ("round", contest["id"], "open", {"name": "复赛"}),
        ("application", draft["id"], "draft", {"title": "社区助餐（修订）"}),
    ):
        for changed in ("closed", "awarded", "submitted", ""):
            refused = await city.patch(f"tables/{table}/{row_id}/", {"status": changed})
            assert refused.status_code == 405, refused.text
            body = await edit_form_body(city, table, row_id)
            refused = await city.patch(f"tables/{table}/{row_id}/", {**body, **other, "status": changed})
            assert refused.status_code == 405, refused.text
        # PUT skips piccolo_api's hooks, so it is refused outright (the admin UI never sends it).
        body = await edit_form_body(city, table, row_id)
        assert (await city.put(f"tables/{table}/{row_id}/", {**body, "status": "closed"})).status_code == 405
        # The edit form sends the unchanged status back with the real change: accepted.
        accepted = ok(await city.patch(f"tables/{table}/{row_id}/", {**body, **other}))
        assert accepted["status"] == status and all(accepted[k] == v for k, v in other.items())
        # Rows with a status are neither created nor deleted by hand.
        assert (await city.delete(f"tables/{table}/{row_id}/")).status_code == 405

    assert await Round.select(Round.status, Round.name).where(Round.id == contest["id"]).first() == {
        "status": "open",
        "name": "复赛",
    }
    assert await Application.select(Application.status).where(Application.id == draft["id"]).first() == {
        "status": "draft"
    }
    new_round = {k: v for k, v in (await edit_form_body(city, "round", contest["id"])).items() if k != "status"}
    assert (await city.post("tables/round/", new_round)).status_code == 405
    assert await Round.count() == 1
    # Only the workflow engine wrote status changes to the audit log (the programme's own opening).
    assert await AuditEntry.count().where(AuditEntry.action == "contest_round.open") == 1


async def test_read_only_tables_refuse_every_write(admin_client: AdminFactory) -> None:
    city = await admin_client(Role.officer)
    assert city.user is not None
    batch = await draft_batch(city.user, None)
    counts = {table: await table.count() for table in (LedgerEntry, AuditEntry, PaymentBatch)}
    assert counts[LedgerEntry] == 2 and counts[AuditEntry] > 0  # the two awards' obligations

    for table in (
        "agreement",
        "progress_report",
        "bank_account",
        "ledger_entry",
        "audit_entry",
        "payment_batch",
        "payment_batch_item",
        "tranche",
        "award",
        "criterion",
    ):
        [row_id] = list(await row_ids(city, table, "?__page_size=1"))
        body = await edit_form_body(city, table, row_id)
        assert (await city.post(f"tables/{table}/", body)).status_code == 405, table
        assert (await city.patch(f"tables/{table}/{row_id}/", body)).status_code in (404, 405), table
        assert (await city.put(f"tables/{table}/{row_id}/", body)).status_code in (404, 405), table
        assert (await city.delete(f"tables/{table}/{row_id}/")).status_code in (404, 405), table
        assert (await city.delete(f"tables/{table}/")).status_code in (404, 405), table
    # Writable tables refuse deleting everything at once, too.
    assert (await city.delete("tables/programme/")).status_code == 405

    assert {table: await table.count() for table in counts} == counts
    assert await PaymentBatch.select(PaymentBatch.status).where(PaymentBatch.id == batch["id"]).first() == {
        "status": "draft"
    }


# --- forms ---------------------------------------------------------------------------------------------------------


async def test_approve_batch_form_calls_the_service(admin_client: AdminFactory) -> None:
    city = await admin_client(Role.officer)
    changning = await admin_client(Role.officer, District.changning)
    pudong = await admin_client(Role.officer, District.pudong)
    assert city.user is not None and changning.user is not None
    batch = await draft_batch(city.user, District.changning)

    forms = {f["name"]: f["slug"] for f in ok(await changning.get("forms/"))}
    assert set(forms) == {
        APPROVE_BATCH,
        OPEN_ROUND,
        "关闭轮次并排名",
        "申报批量操作",
        "资格复审",
        "导出申报（xlsx）",
        "邀请评审专家",
        "会签资助协议",
        "退回协议",
        "验收报告",
        "退回报告",
        "核验银行账户",
        "驳回银行账户",
        "发起追回",
        "登记退款",
        "新建支付批次",
        "排除预警",
        "导出资金汇总",
        "导出批次支付明细",
        "重新执行支付批次",
        "查看支付批次进度",
    }
    schema = ok(await changning.get(f"forms/{quote(forms[APPROVE_BATCH])}/schema/"))
    assert schema["required"] == ["batch_id"] and schema["properties"]["batch_id"]["description"] == "支付批次编号"

    # A district officer cannot approve another district's batch: it looks missing, and nothing changes.
    refused = await pudong.post(form_path(APPROVE_BATCH), {"batch_id": batch["id"]})
    assert refused.status_code == 422 and refused.json()["custom_form_error"] == "支付批次不存在或无权访问"
    assert await PaymentBatch.select(PaymentBatch.status).where(PaymentBatch.id == batch["id"]).first() == {
        "status": "draft"
    }
    assert await OutboxMessage.count().where(OutboxMessage.job_name == "pay_batch") == 0

    invalid = await changning.post(form_path(APPROVE_BATCH), {"batch_id": "第一批"})
    assert invalid.status_code == 422 and invalid.json()["detail"][0]["loc"] == ["batch_id"]

    done = ok(await changning.post(form_path(APPROVE_BATCH), {"batch_id": batch["id"]}))
    assert done["custom_form_success"] == f"支付批次 {batch['id']} 已审批，共 30,000.00 元，正在后台支付"
    approved = await PaymentBatch.select().where(PaymentBatch.id == batch["id"]).first()
    assert approved is not None
    assert approved["status"] == "approved" and approved["approved_by"] == changning.user.id
    [message] = await OutboxMessage.select(
        OutboxMessage.job_name, OutboxMessage.job_key, OutboxMessage.delivered_at
    ).where(OutboxMessage.job_name == "pay_batch")
    assert message["job_name"] == "pay_batch" and message["job_key"] == f"pay_batch:{batch['id']}"
    assert message["delivered_at"] is not None  # handed to arq right after the commit
    assert await AuditEntry.count().where(AuditEntry.action == "payment_batch.approve") == 1

    again = await changning.post(form_path(APPROVE_BATCH), {"batch_id": batch["id"]})
    assert again.status_code == 422
    assert "已审批" in again.json()["custom_form_error"]
    assert await OutboxMessage.count().where(OutboxMessage.job_name == "pay_batch") == 1
    assert await AuditEntry.count().where(AuditEntry.action == "payment_batch.approve") == 1

    # The job the form handed over is the API's: a worker pays the batch.
    await run_worker_burst()
    assert await PaymentBatch.select(PaymentBatch.status).where(PaymentBatch.id == batch["id"]).first() == {
        "status": "completed"
    }
    assert await LedgerEntry.count().where(LedgerEntry.kind == "disbursement") == 1


async def test_round_forms_follow_the_workflow(admin_client: AdminFactory) -> None:
    from datetime import timedelta

    from app.timezone import now_utc
    from programmes.catalogue.schemas import CriterionIn, RoundCreate
    from programmes.catalogue.service import create_round

    changning = await admin_client(Role.officer, District.changning)
    pudong = await admin_client(Role.officer, District.pudong)
    assert changning.user is not None
    contest = await factories.contest_round(changning.user, district=District.changning)
    now = now_utc()
    draft = await create_round(
        changning.user.principal,
        contest["edition_id"],
        RoundCreate(
            name="复赛",
            opens_at=now,
            closes_at=now + timedelta(days=3),
            form_title="申报书",
            form_schema=factories.FORM,
            criteria=[CriterionIn(**c) for c in factories.CRITERIA],
        ),
    )

    assert (await pudong.post(form_path(OPEN_ROUND), {"round_id": draft["id"]})).json()["custom_form_error"]
    assert ok(await changning.post(form_path(OPEN_ROUND), {"round_id": draft["id"]}))["custom_form_success"] == (
        f"轮次 {draft['id']} 已开放申报"
    )
    assert (await changning.post(form_path(OPEN_ROUND), {"round_id": draft["id"]})).status_code == 422
    early = await changning.post(form_path("关闭轮次并排名"), {"round_id": draft["id"]})
    assert early.json()["custom_form_error"] == "申报截止时间未到，不能关闭轮次"
    assert await Round.select(Round.status).where(Round.id == draft["id"]).first() == {"status": "open"}


# --- accounts ------------------------------------------------------------------------------------------------------


async def test_only_admins_write_accounts(admin_client: AdminFactory) -> None:
    admin = await admin_client(Role.admin)
    officer = await admin_client(Role.officer)
    assert officer.user is not None
    account_id = (await Account.select(Account.id).where(Account.user == officer.user.id).first() or {})["id"]

    assert account_id in await row_ids(officer, "account")
    for attempt in (
        officer.patch(f"tables/account/{account_id}/", {"display_name": "自己改名"}),
        officer.patch(f"tables/account/{account_id}/", {"role": "admin"}),
        officer.post("tables/account/", {"user": officer.user.id, "role": "admin"}),
        officer.delete(f"tables/account/{account_id}/"),
    ):
        assert (await attempt).status_code == 403
    assert (await officer.delete("tables/account/")).status_code == 405  # no bulk delete route at all
    assert await Account.select(Account.role, Account.display_name).where(Account.id == account_id).first() == {
        "role": "officer",
        "display_name": "",
    }

    ok(await admin.patch(f"tables/account/{account_id}/", {"display_name": "市级项目官员"}))
    assert await Account.select(Account.display_name).where(Account.id == account_id).first() == {
        "display_name": "市级项目官员"
    }
    # Piccolo's own user and session tables are not in this admin at all.
    assert (await admin.get("tables/piccolo_user/")).status_code == 404
    assert (await admin.get("tables/sessions/")).status_code == 404


async def test_application_forms_and_filters(admin_client: AdminFactory) -> None:
    from programmes.applications.schemas import ApplicationCreate
    from programmes.applications.service import create_draft, submit
    from programmes.exports.tables import ExportJob

    city = await admin_client(Role.officer)
    changning = await admin_client(Role.officer, District.changning)
    assert city.user is not None and changning.user is not None
    call = await factories.contest_round(city.user)
    ids = []
    for _ in range(2):
        org_id, member = await factories.organisation()
        created = await create_draft(
            member.principal,
            ApplicationCreate(
                round_id=call["id"], organisation_id=org_id, title="后台测试", answers=factories.GOOD_ANSWERS
            ),
        )
        await submit(member.principal, created["id"])
        ids.append(created["id"])

    # Filters officers use: by round, status and screening result.
    await Application.update({Application.eligibility_outcome: "ineligible"}).where(Application.id == ids[1])
    listed = ok(await city.get(f"tables/application/?round={call['id']}&eligibility_outcome=ineligible"))
    assert [row["id"] for row in listed["rows"]] == [ids[1]]
    listed = ok(await city.get(f"tables/application/?round={call['id']}&status=submitted"))
    assert {row["id"] for row in listed["rows"]} == set(ids)
    returned = await city.post(
        form_path("申报批量操作"),
        {"action": "return_for_revision", "application_ids": f"{ids[0]}，{ids[1]}", "reason": "请补充预算明细"},
    )
    assert returned.status_code == 200, returned.text
    statuses = await Application.select(Application.status).where(Application.id.is_in(ids))
    assert {s["status"] for s in statuses} == {"returned"}
    bad_ids = await city.post(form_path("申报批量操作"), {"action": "reject", "application_ids": "一,二"})
    assert bad_ids.status_code == 422

    # The city-level round is outside the changning officer's scope: each application is reported, none moves.
    refused = await changning.post(
        form_path("申报批量操作"), {"action": "reject", "application_ids": str(ids[0]), "reason": "x"}
    )
    assert refused.status_code == 200 and "未处理 1 件" in refused.json()["custom_form_success"]
    assert (await Application.select(Application.status).where(Application.id == ids[0]).first()) == {
        "status": "returned"
    }

    exported = await city.post(form_path("导出申报（xlsx）"), {"round_id": call["id"]})
    assert exported.status_code == 200, exported.text
    assert await ExportJob.count().where(ExportJob.round == call["id"]) == 1


async def test_officers_invite_experts_into_the_pool(admin_client: AdminFactory) -> None:
    from scoring.tables import ExpertProfile

    city = await admin_client(Role.officer)
    invited = await city.post(
        form_path("邀请评审专家"),
        {
            "username": "expert_wang",
            "display_name": "王老师",
            "initial_password": "secret-pass-1",
            "domains": "为老服务，社区治理",
        },
    )
    assert invited.status_code == 200, invited.text
    account = await Account.select(Account.role, Account.user).where(Account.display_name == "王老师").first()
    assert account is not None and account["role"] == "expert"
    profile = (
        await ExpertProfile.select(ExpertProfile.domains)
        .where(ExpertProfile.expert == account["user"])
        .first()
        .output(load_json=True)
    )
    assert profile == {"domains": ["为老服务", "社区治理"]}
    duplicate = await city.post(
        form_path("邀请评审专家"),
        {"username": "expert_wang", "display_name": "王老师", "initial_password": "secret-pass-1"},
    )
    assert duplicate.status_code == 422 and duplicate.json()["custom_form_error"] == "该用户名已被使用"
