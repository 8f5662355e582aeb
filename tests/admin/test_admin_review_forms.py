"""Issue 11 through the admin: cut-line ties listed and decided by the forms, with the API's rules and audit."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from app.audit import AuditEntry
from app.auth.tables import Role
from programmes.tables import Round
from scoring.tables import CutLineDecision
from tests.factories.admin import AdminFactory
from tests.factories.admin_http import form_path, ok
from tests.factories.review import tied_round as _tied_round

pytestmark = pytest.mark.filterwarnings("ignore:If running sessions in production:UserWarning")


async def test_admin_lists_and_decides_a_cut_line_tie(client: httpx.AsyncClient, admin_client: AdminFactory) -> None:
    world: dict[str, Any] = await _tied_round(client)
    officer = await admin_client(Role.officer, None)
    rid, tied = world["round"]["id"], world["tied"]
    listed = ok(await officer.post(form_path("入围线并列查询"), {"round_id": rid, "top_n": "1"}))
    assert "待裁定" in str(listed) and all(str(a) in str(listed) for a in tied)
    body = {"round_id": rid, "line": "overall", "rank": "1", "top_n": "1", "reason": "实地走访得分更高"}
    wrong = await officer.post(form_path("入围线并列裁定"), {**body, "passed_application_ids": f"{tied[0]},{tied[1]}"})
    assert wrong.status_code == 422 and "恰好选出 1 个" in wrong.json()["custom_form_error"]
    assert await CutLineDecision.count() == 0
    ok(await officer.post(form_path("入围线并列裁定"), {**body, "passed_application_ids": str(tied[1])}))
    [row] = await CutLineDecision.select().output(load_json=True)
    assert row["passed"] == [tied[1]] and row["decided_by"] == officer.user.id  # type: ignore[union-attr]
    assert await AuditEntry.count().where(AuditEntry.action == "round.cut_line_decision") == 1
    again = ok(await officer.post(form_path("入围线并列查询"), {"round_id": rid, "top_n": "1"}))
    assert "已裁定入围" in str(again)


async def test_admin_round_settings_form_sets_the_tie_break(admin_client: AdminFactory) -> None:
    from tests import factories

    officer = await admin_client(Role.officer, None)
    assert officer.user is not None
    contest = await factories.contest_round(officer.user)
    path = form_path("修改轮次设置")
    bad = await officer.post(path, {"round_id": contest["id"], "tie_break": "id,spread"})
    assert bad.status_code == 422 and "id 只能是" in bad.json()["custom_form_error"]
    ok(await officer.post(path, {"round_id": contest["id"], "tie_break": "criterion:innovation，spread,id"}))
    saved = await Round.select(Round.tie_break).where(Round.id == contest["id"]).first().output(load_json=True)
    assert saved is not None and saved["tie_break"] == ["criterion:innovation", "spread", "id"]
