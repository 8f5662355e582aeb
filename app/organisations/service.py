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
from app.organisations.custody import acting_organisation_ids, checked_custodian, ensure_still_centre
from app.organisations.custody import member_organisation_ids as member_organisation_ids  # re-exported
from app.organisations.schemas import OrganisationRegistration
from app.organisations.tables import REGISTERED_TYPES, Organisation, OrganisationMember, OrganisationType


async def register(data: OrganisationRegistration) -> dict[str, Any]:
    """Anyone may call. Creates an organisation and an applicant account that is its first member."""
    code = checked_credit_code(data.org_type, data.credit_code)
    custodian_id, street = await checked_custodian(data)
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
                street=street,
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
        await ensure_still_centre(custodian_id)
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


async def read(organisation_id: int) -> dict[str, Any]:
    row = await Organisation.select().where(Organisation.id == organisation_id).first()
    if row is None:
        raise not_found("社会组织")
    row["custodian_id"] = row.pop("custodian")
    row["verifications"] = await facts.verifications(organisation_id)
    return row


async def read_for(principal: Principal, organisation_id: int) -> dict[str, Any]:
    """Members read their own organisations (a centre's members also the groups in its custody); staff read
    organisations in their district scope."""
    row = await read(organisation_id)
    if principal.role is Role.applicant:
        # Members of a custodian centre read the filed groups in its custody, as well as their own organisations.
        if organisation_id not in await acting_organisation_ids(principal.user_id):
            raise not_found("社会组织")
    elif principal.role is Role.officer and principal.district not in (None, row["district"]):
        raise not_found("社会组织")
    elif principal.role is Role.expert:
        raise not_found("社会组织")
    return row
