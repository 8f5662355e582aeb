"""The registry-facts forms over the admin's HTTP API (issue 11): verifying declared facts, pasting a registry
extract, deciding a credit-code claim — the same services and rules as the API."""

from __future__ import annotations

from datetime import date

import pytest

from app.audit import AuditEntry
from app.auth.tables import Role
from app.organisations.tables import Organisation, OrganisationClaim, OrganisationMember
from app.reference import District
from tests import factories
from tests.factories.admin import AdminFactory
from tests.factories.admin_http import form_path, ok, refused

pytestmark = pytest.mark.filterwarnings("ignore:If running sessions in production:UserWarning")


async def test_verify_import_and_claim_forms(admin_client: AdminFactory) -> None:
    changning = await admin_client(Role.officer, District.changning)
    pudong = await admin_client(Role.officer, District.pudong)
    org_id, _ = await factories.organisation(District.changning)
    await Organisation.update({Organisation.declared_registered_on: date(2014, 1, 2)}).where(Organisation.id == org_id)
    verify = form_path("核验社会组织自报信息")

    assert (
        await refused(changning, verify, {"organisation_id": org_id, "reason": "核对证书"})
        == "请至少勾选一项要核验的信息"
    )
    outside = await refused(pudong, verify, {"organisation_id": org_id, "registered_on": True, "reason": "核对证书"})
    assert outside == "社会组织不存在或无权访问"
    nothing = await refused(
        changning, verify, {"organisation_id": org_id, "grade_valid_until": True, "reason": "核对证书"}
    )
    assert nothing.startswith("本组织未自报该项")
    ok(await changning.post(verify, {"organisation_id": org_id, "registered_on": True, "reason": "核对证书原件"}))
    row = await Organisation.select(Organisation.registered_on).where(Organisation.id == org_id).first()
    assert row is not None and str(row["registered_on"]) == "2014-01-02"

    org = (
        await Organisation.select(Organisation.credit_code, Organisation.name).where(Organisation.id == org_id).first()
    )
    assert org is not None
    pasted = "\n".join(
        [
            "统一社会信用代码\t名称\t类型\t评估等级\t等级有效期",
            f"{org['credit_code']}\t{org['name']}\t民办非企业单位\t5A\t2030-01-01",
            f"{factories.credit_code(610_001)}\t别的机构\t民办非企业单位\t\t",
        ]
    )
    answer = ok(await changning.post(form_path("导入社会组织登记名录"), {"content": pasted}))
    assert "更新 1 个组织" in str(answer) and "第 3 行" in str(answer)
    again = ok(await changning.post(form_path("导入社会组织登记名录"), {"content": pasted}))
    assert "更新 0 个组织，1 个无变化" in str(again)
    assert await AuditEntry.count().where(AuditEntry.action == "organisation.registry_import") == 1
    header_only = await refused(changning, form_path("导入社会组织登记名录"), {"content": "名称\n某机构"})
    assert header_only.startswith("表头缺少列")

    claimant = await factories.user(Role.applicant)
    [claim] = await OrganisationClaim.insert(
        OrganisationClaim(
            organisation=org_id,
            claimant=claimant.id,
            claimant_name="真正的机构",
            evidence="登记证书编号 0001",
            scope_district="changning",
        )
    ).returning(OrganisationClaim.id)
    decide = form_path("审核社会组织认领")
    body = {"claim_id": claim["id"], "decision": "核准", "reason": "已核实"}
    assert await refused(pudong, decide, body) == "认领申请不存在或无权访问"
    assert "已核准" in str(ok(await changning.post(decide, body)))
    members = await OrganisationMember.select(OrganisationMember.user).where(OrganisationMember.organisation == org_id)
    assert members == [{"user": claimant.id}]
    assert (await refused(changning, decide, body)).startswith("当前状态下不能执行此操作")
