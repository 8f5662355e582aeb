"""Every table the admin serves is read-only, or its writes go through the one audited reference hook (issue 10).

The tables come from the admin itself (``GET /admin/api/tables/``), so a table added to the menu is covered here
without touching this test — and fails it until it is either read-only or audited reference data.
"""

from __future__ import annotations

from typing import Any

import pytest
from piccolo.apps.user.tables import BaseUser
from piccolo.conf.apps import Finder
from piccolo.table import Table

from app.admin import MENU
from app.admin.reference import REFERENCE
from app.audit import AuditEntry
from app.auth.tables import Role
from app.reference import District
from programmes.tables import Edition, FundSource
from tests import factories
from tests.factories.admin import AdminFactory, AdminSession, draft_batch
from tests.factories.admin_http import edit_form_body, new_form_body, ok
from tests.factories.snapshots import table_digests

pytestmark = pytest.mark.filterwarnings("ignore:If running sessions in production:UserWarning")

# A valid change, a valid new row and an invalid change per reference table (the values; which tables are
# writable comes from the admin). A new reference table needs its line here, or the test says so.
SAMPLES: dict[type[Table], tuple[dict[str, Any], dict[str, Any], dict[str, Any]]] = {
    FundSource: ({"name": "市级福利彩票公益金"}, {"name": "区级财政资金", "kind": "fiscal"}, {"name": "x"}),
    Edition: ({"title": "2026 年度（更正）"}, {"year": 2027, "title": "2027 年度"}, {"year": 1800}),
}


async def audit_rows(action: str, object_id: int) -> list[dict[str, Any]]:
    return [
        dict(r)
        for r in await AuditEntry.select(AuditEntry.before, AuditEntry.after, AuditEntry.actor_id)
        .where((AuditEntry.action == action) & (AuditEntry.object_id == object_id))
        .output(load_json=True)
    ]


async def some_row(session: AdminSession, tablename: str) -> int | None:
    rows = ok(await session.get(f"tables/{tablename}/?__page_size=1"))["rows"]
    return int(rows[0]["id"]) if rows else None


async def test_every_menu_table_is_read_only_or_audited(admin_client: AdminFactory) -> None:
    admin = await admin_client(Role.admin)
    city = await admin_client(Role.officer)
    assert admin.user is not None and city.user is not None
    batch = await draft_batch(city.user, None)
    await factories.organisation()

    served = set(ok(await admin.get("tables/")))
    classes = {t._meta.tablename: t for t in [BaseUser, *Finder().get_table_classes()]}
    assert {t._meta.tablename for t, *_ in MENU} <= served <= set(classes), "the admin serves the menu's tables"
    writable = {name for name, t in classes.items() if t in REFERENCE}
    assert writable == {t._meta.tablename for t in SAMPLES}, "every reference table has samples here"

    before = await table_digests()
    for name in sorted(served - writable):
        row_id = await some_row(admin, name)
        body = await edit_form_body(admin, name, row_id) if row_id else {}
        # An empty table has no row to refuse a change to: piccolo_api answers 404 for it before any check.
        single = (405,) if row_id else (404, 405)
        for attempt, allowed in (
            (admin.post(f"tables/{name}/", {**await new_form_body(admin, name), **body}), (405,)),
            (admin.patch(f"tables/{name}/{row_id or 1}/", body), single),
            (admin.put(f"tables/{name}/{row_id or 1}/", body), single),
            (admin.delete(f"tables/{name}/{row_id or 1}/"), single),
            (admin.delete(f"tables/{name}/"), (405,)),
        ):
            response = await attempt
            # 403: a table's own validator refusing every caller (e.g. one for city staff only) also refuses.
            assert response.status_code in (*allowed, 403), (name, response.status_code, response.text)
    assert await table_digests() == before, "a refused write changed nothing, and wrote no audit row"

    # The reference tables: each write is validated like the API and audited with before/after.
    for table, (change, created, invalid) in SAMPLES.items():
        name = table._meta.tablename
        row_id = (await table.select(table._meta.primary_key).order_by(table._meta.primary_key).first() or {})["id"]
        kind = REFERENCE[table].object_type
        snapshot = await table_digests()
        refused = await city.patch(f"tables/{name}/{row_id}/", invalid)
        assert refused.status_code == 422, refused.text
        body = await edit_form_body(city, name, row_id)
        fields = set(REFERENCE[table].schema.model_fields)
        for other in [k for k in body if k not in fields and k not in ("programme", "scope_district")]:
            refused = await city.patch(f"tables/{name}/{row_id}/", {other: ok_other_value(body[other])})
            assert refused.status_code == 405, (other, refused.text)
        assert await table_digests() == snapshot, name

        current = await table.select().where(table._meta.primary_key == row_id).first()
        assert current is not None
        ok(await city.patch(f"tables/{name}/{row_id}/", {**await edit_form_body(city, name, row_id), **change}))
        [updated] = await audit_rows(f"{kind}.update", row_id)
        assert updated == {"before": {k: current[k] for k in change}, "after": change, "actor_id": city.user.id}

        parent = {"programme": batch_programme} if (batch_programme := await _programme_of(table, row_id)) else {}
        [new] = ok(await city.post(f"tables/{name}/", await new_form_body(city, name, **created, **parent)), 201)
        [inserted] = await audit_rows(f"{kind}.create", new["id"])
        assert {k: inserted["after"][k] for k in created} == created
        assert (await city.delete(f"tables/{name}/{new['id']}/")).status_code == 204
        [deleted] = await audit_rows(f"{kind}.delete", new["id"])
        assert deleted["before"]["id"] == new["id"] and deleted["after"] is None
    assert batch["id"]


def ok_other_value(value: Any) -> Any:
    """A different, well-formed value for a column the hook must refuse (so piccolo_api's own parsing passes)."""
    if isinstance(value, str) and value[:4].isdigit():
        return "2020-01-01T00:00:00+00:00"  # a timestamp
    return '{"title": "raw"}' if isinstance(value, str) else value


async def _programme_of(table: type[Table], row_id: int) -> int | None:
    if table is not Edition:
        return None
    row = await Edition.select(Edition.programme).where(Edition.id == row_id).first()
    return int(row["programme"]) if row else None


async def test_a_failed_reference_write_leaves_no_audit_row(admin_client: AdminFactory) -> None:
    """The hook audits before Piccolo writes; the write failing (here: the fund source is in use) rolls both back."""
    city = await admin_client(Role.officer)
    assert city.user is not None
    await draft_batch(city.user, None)
    [source] = await FundSource.select(FundSource.id)
    changning = await admin_client(Role.officer, District.changning)
    snapshot = await table_digests()
    # A fund source is shared by every district: a district officer may not rename or delete it.
    assert (await changning.patch(f"tables/fund_source/{source['id']}/", {"name": "长宁改名"})).status_code == 403
    assert (await changning.delete(f"tables/fund_source/{source['id']}/")).status_code == 403
    response = await city.delete(f"tables/fund_source/{source['id']}/")
    assert response.status_code >= 400, response.text
    assert await table_digests() == snapshot
    assert await audit_rows("fund_source.delete", source["id"]) == []
