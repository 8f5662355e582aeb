"""Settings and registry changes through the API (issue 10): round settings, programme kind, organisation facts,
members, account roles. Each is validated like creation, scoped, refused where it would change an outcome under way,
and audited with before/after; a refused change writes nothing."""

from __future__ import annotations

from typing import Any

import asyncpg
import httpx
import pytest
from piccolo.apps.user.tables import BaseUser

from app.audit import AuditEntry
from app.auth.tables import Account, Role
from app.db import engine
from app.organisations.tables import Organisation, OrganisationMember
from programmes.tables import Criterion, Programme, Round
from tests import factories
from tests.factories.http import ok, refused
from tests.factories.world import World, row_counts


async def audits(action: str, object_id: int) -> list[dict[str, Any]]:
    return [
        dict(r)
        for r in await AuditEntry.select(AuditEntry.actor_id, AuditEntry.before, AuditEntry.after, AuditEntry.reason)
        .where((AuditEntry.action == action) & (AuditEntry.object_id == object_id))
        .order_by(AuditEntry.id)
        .output(load_json=True)
    ]


async def test_round_settings_change_is_validated_scoped_and_audited(client: httpx.AsyncClient, world: World) -> None:
    rid = world.pudong_round["id"]
    url = f"/rounds/{rid}"
    officer = world.pudong_officer.headers
    before_counts = await row_counts()

    # What used to go in raw through the admin: invalid rules, an unknown method, a broken window, bad limits.
    for body, status, code, field in (
        ({"eligibility_rules": {"min_grade": "6A"}}, 422, "validation_failed", "eligibility_rules"),
        ({"eligibility_rules": {"allowed_types": []}}, 422, "validation_failed", "eligibility_rules"),
        ({"aggregation_method": "mode"}, 422, "validation_failed", "aggregation_method"),
        ({"closes_at": "2020-01-01T00:00:00+08:00"}, 422, "round_window_invalid", "closes_at"),
        ({"max_attachment_mb": 150}, 422, "attachment_limits_invalid", "max_attachment_mb"),
        ({"criteria": [{"code": "a", "name": "A", "weight": 1, "max_score": 10}] * 2}, 422, "criteria_duplicate", None),
        ({"status": "closed"}, 422, "validation_failed", "status"),
    ):
        refused(await client.patch(url, json=body, headers=officer), status, code, field)
    # Out of scope looks missing; other roles are refused by the route's permission.
    refused(await client.patch(url, json={"name": "改名"}, headers=world.changning_officer.headers), 404, "not_found")
    assert (await client.patch(url, json={"name": "改名"}, headers=world.applicant.headers)).status_code == 403
    assert await row_counts() == before_counts

    changed = ok(
        await client.patch(
            url,
            json={
                "name": "复赛",
                "blind": False,  # nobody assigned in this round yet: still allowed
                "aggregation_method": "median",
                "eligibility_rules": {"min_grade": "3A"},
                "max_attachment_mb": 10,
                "criteria": [{"code": "impact", "name": "社会影响", "weight": 100, "max_score": 100}],
                "reason": "评审方案调整",
            },
            headers=officer,
        )
    )
    assert changed["name"] == "复赛" and changed["blind"] is False
    assert changed["eligibility_rules"]["min_grade"] == "3A" and changed["max_attachment_bytes"] == 10 * 1024 * 1024
    assert [c["code"] for c in changed["criteria"]] == ["impact"]
    assert changed["aggregation_method"] == "median"
    [entry] = await audits("round.update_settings", rid)
    assert entry["actor_id"] == world.pudong_officer.id and entry["reason"] == "评审方案调整"
    assert entry["before"]["blind"] is True and entry["after"]["blind"] is False
    assert entry["before"]["aggregation_method"] == "weighted_mean" and entry["after"]["aggregation_method"] == "median"
    assert [c["code"] for c in entry["before"]["criteria"]] == ["innovation", "feasibility"]
    # Tracks: only the round's own, names unique; a quota sent as null is cleared.
    from programmes.tables import Track

    other_round = await Track.insert(Track(round=world.round["id"], name="外轮赛道")).returning(Track.id)
    mine = await Track.insert(Track(round=rid, name="为老服务"), Track(round=rid, name="社区治理")).returning(Track.id)
    first, second = (t["id"] for t in mine)
    for tracks, code in (
        ([{"id": other_round[0]["id"], "quota": 3}], "track_not_in_round"),
        ([{"id": first, "name": "社区治理"}], "tracks_duplicate"),
    ):
        refused(await client.patch(url, json={"tracks": tracks}, headers=officer), 422, code, "tracks")
    ok(await client.patch(url, json={"tracks": [{"id": first, "quota": 5}]}, headers=officer))
    cleared = ok(
        await client.patch(
            url, json={"tracks": [{"id": first, "quota": None}, {"id": second, "name": "治理"}]}, headers=officer
        )
    )
    assert [(t["name"], t["quota"]) for t in cleared["tracks"]] == [("为老服务", None), ("治理", None)]
    assert [e["after"]["tracks"] for e in (await audits("round.update_settings", rid))[1:]] == [
        [{"id": first, "name": "为老服务", "quota": 5}],
        [{"id": first, "name": "为老服务", "quota": None}, {"id": second, "name": "治理", "quota": None}],
    ]
    # Sending what is already there changes nothing and writes no audit row.
    ok(await client.patch(url, json={"name": "复赛", "blind": False, "tracks": [{"id": first}]}, headers=officer))
    assert len(await audits("round.update_settings", rid)) == 3


async def test_blind_and_rubric_are_locked_once_review_has_started(client: httpx.AsyncClient, world: World) -> None:
    rid = world.round["id"]  # an expert is assigned to an application of this round
    criteria = await Criterion.count().where(Criterion.round == rid)
    for body, field in (
        ({"blind": False}, "blind"),
        ({"criteria": [{"code": "impact", "name": "社会影响", "weight": 100, "max_score": 100}]}, "criteria"),
    ):
        response = await client.patch(f"/rounds/{rid}", json=body, headers=world.city_officer.headers)
        refused(response, 409, "round_review_started", field)
    assert await Round.select(Round.blind).where(Round.id == rid).first() == {"blind": True}
    assert await Criterion.count().where(Criterion.round == rid) == criteria
    assert await audits("round.update_settings", rid) == []
    # Other settings still change, and the unchanged blind flag sent along is no change.
    ok(await client.patch(f"/rounds/{rid}", json={"blind": True, "name": "初赛（延期）"}, headers=world.admin.headers))
    assert [e["after"] for e in await audits("round.update_settings", rid)] == [{"name": "初赛（延期）"}]


async def test_programme_kind_is_locked_once_it_has_editions(client: httpx.AsyncClient, world: World) -> None:
    pid = world.round["programme_id"]
    refused(
        await client.patch(f"/programmes/{pid}", json={"kind": "matching"}, headers=world.city_officer.headers),
        409,
        "programme_kind_locked",
        "kind",
    )
    assert await Programme.select(Programme.kind).where(Programme.id == pid).first() == {"kind": "contest"}
    refused(
        await client.patch(f"/programmes/{pid}", json={"name": "改名"}, headers=world.pudong_officer.headers),
        404,
        "not_found",
    )
    renamed = ok(
        await client.patch(f"/programmes/{pid}", json={"name": "公益创投大赛"}, headers=world.city_officer.headers)
    )
    assert renamed["name"] == "公益创投大赛"
    assert [e["before"] for e in await audits("programme.update", pid)] == [{"name": "公益创新创业大赛"}]

    fresh = ok(
        await client.post(
            "/programmes", json={"name": "新项目", "kind": "contest"}, headers=world.city_officer.headers
        ),
        201,
    )
    ok(await client.patch(f"/programmes/{fresh['id']}", json={"kind": "matching"}, headers=world.city_officer.headers))
    assert [e["after"] for e in await audits("programme.update", fresh["id"])] == [{"kind": "matching"}]


async def test_officers_correct_organisation_facts_with_a_reason(client: httpx.AsyncClient, world: World) -> None:
    org = world.org_id  # changning
    url = f"/organisations/{org}"
    officer = world.changning_officer.headers
    other_code = (
        await Organisation.select(Organisation.credit_code).where(Organisation.id == world.other_org_id).first() or {}
    )["credit_code"]
    before = await row_counts()
    for body, status, code, field in (
        ({"evaluation_grade": "5A"}, 422, "validation_failed", "reason"),
        ({"evaluation_grade": "6A", "reason": "公告"}, 422, "validation_failed", "evaluation_grade"),
        ({"credit_code": "91350100M000100Y44", "reason": "公告"}, 422, "credit_code_check", "credit_code"),
        ({"credit_code": other_code, "reason": "公告"}, 409, "credit_code_taken", "credit_code"),
        ({"district": "pudong", "reason": "公告"}, 422, "validation_failed", "district"),
    ):
        refused(await client.patch(url, json=body, headers=officer), status, code, field)
    refused(
        await client.patch(
            url, json={"evaluation_grade": "5A", "reason": "公告"}, headers=world.pudong_officer.headers
        ),
        404,
        "not_found",
    )
    assert (
        await client.patch(url, json={"evaluation_grade": "5A", "reason": "x公告"}, headers=world.applicant.headers)
    ).status_code == 403
    assert await row_counts() == before

    corrected = ok(
        await client.patch(
            url,
            json={
                "evaluation_grade": "4A",
                "grade_valid_until": "2030-12-31",
                "abnormal_listed_on": "2026-05-01",
                "reason": "市民政局 2026 年评估公告",
            },
            headers=officer,
        )
    )
    assert corrected["evaluation_grade"] == "4A" and corrected["grade_valid_until"] == "2030-12-31"
    cleared = ok(
        await client.patch(url, json={"abnormal_listed_on": None, "reason": "已移出异常名录"}, headers=officer)
    )
    assert cleared["abnormal_listed_on"] is None and cleared["evaluation_grade"] == "4A"
    first, second = await audits("organisation.correct", org)
    assert first["before"] == {"evaluation_grade": None, "grade_valid_until": None, "abnormal_listed_on": None}
    assert first["after"] == {
        "evaluation_grade": "4A",
        "grade_valid_until": "2030-12-31",
        "abnormal_listed_on": "2026-05-01",
    }
    assert first["reason"] == "市民政局 2026 年评估公告"
    assert second["before"] == {"abnormal_listed_on": "2026-05-01"} and second["after"] == {"abnormal_listed_on": None}


async def test_members_are_added_and_removed_by_officers_in_scope(client: httpx.AsyncClient, world: World) -> None:
    org = world.org_id
    url = f"/organisations/{org}/members"
    officer = world.changning_officer.headers
    colleague = await factories.user(Role.applicant)
    assert (await client.get(f"/organisations/{org}", headers=colleague.headers)).status_code == 404

    for username, status, code in (
        (world.expert.principal.username, 422, "member_not_applicant"),
        ("nobody-here", 422, "user_not_found"),
        (world.applicant.principal.username, 409, "already_member"),
    ):
        refused(await client.post(url, json={"username": username}, headers=officer), status, code)
    body = {"username": colleague.principal.username, "reason": "机构新任联络人"}
    refused(await client.post(url, json=body, headers=world.pudong_officer.headers), 404, "not_found")
    assert await OrganisationMember.count().where(OrganisationMember.organisation == org) == 1

    members = ok(await client.post(url, json=body, headers=officer), 201)
    assert [m["username"] for m in members] == [world.applicant.principal.username, colleague.principal.username]
    ok(await client.get(f"/organisations/{org}", headers=colleague.headers))  # the membership grants its rights
    [added] = await audits("organisation.member_add", org)
    assert added["after"] == {"user_id": colleague.id, "username": colleague.principal.username}

    refused(await client.delete(f"{url}/{colleague.id}", headers=world.pudong_officer.headers), 404, "not_found")
    assert (await client.delete(f"{url}/{colleague.id}?reason=离职", headers=officer)).status_code == 204
    assert (await client.get(f"/organisations/{org}", headers=colleague.headers)).status_code == 404
    [removed] = await audits("organisation.member_remove", org)
    assert removed["before"] == {"user_id": colleague.id, "username": colleague.principal.username}
    assert removed["reason"] == "离职"
    refused(await client.delete(f"{url}/{world.applicant.id}", headers=officer), 409, "last_member")
    refused(await client.delete(f"{url}/{colleague.id}", headers=officer), 404, "not_found")


async def test_only_admins_change_roles_and_districts(client: httpx.AsyncClient, world: World) -> None:
    target = world.changning_officer
    url = f"/accounts/{target.id}"
    assert (await client.patch(url, json={"role": "admin"}, headers=world.city_officer.headers)).status_code == 403
    for who, body, status, code in (
        (target.id, {"role": "expert", "district": "pudong"}, 422, "district_only_for_officers"),
        (target.id, {"role": "officer", "district": "火星区"}, 422, "validation_failed"),
        (world.admin.id, {"role": "officer"}, 409, "own_role_change"),
        (world.applicant.id, {"role": "officer"}, 409, "account_has_memberships"),
    ):
        refused(await client.patch(f"/accounts/{who}", json=body, headers=world.admin.headers), status, code)
    assert await audits("account.change_role", target.id) == []

    moved = ok(
        await client.patch(
            url, json={"role": "officer", "district": "pudong", "reason": "调岗"}, headers=world.admin.headers
        )
    )
    assert moved == {**moved, "role": "officer", "district": "pudong"}
    [entry] = await audits("account.change_role", target.id)
    assert entry["before"] == {"district": "changning"} and entry["after"] == {"district": "pudong"}
    # The refresh token issued with the old district is refused; a new login carries the new one.
    stale = await client.post("/auth/refresh", json={"refresh_token": target.refresh_token})
    assert stale.status_code == 401, stale.text

    expert = world.other_expert
    ok(await client.patch(f"/accounts/{expert.id}", json={"role": "officer"}, headers=world.admin.headers))
    flags = await BaseUser.select(BaseUser.admin, BaseUser.superuser).where(BaseUser.id == expert.id).first()
    assert flags == {"admin": True, "superuser": False}  # officers get into the admin, as create_account sets it
    assert await Account.select(Account.role).where(Account.user == expert.id).first() == {"role": "officer"}


async def test_the_database_refuses_the_locked_changes_on_any_path(world: World) -> None:
    """Triggers repeat the service's locks, so a script or a future admin table cannot go around them."""
    for statement in (
        Round.update({Round.blind: False}).where(Round.id == world.round["id"]),
        Criterion.delete().where(Criterion.round == world.round["id"]),
        Criterion.insert(Criterion(round=world.round["id"], code="extra", name="附加", weight=1, max_score=10)),
        Criterion.update({Criterion.weight: 99}).where(Criterion.round == world.round["id"]),
        Programme.update({Programme.kind: "matching"}).where(Programme.id == world.round["programme_id"]),
    ):
        with pytest.raises(asyncpg.CheckViolationError):
            async with engine().transaction():
                await statement
    assert await Round.select(Round.blind).where(Round.id == world.round["id"]).first() == {"blind": True}
    # Where review has not started (no assignment in the pudong round), the same statements go through.
    await Round.update({Round.blind: False}).where(Round.id == world.pudong_round["id"])
    await Criterion.update({Criterion.weight: 99}).where(Criterion.round == world.pudong_round["id"])


async def test_ranking_settings_stay_once_the_round_is_closed(client: httpx.AsyncClient, world: World) -> None:
    rid = world.pudong_round["id"]
    await factories.end_round_window(rid)
    ok(await client.post(f"/rounds/{rid}/close", headers=world.pudong_officer.headers))
    for body, field in (
        ({"aggregation_method": "median"}, "aggregation_method"),
        ({"reviews_per_application": 5}, None),
    ):
        response = await client.patch(f"/rounds/{rid}", json=body, headers=world.pudong_officer.headers)
        refused(response, 409, "round_closed", field)
    renamed = ok(await client.patch(f"/rounds/{rid}", json={"name": "初赛（已结束）"}, headers=world.admin.headers))
    assert renamed["name"] == "初赛（已结束）" and renamed["status"] == "closed"
