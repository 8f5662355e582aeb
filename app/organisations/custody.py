"""财务代管: filed community groups (备案类社区群众活动团队) act through their street's service centre.

A filed group is not a legal person. Its street's 社会组织服务中心 (a social service institution an officer designated,
``Organisation.serves_street``) is its custodian: the centre's members make and submit the group's applications,
sign its agreements and receive its money; the group's own members follow and edit the drafts (docs/adr/0011).
"""

from __future__ import annotations

from asyncpg.exceptions import UniqueViolationError

import app.organisations.access  # noqa: F401  (declares the policies load() reads)
from app.access import load
from app.auth.principal import Principal
from app.errors import DomainError, FieldError, conflict, invalid, not_found
from app.organisations.membership import GROUP_TYPE, custodian_of, member_organisation_ids
from app.organisations.membership import acting_organisation_ids as acting_organisation_ids  # re-exported
from app.organisations.reads import read, read_page
from app.organisations.schemas import (
    OrganisationRead,
    OrganisationRegistration,
    ServiceCentreDesignation,
    ServiceCentreRead,
)
from app.organisations.tables import Organisation, OrganisationType
from app.paging import Page, PageParams, fetch_page
from app.reference import District
from app.uow import unit_of_work
from app.workflow.engine import Actor

CENTRE_TYPE = OrganisationType.social_service_institution.value


async def checked_custodian(data: OrganisationRegistration) -> tuple[int | None, str]:
    """The custodian and street a new organisation registers with: a filed group must pick a designated service
    centre of its district (from ``GET /service-centres``) and lives in that centre's street."""
    street = data.street.strip()
    if data.org_type is not OrganisationType.filed_community_group:
        if data.custodian_id is not None:
            raise invalid("custodian_not_applicable", "只有备案类团队需要财务代管单位", "custodian_id")
        return None, street
    if data.custodian_id is None:
        raise invalid(
            "custodian_required",
            "备案类社区群众活动团队须由街镇社会组织服务中心财务代管，请从服务中心名单中选择代管单位",
            "custodian_id",
        )
    centre = (
        await Organisation.select(Organisation.org_type, Organisation.district, Organisation.serves_street)
        .where(Organisation.id == data.custodian_id)
        .first()
    )
    if centre is None or centre["org_type"] != CENTRE_TYPE or centre["serves_street"] is None:
        raise invalid("custodian_invalid", "财务代管单位须为街镇社会组织服务中心（见服务中心名单）", "custodian_id")
    if centre["district"] != data.district.value:
        raise invalid("custodian_other_district", "财务代管单位须与团队位于同一区", "custodian_id")
    if street and street != centre["serves_street"]:
        message = f"所选服务中心负责「{centre['serves_street']}」，与团队所在街镇不一致"
        raise DomainError(
            "custodian_other_street", message, 422, [FieldError("street", "custodian_other_street", message)]
        )
    return data.custodian_id, str(centre["serves_street"])


async def ensure_still_centre(custodian_id: int | None) -> None:
    """Inside the registration's transaction, after the group row is inserted: its foreign key has key-share locked
    the centre, so a designation's end (which locks it for update) either committed before this read and is seen
    here, or waits for the registration and then finds the group in custody and refuses."""
    if custodian_id is not None and not await Organisation.exists().where(
        (Organisation.id == custodian_id) & Organisation.serves_street.is_not_null()
    ):
        raise invalid("custodian_invalid", "财务代管单位须为街镇社会组织服务中心（见服务中心名单）", "custodian_id")


async def service_centres(district: District | None, street: str | None, paging: PageParams) -> Page[ServiceCentreRead]:
    """Public: the designated street service centres, by district and street (what a filed group chooses from)."""
    where = [Organisation.serves_street.is_not_null()]
    if district is not None:
        where.append(Organisation.district == district.value)
    if street:
        where.append(Organisation.serves_street == street.strip())
    query = (
        Organisation.select(
            Organisation.id, Organisation.name, Organisation.district, Organisation.serves_street.as_alias("street")
        )
        .order_by(Organisation.district)
        .order_by(Organisation.serves_street)
        .order_by(Organisation.id)
    )
    page = await fetch_page(Organisation, query, paging, *where)
    return page.map([ServiceCentreRead(**row) for row in page.items])


def applies_via_custodian() -> DomainError:
    return DomainError(
        "filed_group_applies_via_custodian",
        "备案类社区群众活动团队的申报由代管的街镇社会组织服务中心创建、提交或撤回；团队成员可查看和编辑草稿",
        403,
    )


async def ensure_may_apply_for(user_id: int, organisation_id: int) -> int | None:
    """Who may create, submit or withdraw an application of ``organisation_id``: for a filed group, members of its
    custodian centre only (a group member gets 403, anyone else 404); for any other organisation, its members.
    Returns the custodian the caller acts through (``None``: they act as a member)."""
    own = await member_organisation_ids(user_id)
    custodian = await custodian_of(organisation_id)
    if custodian is not None:
        if custodian in own:
            return custodian
        if organisation_id in own:
            raise applies_via_custodian()
    elif organisation_id in own:
        return None
    raise not_found("社会组织")


async def groups_of(principal: Principal, centre_id: int, paging: PageParams) -> Page[OrganisationRead]:
    """The filed groups in a centre's custody: the centre's members, and staff in its district; others 404."""
    await load(principal, Organisation, centre_id, "centre", columns=(Organisation.id, Organisation.district))
    return await read_page(paging, Organisation.custodian == centre_id, Organisation.org_type == GROUP_TYPE)


async def designate(principal: Principal, organisation_id: int, data: ServiceCentreDesignation) -> OrganisationRead:
    """Officers in scope (district officers: their district) and admins designate a social service institution as
    the service centre of a street (``street``), or end the designation (``street`` null) when no filed group is in
    its custody. Audited before/after with the reason."""
    street = data.street.strip() if data.street else None
    async with unit_of_work(Actor.of(principal)) as uow:
        current = await load(principal, Organisation, organisation_id, lock=True)
        if street is not None and current["org_type"] != CENTRE_TYPE:
            raise invalid("service_centre_type", "只有社会服务机构可以设为街镇社会组织服务中心", "street")
        if street == current["serves_street"]:
            return await read(organisation_id)
        if street is None and await Organisation.exists().where(Organisation.custodian == organisation_id):
            raise conflict("custodian_has_groups", "该服务中心仍代管备案类团队，不能撤销服务中心身份")
        try:
            await Organisation.update({Organisation.serves_street: street}).where(Organisation.id == organisation_id)
        except UniqueViolationError as exc:
            raise conflict("service_centre_exists", f"「{street}」已有街镇社会组织服务中心") from exc
        await uow.audit(
            "organisation.designate_service_centre",
            "organisation",
            organisation_id,
            before={"serves_street": current["serves_street"]},
            after={"serves_street": street},
            reason=data.reason,
        )
    return await read(organisation_id)
