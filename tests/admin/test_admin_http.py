"""Piccolo Admin over HTTP against the real app: login, language, district scope, status guard, read-only tables.

Forms and accounts: test_admin_forms.py."""

from __future__ import annotations

import pytest

from app.audit import AuditEntry
from app.auth.tables import Account, Role
from app.organisations.tables import OrganisationMember
from app.reference import District
from programmes.ledger.tables import LedgerEntry
from programmes.tables import Application, Edition, PaymentBatch, Round
from tests import factories
from tests.factories.admin import AdminFactory, draft_batch
from tests.factories.admin_http import (
    APPROVE_BATCH,
    count,
    edit_form_body,
    form_path,
    new_form_body,
    ok,
    one_programme_per_scope,
    row_ids,
)
from tests.factories.world import row_counts

pytestmark = pytest.mark.filterwarnings("ignore:If running sessions in production:UserWarning")

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
        "作废支付批次",
        "移出批次款项",
        "排除预警",
        "导出资金汇总",
        "导出批次支付明细",
        "重新执行支付批次",
        "查看支付批次进度",
        "确定资助",
    ]
    assert [f["name"] for f in forms["社会组织"]] == [
        "核验银行账户",
        "驳回银行账户",
        "更正社会组织登记信息",
        "添加机构成员",
        "移除机构成员",
        "核验社会组织自报信息",
        "导入社会组织登记名录",
        "审核社会组织认领",
        "设为街镇社会组织服务中心",
    ]


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

    # Single rows outside the district look missing; inside they read normally, and (editions being editable
    # reference data) patch normally.
    assert ok(await changning.get(f"tables/programme/{own}/"))["scope_district"] == "changning"
    for row_id in (other, city_level):
        assert (await changning.get(f"tables/programme/{row_id}/")).status_code == 404
    editions = {d: r["edition_id"] for d, r in rounds.items()}
    for edition_id in (editions["pudong"], editions[None]):
        assert (await changning.patch(f"tables/edition/{edition_id}/", {"title": "改名"})).status_code == 404
        assert (await changning.delete(f"tables/edition/{edition_id}/")).status_code == 404
    own_edition = editions["changning"]
    assert ok(await changning.patch(f"tables/edition/{own_edition}/", {"title": "2026 年度"}))["title"] == "2026 年度"
    titles = {r["id"]: r["title"] for r in await Edition.select(Edition.id, Edition.title)}
    assert titles[editions["pudong"]] == titles[editions[None]] == "2026"
    # Nor can a row be moved into or out of the district.
    moved = await changning.patch(f"tables/edition/{own_edition}/", {"scope_district": "pudong"})
    assert moved.status_code == 403
    assert await Edition.select(Edition.scope_district).where(Edition.id == own_edition).first() == {
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


async def test_raw_edits_seen_in_the_issue_are_refused(admin_client: AdminFactory) -> None:
    """Issue 10: a city officer changed a submitted application's answers and organisation, a round's blind flag,
    rules and method, a programme's kind, an organisation's grade, memberships and roles — each a 200 with no
    audit row. Now every one is refused and nothing changes (the forms and API routes do these, audited)."""
    city = await admin_client(Role.officer)
    admin = await admin_client(Role.admin)
    assert city.user is not None and admin.user is not None
    contest = await factories.contest_round(city.user)
    org_id, applicant = await factories.organisation()
    other_org, _ = await factories.organisation()
    from programmes.applications.schemas import ApplicationCreate
    from programmes.applications.service import create_draft, submit

    draft = await create_draft(
        applicant.principal,
        ApplicationCreate(
            round_id=contest["id"], organisation_id=org_id, title="社区助餐", answers=factories.GOOD_ANSWERS
        ),
    )
    await submit(applicant.principal, draft.id)
    [member] = await OrganisationMember.select(OrganisationMember.id).where(OrganisationMember.organisation == org_id)
    account = await Account.select(Account.id).where(Account.user == city.user.id).first()
    assert account is not None
    snapshot = await row_counts()
    audit_rows = await AuditEntry.count()

    for session, table, row_id, change in (
        (city, "application", draft.id, {"answers": '{"summary": "改过的内容"}'}),
        (city, "application", draft.id, {"organisation": other_org}),
        (city, "round", contest["id"], {"blind": False}),
        (city, "round", contest["id"], {"eligibility_rules": '{"min_grade": "6A"}'}),
        (city, "round", contest["id"], {"aggregation_method": "mode"}),
        (city, "programme", contest["programme_id"], {"kind": "matching"}),
        (city, "organisation", org_id, {"evaluation_grade": "5A"}),
        (city, "organisation_member", member["id"], {"organisation": other_org}),
        (admin, "account", account["id"], {"role": "admin"}),
    ):
        body = await edit_form_body(session, table, row_id)
        for attempt in (
            session.patch(f"tables/{table}/{row_id}/", change),
            session.patch(f"tables/{table}/{row_id}/", {**body, **change}),
            # PUT skips piccolo_api's hooks, so it is refused outright (the admin UI never sends it).
            session.put(f"tables/{table}/{row_id}/", {**body, **change}),
            session.post(f"tables/{table}/", {**body, **change}),
            session.delete(f"tables/{table}/{row_id}/"),
        ):
            assert (await attempt).status_code == 405, (table, change)
    assert await row_counts() == snapshot
    assert await AuditEntry.count() == audit_rows
    assert await Round.select(Round.blind, Round.aggregation_method).where(Round.id == contest["id"]).first() == {
        "blind": True,
        "aggregation_method": "weighted_mean",
    }
    assert await Application.select(Application.organisation).where(Application.id == draft.id).first() == {
        "organisation": org_id
    }


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
