"""Organisation registry: self-registration and scoped reads."""

from __future__ import annotations

import app.organisations.access  # noqa: F401  (declares the policies load() reads)
from app.access import load
from app.auth.principal import Principal
from app.auth.service import create_account
from app.auth.tables import Role
from app.errors import DomainError, FieldError, conflict, invalid
from app.organisations import credit_code
from app.organisations.custody import checked_custodian, ensure_still_centre
from app.organisations.membership import member_organisation_ids as member_organisation_ids  # re-exported
from app.organisations.reads import read, read_page
from app.organisations.schemas import OrganisationRead, OrganisationRegistration
from app.organisations.tables import REGISTERED_TYPES, Organisation, OrganisationMember, OrganisationType
from app.paging import Page, PageParams
from app.uow import unit_of_work
from app.workflow.engine import Actor


async def register(data: OrganisationRegistration) -> OrganisationRead:
    """Anyone may call. Creates an organisation and an applicant account that is its first member."""
    code = checked_credit_code(data.org_type, data.credit_code)
    custodian_id, street = await checked_custodian(data)
    if code and await Organisation.exists().where(Organisation.credit_code == code):
        raise conflict("credit_code_taken", "该统一社会信用代码已注册")
    async with unit_of_work(Actor.system()):
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
        # The registration is the new member's own act: its audit row names them, inside the same transaction.
        async with unit_of_work(Actor(user_id, Role.applicant.value)) as uow:
            await uow.audit(
                "organisation.register",
                "organisation",
                organisation_id,
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


async def read_for(principal: Principal, organisation_id: int) -> OrganisationRead:
    """Members read their own organisations (a centre's members also the groups in its custody); staff read
    organisations in their district scope."""
    await load(principal, Organisation, organisation_id, "reader", columns=(Organisation.id, Organisation.district))
    return await read(organisation_id)


async def mine(principal: Principal, paging: PageParams) -> Page[OrganisationRead]:
    """The organisations the caller is a member of, in id order."""
    return await read_page(paging, Organisation.id.is_in(await member_organisation_ids(principal.user_id) or [0]))
