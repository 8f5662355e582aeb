"""区级推荐 worlds: a city-level contest edition whose first round is at the ``district_recommendation`` stage and
whose second is 初赛, with entries of changning and pudong organisations (one with a file), people of every role,
and helpers for quotas and recommendations over HTTP."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import httpx
import pytest

from app.auth.tables import Role
from app.reference import District
from tests import factories
from tests.factories import FORM, User
from tests.factories.applications import PDF, draft, submitted
from tests.factories.http import ok


@dataclass
class RecommendationWorld:
    admin: User
    city: User
    changning: User  # officer of changning
    pudong: User  # officer of pudong
    expert: User
    changning_member: User
    pudong_member: User
    changning_org: int
    round_id: int  # 区级推荐, city level
    next_round_id: int  # 初赛, same edition
    changning_entries: list[int]  # submitted; the first has a PDF
    pudong_entry: int
    changning_draft: int  # never submitted: not an entry


async def stage_rounds(officer: User, **round_options: Any) -> tuple[int, int]:
    """A city edition with a 区级推荐 round (position 0) and a 初赛 round (position 1), both open."""
    from app.timezone import now_utc
    from programmes.catalogue.schemas import CriterionIn, RoundCreate
    from programmes.catalogue.service import create_round, open_round
    from programmes.catalogue.settings import update_round_settings
    from programmes.catalogue.settings_schemas import RoundSettingsUpdate
    from programmes.kinds import RoundStage

    first = await factories.contest_round(officer, **round_options)
    now = now_utc()
    second = await create_round(
        officer.principal,
        first["edition_id"],
        RoundCreate(
            name="初赛",
            opens_at=now - timedelta(hours=1),
            closes_at=now + timedelta(days=30),
            form_title="初赛申报书",
            form_schema=FORM,
            criteria=[CriterionIn(**c) for c in factories.CRITERIA],
        ),
    )
    await open_round(officer.principal, second.id)
    # The stage order set through the round API (before any entry: the order locks after).
    first_stage = RoundSettingsUpdate(stage=RoundStage.district_recommendation, position=0, name="区级推荐")
    await update_round_settings(officer.principal, first["id"], first_stage)
    second_stage = RoundSettingsUpdate(stage=RoundStage.preliminary, position=1)
    await update_round_settings(officer.principal, second.id, second_stage)
    return int(first["id"]), second.id


async def upload_pdf(client: httpx.AsyncClient, member: User, application_id: int) -> dict[str, Any]:
    files = {"file": ("项目计划书.pdf", io.BytesIO(PDF), "application/pdf")}
    return ok(
        await client.post(f"/applications/{application_id}/attachments", files=files, headers=member.headers), 201
    )


async def build(client: httpx.AsyncClient, changning_entries: int = 2) -> RecommendationWorld:
    city = await factories.user(Role.officer)
    round_id, next_round_id = await stage_rounds(city)
    first_org, first_member = await factories.organisation(District.changning)
    entries: list[int] = []
    with_file = await draft(client, first_member, first_org, round_id, title="长宁睦邻点")
    await upload_pdf(client, first_member, with_file["id"])
    ok(await client.post(f"/applications/{with_file['id']}/submit", headers=first_member.headers))
    entries.append(with_file["id"])
    for n in range(changning_entries - 1):
        org, member = await factories.organisation(District.changning)
        entries.append((await submitted(client, member, org, round_id, title=f"长宁项目{n}"))["id"])
    draft_org, draft_member = await factories.organisation(District.changning)
    unsubmitted = await draft(client, draft_member, draft_org, round_id, title="长宁草稿")
    pudong_org, pudong_member = await factories.organisation(District.pudong)
    pudong_entry = await submitted(client, pudong_member, pudong_org, round_id, title="浦东项目")
    return RecommendationWorld(
        admin=await factories.user(Role.admin),
        city=city,
        changning=await factories.user(Role.officer, District.changning),
        pudong=await factories.user(Role.officer, District.pudong),
        expert=await factories.user(Role.expert),
        changning_member=first_member,
        pudong_member=pudong_member,
        changning_org=first_org,
        round_id=round_id,
        next_round_id=next_round_id,
        changning_entries=entries,
        pudong_entry=pudong_entry["id"],
        changning_draft=unsubmitted["id"],
    )


@pytest.fixture
async def stages(client: httpx.AsyncClient) -> RecommendationWorld:
    return await build(client)


async def set_quota(client: httpx.AsyncClient, officer: User, round_id: int, district: str, quota: int) -> Any:
    body = {"district": district, "quota": quota}
    return await client.put(f"/rounds/{round_id}/district-quotas", json=body, headers=officer.headers)


async def recommend(client: httpx.AsyncClient, officer: User, round_id: int, application_id: int) -> Any:
    body = {"application_id": application_id, "reason": "社区基础扎实，服务对象明确"}
    return await client.post(f"/rounds/{round_id}/recommendations", json=body, headers=officer.headers)


async def end_window(round_id: int) -> None:
    await factories.end_round_window(round_id)
