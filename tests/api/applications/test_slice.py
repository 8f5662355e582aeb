"""The walking skeleton end to end over HTTP: application → screening → review → ranking → 公示 → advanced → award
→ paid tranche."""

from __future__ import annotations

import httpx

from app.audit import AuditEntry
from app.auth.tables import Role
from programmes.ledger.tables import LedgerEntry
from programmes.tables import SimulatedTransfer
from tests import factories
from tests.factories import CRITERIA, FORM, GOOD_ANSWERS
from tests.factories.http import ok
from tests.factories.worker import run_worker_burst


async def test_application_to_paid_tranche(client: httpx.AsyncClient) -> None:
    officer = await factories.user(Role.officer)
    expert = await factories.user(Role.expert)
    org_id, applicant = await factories.organisation(name="金丝雀公益服务社")

    login = ok(
        await client.post("/auth/login", json={"username": officer.principal.username, "password": "password-123"})
    )
    staff = {"Authorization": f"Bearer {login['access_token']}"}

    programme = ok(
        await client.post("/programmes", json={"name": "公益创新创业大赛", "kind": "contest"}, headers=staff), 201
    )
    edition = ok(
        await client.post(
            f"/programmes/{programme['id']}/editions", json={"year": 2026, "title": "2026"}, headers=staff
        ),
        201,
    )
    round_body = {
        "name": "初赛",
        "opens_at": "2026-01-01T09:00:00+08:00",
        "closes_at": "2099-01-01T17:00:00+08:00",
        "form_title": "申报书",
        "form_schema": FORM,
        "criteria": CRITERIA,
    }
    created_round = ok(await client.post(f"/editions/{edition['id']}/rounds", json=round_body, headers=staff), 201)
    assert created_round["status"] == "draft"
    ok(await client.post(f"/rounds/{created_round['id']}/open", headers=staff))
    calls = ok(await client.get("/calls"))
    assert [c["id"] for c in calls] == [created_round["id"]]

    draft = ok(
        await client.post(
            "/applications",
            json={"round_id": created_round["id"], "organisation_id": org_id, "title": "社区助餐", "answers": {}},
            headers=applicant.headers,
        ),
        201,
    )
    incomplete = await client.post(f"/applications/{draft['id']}/submit", headers=applicant.headers)
    assert incomplete.status_code == 422
    assert {e["field"] for e in incomplete.json()["errors"]} == {"answers.summary", "answers.beneficiaries"}
    ok(await client.patch(f"/applications/{draft['id']}", json={"answers": GOOD_ANSWERS}, headers=applicant.headers))
    submitted = ok(await client.post(f"/applications/{draft['id']}/submit", headers=applicant.headers))
    assert submitted["status"] == "submitted"

    ok(
        await client.post("/assignments", json={"application_id": draft["id"], "expert_id": expert.id}, headers=staff),
        201,
    )
    [assignment] = ok(await client.get("/reviews/mine", headers=expert.headers))
    assert assignment["organisation_name"] is None and "contact_person" not in assignment["answers"]
    scored = ok(
        await client.post(
            f"/reviews/{assignment['assignment_id']}/submit",
            json={"scores": {"innovation": 80, "feasibility": 90}},
            headers=expert.headers,
        )
    )
    assert scored["status"] == "submitted"

    await factories.end_round_window(created_round["id"])
    ranking = ok(await client.post(f"/rounds/{created_round['id']}/close", headers=staff))
    [row] = ranking
    assert {k: row[k] for k in ("rank", "application_id", "title", "weighted_mean", "review_count")} == {
        "rank": 1,
        "application_id": draft["id"],
        "title": "社区助餐",
        "weighted_mean": "86.000000",
        "review_count": 1,
    }
    assert row["methods"]["method"] == "weighted_mean" and row["methods"]["median"] == "86.000000"
    assert row["flags"] == ["too_few_reviews"]  # one review where the round asks for three

    source = ok(
        await client.post("/fund-sources", json={"name": "福彩公益金", "kind": "welfare_lottery"}, headers=staff), 201
    )
    line = ok(
        await client.post(
            f"/editions/{edition['id']}/budget-lines",
            json={"fund_source_id": source["id"], "amount_fen": 10_000_000},
            headers=staff,
        ),
        201,
    )
    award_body = {"application_id": draft["id"], "budget_line_id": line["id"], "amount_fen": 3_000_000}
    # The real gates: screened eligible at submission, then 公示 — nothing is awarded straight from the ranking.
    assert ok(await client.get(f"/applications/{draft['id']}", headers=staff))["eligibility_outcome"] == "eligible"
    publication = ok(
        await client.post(f"/rounds/{created_round['id']}/publication", json={"days": 7}, headers=staff), 201
    )
    assert [e["application_id"] for e in publication["entries"]] == [draft["id"]]
    during = await client.post("/awards", json=award_body, headers=staff)
    assert during.status_code == 409 and during.json()["code"] == "publication_running"
    await factories.end_notice_period(publication["id"])
    ok(await client.post(f"/publications/{publication['id']}/finalise", headers=staff))
    assert ok(await client.get(f"/applications/{draft['id']}", headers=staff))["status"] == "advanced"
    award = ok(
        await client.post(
            "/awards",
            json={"application_id": draft["id"], "budget_line_id": line["id"], "amount_fen": 3_000_000},
            headers=staff,
        ),
        201,
    )
    [tranche] = award["tranches"]
    assert tranche["status"] == "planned" and award["payee_id"] == org_id
    assert award["agreement_status"] == "draft"
    # Nothing is payable before the agreement takes effect.
    early = await client.post("/payment-batches", json={"title": "过早", "tranche_ids": [tranche["id"]]}, headers=staff)
    assert early.status_code == 409, early.text

    agreement_id = award["agreement_id"]
    ok(await client.post(f"/agreements/{agreement_id}/sign", json={"signer_name": "王敏"}, headers=applicant.headers))
    unverified = await client.post(f"/agreements/{agreement_id}/countersign", headers=staff)
    assert unverified.json()["code"] == "payee_account_unverified"
    await factories.verified_bank_account(org_id)
    effective = ok(await client.post(f"/agreements/{agreement_id}/countersign", headers=staff))
    assert effective["status"] == "effective" and effective["tranches"][0]["status"] == "released"

    batch = ok(
        await client.post("/payment-batches", json={"title": "第一批", "tranche_ids": [tranche["id"]]}, headers=staff),
        201,
    )
    # Four-eyes (双人复核): the officer who built the batch cannot approve it; a second officer does.
    same = await client.post(f"/payment-batches/{batch['id']}/approve", headers=staff)
    assert (same.status_code, same.json()["code"]) == (409, "four_eyes_same_officer")
    checker = (await factories.user(Role.officer)).headers
    approved = ok(await client.post(f"/payment-batches/{batch['id']}/approve", headers=checker))
    assert approved["status"] == "approved" and approved["approved_by"] != approved["created_by"]
    again = await client.post(f"/payment-batches/{batch['id']}/approve", headers=checker)
    assert again.status_code == 409

    await run_worker_burst()
    await run_worker_burst()  # a second run finds nothing left to pay

    paid = ok(await client.get(f"/payment-batches/{batch['id']}", headers=staff))
    assert paid["status"] == "completed"
    assert paid["items"][0]["tranche_status"] == "paid"
    assert paid["items"][0]["provider_reference"].startswith("SIM-")
    assert await SimulatedTransfer.count() == 1
    assert await LedgerEntry.count().where(LedgerEntry.kind == "disbursement") == 1

    second_batch = await client.post(
        "/payment-batches", json={"title": "重复", "tranche_ids": [tranche["id"]]}, headers=staff
    )
    assert second_batch.status_code == 409  # a paid tranche cannot enter another batch

    actions = {row["action"] for row in await AuditEntry.select(AuditEntry.action)}
    assert {
        "programme.create",
        "round.create",
        "contest_round.open",
        "application.create",
        "contest_application.submit",
        "contest_application.start_review",
        "review_assignment.submit",
        "contest_round.close",
        "contest_application.rank",
        "award.create",
        "tranche.add_to_batch",
        "payment_batch.approve",
        "tranche.mark_paid",
        "payment_batch.complete",
    } <= actions
