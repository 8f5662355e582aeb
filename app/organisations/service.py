"""Organisation registry: self-registration and scoped reads."""

from __future__ import annotations

from typing import Any

from app import audit
from app.auth.principal import Principal
from app.auth.service import create_account
from app.auth.tables import Role
from app.db import engine
from app.errors import DomainError, FieldError, conflict, invalid, not_found
from app.organisations import credit_code, facts
from app.organisations.schemas import OrganisationRegistration
from app.organisations.tables import REGISTERED_TYPES, Organisation, OrganisationMember, OrganisationType


async def register(data: OrganisationRegistration) -> dict[str, Any]:
    """Anyone may call. Creates an organisation and an applicant account that is its first member."""
    code = checked_credit_code(data.org_type, data.credit_code)
    custodian_id = await _checked_custodian(data)
    if code and await Organisation.exists().where(Organisation.credit_code == code):
        raise conflict("credit_code_taken", "该统一社会信用代码已注册")
    async with engine().transaction():
        user_id = await create_account(
            username=data.username, password=data.password, role=Role.applicant, email=data.email, mobile=data.mobile
        )
        rows = await Organisation.insert(
            Organisation(
                name=data.name,
                org_type=data.org_type,
                credit_code=code,
                district=data.district,
                street=data.street,
                custodian=custodian_id,
                # Declared only: the verified columns stay empty (待核验) until an officer or the registry sets them.
                evaluation_grade=None,
                declared_evaluation_grade=data.evaluation_grade,
                declared_grade_valid_until=data.grade_valid_until,
                declared_registered_on=data.registered_on,
                declared_certificate_expires_on=data.certificate_expires_on,
            )
        ).returning(Organisation.id)
        organisation_id = int(rows[0]["id"])
        await OrganisationMember.insert(OrganisationMember(user=user_id, organisation=organisation_id))
        await audit.record(
            actor_id=user_id,
            actor_role=Role.applicant.value,
            action="organisation.register",
            object_type="organisation",
            object_id=organisation_id,
            after={"name": data.name, "org_type": data.org_type.value, "credit_code": code},
        )
    return await read(organisation_id)


def checked_credit_code(org_type: OrganisationType, given: str | None) -> str | None:
    """The normalised code, checked for the organisation type (registration and officers' corrections alike)."""
    if org_type not in REGISTERED_TYPES:
        if given:
            raise invalid("credit_code_not_applicable", "备案类社区群众活动团队没有统一社会信用代码", "credit_code")
        return None
    if not given:
        raise invalid("credit_code_required", "登记类社会组织必须填写统一社会信用代码", "credit_code")
    code = credit_code.normalise(given)
    problem = credit_code.problem_with(code) or credit_code.type_problem(code, org_type.value)
    if problem:
        raise DomainError(
            problem.code, problem.message, 422, [FieldError("credit_code", problem.code, problem.message)]
        )
    return code


async def _checked_custodian(data: OrganisationRegistration) -> int | None:
    if data.org_type is not OrganisationType.filed_community_group:
        if data.custodian_id is not None:
            raise invalid("custodian_not_applicable", "只有备案类团队需要财务代管单位", "custodian_id")
        return None
    if data.custodian_id is None:
        raise invalid("custodian_required", "备案类社区群众活动团队须由街镇社会组织服务中心财务代管", "custodian_id")
    custodian = (
        await Organisation.select(Organisation.org_type, Organisation.district)
        .where(Organisation.id == data.custodian_id)
        .first()
    )
    if custodian is None or custodian["org_type"] != OrganisationType.social_service_institution.value:
        raise invalid("custodian_invalid", "财务代管单位须为已登记的社会服务机构（服务中心）", "custodian_id")
    if custodian["district"] != data.district.value:
        raise invalid("custodian_other_district", "财务代管单位须与团队位于同一区", "custodian_id")
    return data.custodian_id


async def member_organisation_ids(user_id: int) -> list[int]:
    rows = await OrganisationMember.select(OrganisationMember.organisation).where(OrganisationMember.user == user_id)
    return [int(row["organisation"]) for row in rows]


async def read(organisation_id: int) -> dict[str, Any]:
    row = await Organisation.select().where(Organisation.id == organisation_id).first()
    if row is None:
        raise not_found("社会组织")
    row["custodian_id"] = row.pop("custodian")
    row["verifications"] = await facts.verifications(organisation_id)
    return row


async def read_for(principal: Principal, organisation_id: int) -> dict[str, Any]:
    """Members read their own organisations; staff read organisations in their district scope."""
    row = await read(organisation_id)
    if principal.role is Role.applicant:
        if organisation_id not in await member_organisation_ids(principal.user_id):
            raise not_found("社会组织")
    elif principal.role is Role.officer and principal.district not in (None, row["district"]):
        raise not_found("社会组织")
    elif principal.role is Role.expert:
        raise not_found("社会组织")
    return row
