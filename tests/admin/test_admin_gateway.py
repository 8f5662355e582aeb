"""What the admin's wrappers add (app/admin/users.py, app/admin/masking.py, app/admin/downloads.py), over HTTP.

The user table answers the key pickers of every page with a foreign key to it (404 before, which bounced the
browser to the home page); account numbers leave masked; exports download with the admin session.
"""

from __future__ import annotations

import pytest

from app.auth.tables import Role
from app.reference import District
from programmes.disbursements.service import approve_batch
from programmes.exports.tables import ExportJob
from programmes.payees.tables import BankAccount
from programmes.tables import SimulatedTransfer
from tests import factories
from tests.factories.admin import AdminFactory, draft_batch
from tests.factories.admin_http import form_path, ok
from tests.factories.worker import run_worker_burst

pytestmark = pytest.mark.filterwarnings("ignore:If running sessions in production:UserWarning")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


async def test_the_user_table_serves_ids_to_staff_and_nothing_else(admin_client: AdminFactory) -> None:
    city = await admin_client(Role.officer)
    admin = await admin_client(Role.admin)
    changning = await admin_client(Role.officer, District.changning)
    assert city.user is not None and admin.user is not None and changning.user is not None
    _, member = await factories.organisation(district=District.changning)
    _, pudong_member = await factories.organisation(district=District.pudong)
    colleague = await factories.user(Role.officer, District.changning)
    pudong_officer = await factories.user(Role.officer, District.pudong)

    # City staff: every user, id → username, as piccolo_api answers it.
    everyone = ok(await city.get("tables/piccolo_user/ids/"))
    assert {pudong_member.principal.username, pudong_officer.principal.username} <= set(everyone.values())
    assert everyone[str(member.id)] == member.principal.username

    # A district officer: their district's officers and organisation members only (the detail pages need a 200).
    district = ok(await changning.get("tables/piccolo_user/ids/?limit=6"))
    assert district == {
        str(u.id): u.principal.username for u in sorted((changning.user, member, colleague), key=lambda u: u.id)
    }
    assert ok(await changning.get(f"tables/piccolo_user/ids/?search={member.principal.username}")) == {
        str(member.id): member.principal.username
    }
    assert len(ok(await changning.get("tables/piccolo_user/ids/?limit=1&offset=1"))) == 1
    assert ok(await changning.get("tables/piccolo_user/ids/?search=%25")) == {}  # a literal %, not a wildcard

    # Rows: city staff only, never the password hash (piccolo_api sends the secret column as null).
    rows = ok(await city.get("tables/piccolo_user/?__page_size=100"))["rows"]
    assert rows and all(row.get("password") is None for row in rows) and "pbkdf2" not in str(rows)
    detail = ok(await city.get(f"tables/piccolo_user/{member.id}/?__readable=true"))
    assert detail["username"] == member.principal.username and detail.get("password") is None
    assert (await city.get("tables/piccolo_user/?password=pbkdf2&password__match=starts")).status_code == 400
    assert "pbkdf2" not in (await city.get("tables/account/?__visible_fields=id,user.password")).text
    for path in ("tables/piccolo_user/", "tables/piccolo_user/count/", f"tables/piccolo_user/{member.id}/"):
        assert (await changning.get(path)).status_code == 403, path

    # Read-only for everyone, the superuser admin included.
    for session in (city, admin):
        for attempt in (
            session.patch(f"tables/piccolo_user/{member.id}/", {"admin": True}),
            session.post("tables/piccolo_user/", {"username": "intruder", "password": "x" * 12, "admin": True}),
            session.delete(f"tables/piccolo_user/{member.id}/"),
        ):
            assert (await attempt).status_code == 405
    assert not (await admin.get("tables/piccolo_user/ids/?search=intruder")).json()


async def test_account_numbers_leave_the_admin_masked(admin_client: AdminFactory) -> None:
    city = await admin_client(Role.officer)
    changning = await admin_client(Role.officer, District.changning)
    assert city.user is not None
    batch = await draft_batch(city.user, District.changning)
    await approve_batch(await factories.second_officer(city.user.principal), batch["id"])
    await run_worker_burst()
    accounts = await BankAccount.select(BankAccount.id, BankAccount.account_number).order_by(BankAccount.id)
    numbers = [a["account_number"] for a in accounts]
    transfer = await SimulatedTransfer.select(SimulatedTransfer.id, SimulatedTransfer.account_number).first()
    assert transfer is not None and transfer["account_number"] in numbers  # the bank's side has the full number

    answers = {
        "bank list": await changning.get("tables/bank_account/?__readable=true&__order=id"),
        "bank detail": await changning.get(f"tables/bank_account/{accounts[0]['id']}/?__readable=true"),
        "transfer list": await city.get("tables/simulated_transfer/"),
        "transfer detail": await city.get(f"tables/simulated_transfer/{transfer['id']}/"),
        "audit (bank account submitted)": await city.get("tables/audit_entry/?__page_size=500"),
        "batch items": await city.get("tables/payment_batch_item/?__readable=true"),
        "batch items, joined": await city.get(
            "tables/payment_batch_item/?__visible_fields=id,payee_account.account_number"
        ),
    }
    for what, response in answers.items():
        # piccolo_api may refuse the join (400, max join depth); if it answers, the number is masked there too.
        assert response.status_code == 200 or (what.endswith("joined") and response.status_code == 400), what
        assert not any(number in response.text for number in numbers), what
    listed = answers["bank list"].json()["rows"]
    assert [row["account_number"] for row in listed] == [f"****{n[-4:]}" for n in numbers]
    assert answers["bank detail"].json()["account_number"] == f"****{numbers[0][-4:]}"
    assert "****" in answers["audit (bank account submitted)"].text

    # Filtering or sorting by the number would recover it digit by digit.
    for query in (
        "account_number=6222",
        "account_number=6222&account_number__match=starts",
        "account_number__operator=not_null",
        "__order=-account_number",
        "__order=id,account_number",
    ):
        for table in ("bank_account", "bank_account/count", "simulated_transfer"):
            refused = await city.get(f"tables/{table}/?{query}")
            assert refused.status_code == 400, (table, query)
    assert ok(await city.get("tables/bank_account/?__order=-id"))["rows"]
    # Writing back what the edit form shows would store the masked number: refused even before the table's rules.
    refused = await city.patch(f"tables/bank_account/{accounts[0]['id']}/", {"account_number": "****0003"})
    assert refused.status_code == 405
    stored = await BankAccount.select(BankAccount.account_number).where(BankAccount.id == accounts[0]["id"]).first()
    assert stored == {"account_number": numbers[0]}


async def test_exports_download_with_the_admin_session(admin_client: AdminFactory) -> None:
    city = await admin_client(Role.officer)
    changning = await admin_client(Role.officer, District.changning)
    pudong = await admin_client(Role.officer, District.pudong)
    anonymous = await admin_client(None, login=False)
    assert city.user is not None
    call = await factories.contest_round(city.user, district=District.changning)

    message = ok(await changning.post(form_path("导出申报（xlsx）"), {"round_id": call["id"]}))["custom_form_success"]
    job = await ExportJob.select(ExportJob.id).first()
    assert job is not None
    url = f"/admin/exports/{job['id']}/file"
    assert url in message
    early = await changning.http.get(url)
    assert early.status_code == 409 and early.json()["code"] == "export_not_ready"
    await run_worker_burst()

    for session in (changning, city):
        response = await session.http.get(url)
        assert response.status_code == 200, response.text
        assert response.headers["content-type"] == XLSX and response.content[:2] == b"PK"  # a zip: xlsx
        assert response.headers["content-disposition"].startswith("attachment;")
    # Out of the district, no session, an id past the column type: as the API answers.
    assert (await pudong.http.get(url)).json()["code"] == "not_found"
    assert (await pudong.http.get(url)).status_code == 404
    assert (await anonymous.http.get(url)).status_code == 401
    assert (await city.http.get("/admin/exports/3000000000/file")).status_code == 404
    assert (await city.http.get(f"/exports/{job['id']}/file")).status_code == 401  # the API still wants a token

    # The download form: the browser saves what it answers.
    saved = await changning.post(form_path("下载导出文件"), {"export_id": job["id"]})
    assert saved.status_code == 200, saved.text
    assert saved.headers["content-disposition"] == f'attachment; filename="seedbed-export-{job["id"]}.xlsx"'
    assert saved.content[:2] == b"PK"
    hidden = await pudong.post(form_path("下载导出文件"), {"export_id": job["id"]})
    assert hidden.status_code == 422 and hidden.json()["custom_form_error"] == "导出任务不存在或无权访问"
