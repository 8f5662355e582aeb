"""Conflicts of interest (利益冲突). A pair in conflict is never assigned, by any path: the solver gets these pairs
as forbidden, and manual assignment checks the same function."""

from __future__ import annotations

from collections.abc import Iterable

from app.organisations.tables import OrganisationMember
from programmes.tables import Application
from scoring.tables import ConflictOfInterest, ExpertAffiliation, ExpertProfile


async def _related_organisations(application_ids: Iterable[int]) -> dict[int, set[int]]:
    """Application → the applicant organisation and its custodian centre (财务代管), if any."""
    rows = await Application.select(
        Application.id, Application.organisation, Application.organisation._.custodian.as_alias("custodian")
    ).where(Application.id.is_in(list(application_ids) or [0]))
    return {r["id"]: {r["organisation"], *([r["custodian"]] if r["custodian"] else [])} for r in rows}


async def conflicted_experts(organisation_ids: Iterable[int]) -> dict[int, set[int]]:
    """Organisation → experts in conflict with it: members, affiliated experts, and recorded conflicts."""
    orgs = list(set(organisation_ids)) or [0]
    result: dict[int, set[int]] = {}
    members = await OrganisationMember.select(OrganisationMember.organisation, OrganisationMember.user).where(
        OrganisationMember.organisation.is_in(orgs)
    )
    for row in members:
        result.setdefault(row["organisation"], set()).add(row["user"])
    affiliations = await ExpertAffiliation.select(ExpertAffiliation.organisation, ExpertAffiliation.expert).where(
        ExpertAffiliation.organisation.is_in(orgs)
    )
    for row in affiliations:
        result.setdefault(row["organisation"], set()).add(row["expert"])
    recorded = await ConflictOfInterest.select(ConflictOfInterest.organisation, ConflictOfInterest.expert).where(
        ConflictOfInterest.organisation.is_in(orgs) & ConflictOfInterest.revoked_at.is_null()
    )
    for row in recorded:
        result.setdefault(row["organisation"], set()).add(row["expert"])
    return result


async def forbidden_pairs(application_ids: Iterable[int]) -> set[tuple[int, int]]:
    """Every (application, expert) pair that must not be assigned."""
    ids = list(application_ids)
    related = await _related_organisations(ids)
    by_org = await conflicted_experts({o for orgs in related.values() for o in orgs})
    pairs = {(app, expert) for app, orgs in related.items() for org in orgs for expert in by_org.get(org, set())}
    return pairs | await _programme_rule_pairs(ids)


async def _programme_rule_pairs(application_ids: list[int]) -> set[tuple[int, int]]:
    """Pairs the programme's own rules exclude (同街镇 / 同区 回避)."""
    applications = (
        await Application.select(
            Application.id,
            Application.organisation._.district.as_alias("district"),
            Application.organisation._.street.as_alias("street"),
            Application.round._.edition._.programme._.conflict_rules.as_alias("rules"),
        )
        .where(Application.id.is_in(application_ids or [0]))
        .output(load_json=True)
    )
    ruled = [a for a in applications if a["rules"]]
    if not ruled:
        return set()
    experts = await ExpertProfile.select(ExpertProfile.expert, ExpertProfile.district, ExpertProfile.street)
    pairs: set[tuple[int, int]] = set()
    for application in ruled:
        for expert in experts:
            same_district = expert["district"] is not None and expert["district"] == application["district"]
            same_street = same_district and bool(expert["street"]) and expert["street"] == application["street"]
            if ("same_district" in application["rules"] and same_district) or (
                "same_street" in application["rules"] and same_street
            ):
                pairs.add((application["id"], expert["expert"]))
    return pairs


async def in_conflict(application_id: int, expert_id: int) -> bool:
    return (application_id, expert_id) in await forbidden_pairs([application_id])


async def expert_affiliation_labels(expert_ids: Iterable[int]) -> dict[int, frozenset[str]]:
    """For the solver's at-most-one-expert-per-affiliation rule on an application."""
    rows = await ExpertAffiliation.select(ExpertAffiliation.expert, ExpertAffiliation.organisation).where(
        ExpertAffiliation.expert.is_in(list(expert_ids) or [0])
    )
    labels: dict[int, set[str]] = {}
    for row in rows:
        labels.setdefault(row["expert"], set()).add(f"org:{row['organisation']}")
    return {expert: frozenset(values) for expert, values in labels.items()}
