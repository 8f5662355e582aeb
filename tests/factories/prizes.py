"""A contest edition at its final (决赛): a final-stage round whose entries are scored, ranked, published (公示)
and, unless asked otherwise, the notice finalised; a budget line to pay prizes from. Built through the services."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import httpx

from app.auth.tables import Role
from app.reference import District
from programmes.awards.schemas import BudgetLineCreate, FundSourceCreate
from programmes.awards.service import create_budget_line, create_fund_source
from scoring.publication.service import finalise, publish
from tests import factories
from tests.factories import User
from tests.factories.applications import submitted
from tests.factories.http import ok
from tests.factories.notice import end_notice, score
from tests.factories.review import NO_TIME

FIRST, SECOND, HONOUR = 5_000_000, 2_000_000, 0


@dataclass
class Final:
    officer: User
    edition_id: int
    round_id: int
    publication_id: int
    line_id: int
    source_id: int
    apps: list[int]  # application ids in the order made (scores given in that order)
    orgs: dict[int, int]  # application id → organisation id
    members: dict[int, User]  # application id → a member of its organisation
    tracks: dict[str, int] = field(default_factory=dict)  # track name → id


async def final_round(
    client: httpx.AsyncClient,
    scores: list[int],
    *,
    tracks: list[str] | None = None,
    track_of: list[str] | None = None,
    finalised: bool = True,
    listed: int | None = None,
    budget_fen: int = 100_000_000,
    officer: User | None = None,
    district: Any = None,
) -> Final:
    """Entries scored ``scores`` (equal scores share a rank), all on the public list unless ``listed`` cuts it."""
    officer = officer or await factories.user(Role.officer, district)
    experts = [await factories.user(Role.expert) for _ in range(2)]
    for expert in experts:
        ok(
            await client.put(
                f"/experts/{expert.id}/profile",
                json={"domains": ["为老服务"], "tags": ["助餐"], "max_load_per_round": 50},
                headers=officer.headers,
            )
        )
    options: dict[str, Any] = {"reviews_per_application": 2}
    if tracks:
        options["tracks"] = [{"name": name} for name in tracks]
    call = await factories.contest_round(officer, district=district, **options)
    # Without submitted_at in the tie-break, equal scores share a rank (a tie the prizes must decide).
    # The edition's 决赛, set through the round API (before any entry: the order locks after).
    body = {"tie_break": NO_TIME, "stage": "final", "name": "决赛"}
    ok(await client.patch(f"/rounds/{call['id']}", json=body, headers=officer.headers))
    track_ids = {t["name"]: t["id"] for t in call.get("tracks", [])}
    apps, orgs, members = [], {}, {}
    for i, _ in enumerate(scores):
        org_id, member = await factories.organisation(district or District.changning)
        extra = {"track_id": track_ids[track_of[i]]} if track_of else {}
        application = await submitted(client, member, org_id, call["id"], title=f"决赛项目{i + 1}", **extra)
        apps.append(application["id"])
        orgs[application["id"]] = org_id
        members[application["id"]] = member
    ok(await client.post(f"/rounds/{call['id']}/assignments", headers=officer.headers), 201)
    for application_id, base in zip(apps, scores, strict=True):
        await score(experts, application_id, base)
    await factories.end_round_window(call["id"])
    ok(await client.post(f"/rounds/{call['id']}/close", headers=officer.headers))
    publication = await publish(officer.principal, call["id"], 7, listed or len(scores), None)
    if finalised:
        await end_notice(publication.id)
        await finalise(officer.principal, publication.id)
    source = await create_fund_source(officer.principal, FundSourceCreate(name="大赛奖金", kind="welfare_lottery"))
    line = await create_budget_line(
        officer.principal, call["edition_id"], BudgetLineCreate(fund_source_id=source.id, amount_fen=budget_fen)
    )
    return Final(
        officer, call["edition_id"], call["id"], publication.id, line.id, source.id, apps, orgs, members, track_ids
    )


def tiers(line_id: int, first: int = 1, second: int = 1, honour: int = 1, track: str | None = None) -> dict[str, Any]:
    """一等奖 / 二等奖 with money on ``line_id``, 优秀奖 as an honour only."""
    return {
        "tiers": [
            {
                "name": "一等奖",
                "position": 1,
                "budget_line_id": line_id,
                "places": [{"track": track, "count": first, "amount_fen": FIRST}],
            },
            {
                "name": "二等奖",
                "position": 2,
                "budget_line_id": line_id,
                "places": [{"track": track, "count": second, "amount_fen": SECOND}],
            },
            {"name": "优秀奖", "position": 3, "places": [{"track": track, "count": honour, "amount_fen": HONOUR}]},
        ]
    }


async def set_tiers(client: httpx.AsyncClient, final: Final, body: dict[str, Any]) -> list[dict[str, Any]]:
    return ok(  # type: ignore[no-any-return]
        await client.put(f"/editions/{final.edition_id}/prize-tiers", json=body, headers=final.officer.headers)
    )


async def confirmed(client: httpx.AsyncClient, final: Final, **body: Any) -> dict[str, Any]:
    return ok(  # type: ignore[no-any-return]
        await client.post(f"/editions/{final.edition_id}/prizes/confirm", json=body, headers=final.officer.headers)
    )


async def winners(client: httpx.AsyncClient, count: int = 2, **options: Any) -> tuple[Final, list[dict[str, Any]]]:
    """A final whose ``count`` best entries won 优秀奖 (honours, no money): the final and its prizes."""
    final = await final_round(client, [90 - i for i in range(count + 1)], **options)
    honours = [{"track": None, "count": count, "amount_fen": 0}]
    await set_tiers(client, final, {"tiers": [{"name": "优秀奖", "position": 1, "places": honours}]})
    return final, (await confirmed(client, final))["prizes"]


def offer_body(**overrides: Any) -> dict[str, Any]:
    from datetime import timedelta

    from app.timezone import today_shanghai

    today = today_shanghai()
    return {
        "kind": "venue",
        "title": "社区活动室免费使用",
        "description": "每周二、四下午",
        "valid_from": (today - timedelta(days=1)).isoformat(),
        "valid_until": (today + timedelta(days=180)).isoformat(),
        **overrides,
    }
