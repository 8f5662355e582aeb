"""Piccolo Admin form for 财务代管: designating a street service centre, with the API's schema and service."""

from __future__ import annotations

from piccolo_admin.endpoints import FormConfig
from pydantic import Field
from starlette.requests import Request

from app.admin.forms.common import as_officer, validated
from app.auth.principal import Principal
from app.types import FormId, RequestModel

_REVOKE = "-"  # typed into the street field: end the designation


class ServiceCentreForm(RequestModel):
    organisation_id: FormId = Field(title="社会组织编号", description="须为社会服务机构")
    street: str = Field(
        min_length=1, max_length=100, title="所服务的街镇", description="例如 新华路街道；填 - 表示撤销"
    )
    reason: str = Field(min_length=2, max_length=1000, title="依据", description="例如 区民政局服务中心名单")


async def _designate(request: Request, data: ServiceCentreForm) -> str:
    from app.organisations.custody import designate
    from app.organisations.schemas import ServiceCentreDesignation

    street = None if data.street.strip() == _REVOKE else data.street
    designation = validated(ServiceCentreDesignation, {"street": street, "reason": data.reason})

    async def work(principal: Principal) -> str:
        organisation = await designate(principal, data.organisation_id, designation)
        if organisation.serves_street is None:
            return f"{organisation.name} 已不再是街镇社会组织服务中心"
        return f"{organisation.name} 现为「{organisation.serves_street}」的街镇社会组织服务中心"

    return await as_officer(request, work)


CUSTODY_FORMS = [
    FormConfig(
        "设为街镇社会组织服务中心",
        ServiceCentreForm,
        _designate,
        description="列入公开的服务中心名单，供备案类团队选择财务代管单位；"
        "与 PUT /organisations/{id}/service-centre 同一规则并留痕",
        form_group="社会组织",
    ),
]
