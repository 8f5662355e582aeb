"""The service-centre designation form over the admin's HTTP API: same schema, scope, rules and audit as the API."""

from __future__ import annotations

import pytest

from app.audit import AuditEntry
from app.auth.tables import Role
from app.organisations.tables import Organisation, OrganisationType
from app.reference import District
from tests import factories
from tests.factories.admin import AdminFactory
from tests.factories.admin_http import form_path, ok, refused
from tests.factories.snapshots import table_digests

pytestmark = pytest.mark.filterwarnings("ignore:If running sessions in production:UserWarning")

FORM = form_path("设为街镇社会组织服务中心")


async def street_of(organisation_id: int) -> str | None:
    row = await Organisation.select(Organisation.serves_street).where(Organisation.id == organisation_id).first()
    assert row is not None
    return row["serves_street"]


async def test_designation_form_follows_the_api_rules(admin_client: AdminFactory) -> None:
    changning = await admin_client(Role.officer, District.changning)
    pudong = await admin_client(Role.officer, District.pudong)
    centre_id, _ = await factories.organisation(District.changning, name="新华路街道社会组织服务中心")
    rival_id, _ = await factories.organisation(District.changning)
    association_id, _ = await factories.organisation(District.changning, OrganisationType.social_association)
    snapshot = await table_digests()

    body = {"organisation_id": centre_id, "street": "新华路街道", "reason": "区民政局服务中心名单"}
    assert await refused(pudong, FORM, body) == "社会组织不存在或无权访问"
    wrong_type = {**body, "organisation_id": association_id}
    assert await refused(changning, FORM, wrong_type) == "只有社会服务机构可以设为街镇社会组织服务中心"
    no_reason = await changning.post(FORM, {**body, "reason": ""})  # the form's own schema refuses it
    assert no_reason.status_code == 422 and no_reason.json()["custom_form_error"] == "依据：至少 2 个字符"
    assert await table_digests() == snapshot

    done = ok(await changning.post(FORM, body))
    assert done["custom_form_success"] == "新华路街道社会组织服务中心 现为「新华路街道」的街镇社会组织服务中心"
    assert await street_of(centre_id) == "新华路街道"
    assert (
        await refused(changning, FORM, {**body, "organisation_id": rival_id})
        == "「新华路街道」已有街镇社会组织服务中心"
    )
    await factories.organisation(District.changning, OrganisationType.filed_community_group, custodian_id=centre_id)
    revoke = {**body, "street": "-", "reason": "撤销"}
    assert await refused(changning, FORM, revoke) == "该服务中心仍代管备案类团队，不能撤销服务中心身份"
    assert await street_of(centre_id) == "新华路街道"
    [entry] = (
        await AuditEntry.select(AuditEntry.actor_id, AuditEntry.after, AuditEntry.reason)
        .where(AuditEntry.action == "organisation.designate_service_centre")
        .where(AuditEntry.object_id == centre_id)
        .output(load_json=True)
    )
    assert changning.user is not None
    assert entry == {
        "actor_id": changning.user.id,
        "after": {"serves_street": "新华路街道"},
        "reason": "区民政局服务中心名单",
    }
