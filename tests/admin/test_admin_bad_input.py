"""Bad input through Piccolo Admin forms: the same bounds as the API, never a 500."""

from __future__ import annotations

import pytest

from app.auth.tables import Role
from tests.factories.admin import AdminFactory
from tests.factories.admin_http import OPEN_ROUND, form_path, ok

pytestmark = pytest.mark.filterwarnings("ignore:If running sessions in production:UserWarning")

DEEP = b"[" * 3_000 + b"]" * 3_000


async def test_admin_forms_refuse_huge_ids_nul_and_deep_json(admin_client: AdminFactory) -> None:
    city = await admin_client(Role.officer)
    forms = {f["name"]: f["slug"] for f in ok(await city.get("forms/"))}
    path = form_path(forms[OPEN_ROUND])
    huge = await city.post(path, {"round_id": 3_000_000_000})
    assert 400 <= huge.status_code < 500, huge.text
    bulk = forms["申报批量操作"]
    nul = await city.post(form_path(bulk), {"action": "reject", "application_ids": "1", "reason": "坏\x00"})
    assert 400 <= nul.status_code < 500, nul.text
    ids = await city.post(form_path(bulk), {"action": "advance", "application_ids": "3000000000", "reason": ""})
    assert 400 <= ids.status_code < 500 and "超出范围" in ids.text, ids.text
    deep = await city.http.post(
        f"/admin/api/{path}",
        content=b'{"round_id": ' + DEEP + b"}",
        headers={**city.csrf, "content-type": "application/json"},
    )
    assert deep.status_code == 400, deep.text
    assert deep.json()["code"] == "json_too_deep"
