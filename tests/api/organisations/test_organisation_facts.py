"""Verified organisation facts (issue 11): declared values never pass screening; an officer's verification (audited)
or the registry import does. The credit code must fit the organisation's type (GB 32100), and the OpenAPI examples
pass their own check."""

from __future__ import annotations

from typing import Any

import httpx

from app.audit import AuditEntry
from app.organisations import credit_code
from app.organisations.tables import OrganisationFactVerification, OrganisationType
from tests import factories
from tests.factories.applications import submitted
from tests.factories.http import ok, refused
from tests.factories.world import World, row_counts


def registration(n: int, **changes: Any) -> dict[str, Any]:
    return {
        "username": f"facts{n}",
        "password": "password-123",
        "email": f"facts{n}@example.org",
        "mobile": f"1370000{n:04d}",
        "name": f"核验测试机构{n}",
        "org_type": "social_service_institution",
        "credit_code": factories.credit_code(700_000 + n),
        "district": "changning",
        **changes,
    }


async def member_of(org_id: int) -> factories.User:
    return await factories.user_for(org_id)


async def test_registration_keeps_declared_facts_and_screening_says_pending(
    client: httpx.AsyncClient, world: World
) -> None:
    body = registration(
        1,
        registered_on="2015-03-01",
        evaluation_grade="4A",
        grade_valid_until="2030-12-31",
        certificate_expires_on="2031-01-01",
    )
    org = ok(await client.post("/organisations/register", json=body), 201)
    # Regression: registered_on could not be given at all, so min_registration_years always failed.
    assert org["declared_registered_on"] == "2015-03-01" and org["declared_evaluation_grade"] == "4A"
    assert org["registered_on"] is None and org["evaluation_grade"] is None and org["verifications"] == []
    member = await member_of(org["id"])
    rules = {"min_grade": "3A", "min_registration_years": 3}
    call = await factories.contest_round(world.city_officer, eligibility_rules=rules)
    application = await submitted(client, member, org["id"], call["id"])
    # Regression: self-declared facts used to pass as if they were verified.
    assert application["eligibility_outcome"] == "ineligible"
    findings = application["eligibility"]["findings"]
    assert [f["code"] for f in findings] == ["facts_unverified"] * 3  # age, grade (validity with it), certificate
    assert all(f["reason"].startswith("待核验") for f in findings)

    officer = world.changning_officer.headers
    url = f"/organisations/{org['id']}"
    facts = ["registered_on", "evaluation_grade", "grade_valid_until", "certificate_expires_on"]
    verify = {"verify_declared": facts, "reason": "已核对登记证书原件"}
    refused(await client.patch(url, json=verify, headers=world.pudong_officer.headers), 404, "not_found")
    assert (await client.patch(url, json=verify, headers=member.headers)).status_code == 403
    verified = ok(await client.patch(url, json=verify, headers=officer))
    assert verified["registered_on"] == "2015-03-01" and verified["evaluation_grade"] == "4A"
    assert {v["fact"]: (v["source"], v["verified_by"]) for v in verified["verifications"]} == {
        fact: ("officer", world.changning_officer.id) for fact in facts
    }
    [entry] = (
        await AuditEntry.select(AuditEntry.before, AuditEntry.after, AuditEntry.reason)
        .where((AuditEntry.action == "organisation.correct") & (AuditEntry.object_id == org["id"]))
        .output(load_json=True)
    )
    assert entry["before"] == dict.fromkeys(facts)
    assert entry["after"]["registered_on"] == "2015-03-01" and entry["reason"] == "已核对登记证书原件"
    [rescreened] = ok(
        await client.post(
            "/applications/screen", json={"application_ids": [application["id"]]}, headers=world.city_officer.headers
        )
    )
    assert rescreened["eligibility_outcome"] == "eligible", rescreened
    # Verifying again changes nothing: no second audit entry, the verification row stays the same.
    stamps = await OrganisationFactVerification.select(OrganisationFactVerification.verified_at)
    ok(await client.patch(url, json=verify, headers=officer))
    assert await OrganisationFactVerification.select(OrganisationFactVerification.verified_at) == stamps
    assert await AuditEntry.count().where(AuditEntry.action == "organisation.correct") == 1


async def test_an_officer_sets_a_verified_value_and_cannot_confirm_what_was_never_declared(
    client: httpx.AsyncClient, world: World
) -> None:
    url = f"/organisations/{world.org_id}"
    officer = world.changning_officer.headers
    before = await row_counts()
    nothing = {"verify_declared": ["registered_on"], "reason": "核对证书"}
    refused(await client.patch(url, json=nothing, headers=officer), 422, "nothing_declared", "verify_declared")
    refused(
        await client.patch(url, json={"verify_declared": ["name"], "reason": "核对"}, headers=officer),
        422,
        "validation_failed",
        "verify_declared",
    )
    assert await row_counts() == before
    corrected = ok(await client.patch(url, json={"registered_on": "2012-05-05", "reason": "登记证书"}, headers=officer))
    assert corrected["registered_on"] == "2012-05-05"
    [verification] = corrected["verifications"]
    assert verification["fact"] == "registered_on" and verification["value"] == "2012-05-05"
    assert verification["source"] == "officer" and verification["reference"] == "登记证书"


async def test_credit_code_must_fit_the_organisation_type(client: httpx.AsyncClient, world: World) -> None:
    before = await row_counts()
    foundation_code = factories.credit_code(700_100, OrganisationType.foundation)
    company_code = "91350100M000100Y43"  # valid check character, but a company's (registration authority 9)
    for n, changes, code in (
        (10, {"credit_code": foundation_code}, "credit_code_type_mismatch"),
        (11, {"credit_code": company_code}, "credit_code_authority_mismatch"),
        (12, {"org_type": "foundation", "credit_code": factories.credit_code(700_101)}, "credit_code_type_mismatch"),
        (13, {"org_type": "filed_community_group", "credit_code": foundation_code}, "credit_code_not_applicable"),
    ):
        response = await client.post("/organisations/register", json=registration(n, **changes))
        refused(response, 422, code, "credit_code")
        assert "第" in response.json()["detail"] or "备案" in response.json()["detail"]
    url = f"/organisations/{world.org_id}"
    refused(
        await client.patch(
            url, json={"credit_code": foundation_code, "reason": "公告"}, headers=world.changning_officer.headers
        ),
        422,
        "credit_code_type_mismatch",
        "credit_code",
    )
    assert await row_counts() == before
    fits = ok(
        await client.post(
            "/organisations/register", json=registration(14, org_type="foundation", credit_code=foundation_code)
        ),
        201,
    )
    assert fits["credit_code"] == foundation_code


def _credit_code_examples(node: Any) -> list[str]:
    """Every example given for a ``credit_code``: a property's ``examples`` or a whole-object example's value."""
    found: list[str] = []
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "credit_code" and isinstance(value, str):
                found.append(value)
            if key == "credit_code" and isinstance(value, dict):
                found.extend(str(e) for e in value.get("examples", []) if e is not None)
            found.extend(_credit_code_examples(value))
    elif isinstance(node, list):
        for value in node:
            found.extend(_credit_code_examples(value))
    return found


async def test_every_credit_code_example_in_openapi_passes_its_own_check(client: httpx.AsyncClient) -> None:
    from app.organisations.schemas import OrganisationClaimCreate, OrganisationCorrection, OrganisationRegistration

    schema = ok(await client.get("/schema/openapi.json"))
    models = [
        m.model_json_schema() for m in (OrganisationRegistration, OrganisationCorrection, OrganisationClaimCreate)
    ]
    examples = _credit_code_examples(schema) + _credit_code_examples(models)
    # Regression: the registration example 52310000MJ0000000X had a wrong check character.
    assert "52310000MJ0000000X" not in examples and len(examples) >= 2
    for example in examples:
        code = credit_code.normalise(example)
        assert credit_code.problem_with(code) is None, example
        assert credit_code.type_problem(code, "social_service_institution") is None, example
