"""Piccolo Admin forms and account management over HTTP against the real app: each form calls the service."""

from __future__ import annotations

from urllib.parse import quote

import pytest

from app.admin.forms.matching import MATCHING_FORMS
from app.admin.forms.recommendations import RECOMMENDATION_FORMS
from app.audit import AuditEntry
from app.auth.tables import Account, Role
from app.outbox import OutboxMessage
from app.reference import District
from programmes.ledger.tables import LedgerEntry
from programmes.tables import Application, PaymentBatch, Round
from tests import factories
from tests.factories.admin import AdminFactory, draft_batch
from tests.factories.admin_http import APPROVE_BATCH, OPEN_ROUND, form_path, ok, row_ids
from tests.factories.worker import run_worker_burst

pytestmark = pytest.mark.filterwarnings("ignore:If running sessions in production:UserWarning")


# 公示 and 双随机 (app/admin/forms/notice.py)
MATCHING_FORM_NAMES = {f.name for f in MATCHING_FORMS}
NOTICE_FORM_NAMES = {
    "发布公示",
    "处理公示异议",
    "完成重新评审并更正公示",
    "公示结果生效",
    "双随机：登记抽查",
    "双随机：公开种子并抽取",
    "登记抽查结果",
}

# --- forms ---------------------------------------------------------------------------------------------------------


async def test_approve_batch_form_calls_the_service(admin_client: AdminFactory) -> None:
    city = await admin_client(Role.officer)
    changning = await admin_client(Role.officer, District.changning)
    pudong = await admin_client(Role.officer, District.pudong)
    assert city.user is not None and changning.user is not None
    batch = await draft_batch(city.user, District.changning)

    forms = {f["name"]: f["slug"] for f in ok(await changning.get("forms/"))}
    assert set(forms) == {
        APPROVE_BATCH,
        OPEN_ROUND,
        "关闭轮次并排名",
        "申报批量操作",
        "资格复审",
        "导出申报（xlsx）",
        "邀请评审专家",
        "会签资助协议",
        "退回协议",
        "验收报告",
        "退回报告",
        "核验银行账户",
        "驳回银行账户",
        "发起追回",
        "登记退款",
        "新建支付批次",
        "作废支付批次",
        "移出批次款项",
        "排除预警",
        "导出资金汇总",
        "导出批次支付明细",
        "重新执行支付批次",
        "查看支付批次进度",
        "下载导出文件",
        "新建项目",  # issue 16: structured configuration forms
        "新建届次",
        "新建轮次",
        "修改轮次",
        "设置评分细则",
        "设置资格条件",
        "更换申报表版本",
        "修改轮次设置",
        "修改项目",
        "更正社会组织登记信息",
        "添加机构成员",
        "移除机构成员",
        "调整账户角色",
        "核验社会组织自报信息",
        "导入社会组织登记名录",
        "审核社会组织认领",
        "设为街镇社会组织服务中心",
        "入围线并列查询",
        "入围线并列裁定",
        *NOTICE_FORM_NAMES,
        "资格审查人工认定",
        "确定资助",
        *MATCHING_FORM_NAMES,  # issue 13: 聚力计划, listed by its own module
        "聚力计划需求审核",
        "邀请大赛获奖项目直通",
        "分配导师（预览或确认）",
        "建立扶持批次",
        "记录结项评估结论",
        "创建训练营",
        "添加训练营场次",
        "训练营流程操作",
        "取消训练营报名",
        "更正训练营出勤",
        "发放结业证书",
        *(f.name for f in RECOMMENDATION_FORMS),  # issue 15: 区级推荐
        "设置轮次阶段与顺序",  # issue 15: stages
        "晋级下一阶段（预览或确认）",
        "裁定晋级线并列",
        "决赛路演：登记",
        "决赛路演：抽取出场顺序",
        "决赛路演：项目路演计时",
        "决赛路演：结束路演",
        "确定奖项",
        "引荐获奖项目对接资源",
    }
    schema = ok(await changning.get(f"forms/{quote(forms[APPROVE_BATCH])}/schema/"))
    assert schema["required"] == ["batch_id"] and schema["properties"]["batch_id"]["description"] == "支付批次编号"

    # A district officer cannot approve another district's batch: it looks missing, and nothing changes.
    refused = await pudong.post(form_path(APPROVE_BATCH), {"batch_id": batch["id"]})
    assert refused.status_code == 422 and refused.json()["custom_form_error"] == "支付批次不存在或无权访问"
    assert await PaymentBatch.select(PaymentBatch.status).where(PaymentBatch.id == batch["id"]).first() == {
        "status": "draft"
    }
    assert await OutboxMessage.count().where(OutboxMessage.job_name == "pay_batch") == 0

    invalid = await changning.post(form_path(APPROVE_BATCH), {"batch_id": "第一批"})
    # Refused before the handler, in Chinese and by the field's title (Piccolo alone answers pydantic's English).
    assert invalid.status_code == 422 and invalid.json()["custom_form_error"] == "支付批次：请从下拉列表中选择"

    done = ok(await changning.post(form_path(APPROVE_BATCH), {"batch_id": batch["id"]}))
    assert done["custom_form_success"] == f"支付批次 {batch['id']} 已审批，共 30,000.00 元，正在后台支付"
    approved = await PaymentBatch.select().where(PaymentBatch.id == batch["id"]).first()
    assert approved is not None
    assert approved["status"] == "approved" and approved["approved_by"] == changning.user.id
    [message] = await OutboxMessage.select(
        OutboxMessage.job_name, OutboxMessage.job_key, OutboxMessage.delivered_at
    ).where(OutboxMessage.job_name == "pay_batch")
    assert message["job_name"] == "pay_batch" and message["job_key"] == f"pay_batch:{batch['id']}"
    assert message["delivered_at"] is not None  # handed to arq right after the commit
    assert await AuditEntry.count().where(AuditEntry.action == "payment_batch.approve") == 1

    again = await changning.post(form_path(APPROVE_BATCH), {"batch_id": batch["id"]})
    assert again.status_code == 422
    assert "已审批" in again.json()["custom_form_error"]
    assert await OutboxMessage.count().where(OutboxMessage.job_name == "pay_batch") == 1
    assert await AuditEntry.count().where(AuditEntry.action == "payment_batch.approve") == 1

    # The job the form handed over is the API's: a worker pays the batch.
    await run_worker_burst()
    assert await PaymentBatch.select(PaymentBatch.status).where(PaymentBatch.id == batch["id"]).first() == {
        "status": "completed"
    }
    assert await LedgerEntry.count().where(LedgerEntry.kind == "disbursement") == 1


async def test_round_forms_follow_the_workflow(admin_client: AdminFactory) -> None:
    from datetime import timedelta

    from app.timezone import now_utc
    from programmes.catalogue.schemas import CriterionIn, RoundCreate
    from programmes.catalogue.service import create_round

    changning = await admin_client(Role.officer, District.changning)
    pudong = await admin_client(Role.officer, District.pudong)
    assert changning.user is not None
    contest = await factories.contest_round(changning.user, district=District.changning)
    now = now_utc()
    draft = await create_round(
        changning.user.principal,
        contest["edition_id"],
        RoundCreate(
            name="复赛",
            opens_at=now,
            closes_at=now + timedelta(days=3),
            form_title="申报书",
            form_schema=factories.FORM,
            criteria=[CriterionIn(**c) for c in factories.CRITERIA],
        ),
    )

    assert (await pudong.post(form_path(OPEN_ROUND), {"round_id": draft.id})).json()["custom_form_error"]
    assert ok(await changning.post(form_path(OPEN_ROUND), {"round_id": draft.id}))["custom_form_success"] == (
        f"轮次 {draft.id} 已开放申报"
    )
    assert (await changning.post(form_path(OPEN_ROUND), {"round_id": draft.id})).status_code == 422
    early = await changning.post(form_path("关闭轮次并排名"), {"round_id": draft.id})
    assert early.json()["custom_form_error"] == "申报截止时间未到，不能关闭轮次"
    assert await Round.select(Round.status).where(Round.id == draft.id).first() == {"status": "open"}


# --- accounts ------------------------------------------------------------------------------------------------------


async def test_accounts_change_only_through_the_role_form(admin_client: AdminFactory) -> None:
    admin = await admin_client(Role.admin)
    officer = await admin_client(Role.officer)
    assert officer.user is not None and admin.user is not None
    account_id = (await Account.select(Account.id).where(Account.user == officer.user.id).first() or {})["id"]

    assert account_id in await row_ids(officer, "account")
    for session in (officer, admin):
        for attempt in (
            session.patch(f"tables/account/{account_id}/", {"display_name": "自己改名"}),
            session.patch(f"tables/account/{account_id}/", {"role": "admin"}),
            session.post("tables/account/", {"user": officer.user.id, "role": "admin"}),
            session.delete(f"tables/account/{account_id}/"),
            session.delete("tables/account/"),
        ):
            assert (await attempt).status_code == 405
    assert await Account.select(Account.role, Account.display_name).where(Account.id == account_id).first() == {
        "role": "officer",
        "display_name": "",
    }

    role_form = form_path("调整账户角色")
    body = {"username": officer.user.principal.username, "role": "officer", "district": "changning"}
    refused = await officer.post(role_form, body)
    assert refused.status_code == 422 and refused.json()["custom_form_error"] == "只有系统管理员可以调整账户角色"
    wrong = await admin.post(role_form, {**body, "district": "火星区"})
    assert wrong.status_code == 422
    assert wrong.json()["custom_form_error"].startswith("district：取值不在允许范围内，可选：")
    own = await admin.post(role_form, {**body, "username": admin.user.principal.username})
    assert own.json()["custom_form_error"] == "不能调整自己的角色，请由另一位管理员办理"
    assert await AuditEntry.count().where(AuditEntry.action == "account.change_role") == 0

    done = ok(await admin.post(role_form, {**body, "display_name": "长宁区项目官员", "reason": "调岗"}))
    assert done["custom_form_success"].startswith(f"账户 {officer.user.principal.username} 现为项目官员（长宁区）")
    assert await Account.select(Account.district, Account.display_name).where(Account.id == account_id).first() == {
        "district": "changning",
        "display_name": "长宁区项目官员",
    }
    [entry] = (
        await AuditEntry.select(AuditEntry.before, AuditEntry.after, AuditEntry.actor_id)
        .where(AuditEntry.action == "account.change_role")
        .output(load_json=True)
    )
    assert entry == {
        "before": {"district": None, "display_name": ""},
        "after": {"district": "changning", "display_name": "长宁区项目官员"},
        "actor_id": admin.user.id,
    }
    # The admin session reads the role afresh: the officer now sees only changning's rows.
    assert ok(await officer.get("tables/programme/"))["rows"] == []
    # Piccolo's session table is not in this admin at all; its user table is, read-only (test_admin_gateway.py).
    assert (await admin.get("tables/sessions/")).status_code == 404


async def test_application_forms_and_filters(admin_client: AdminFactory) -> None:
    from programmes.applications.schemas import ApplicationCreate
    from programmes.applications.service import create_draft, submit
    from programmes.exports.tables import ExportJob

    city = await admin_client(Role.officer)
    changning = await admin_client(Role.officer, District.changning)
    assert city.user is not None and changning.user is not None
    call = await factories.contest_round(city.user)
    ids = []
    for _ in range(2):
        org_id, member = await factories.organisation()
        created = await create_draft(
            member.principal,
            ApplicationCreate(
                round_id=call["id"], organisation_id=org_id, title="后台测试", answers=factories.GOOD_ANSWERS
            ),
        )
        await submit(member.principal, created.id)
        ids.append(created.id)

    # Filters officers use: by round, status and screening result.
    await Application.update({Application.eligibility_outcome: "ineligible"}).where(Application.id == ids[1])
    listed = ok(await city.get(f"tables/application/?round={call['id']}&eligibility_outcome=ineligible"))
    assert [row["id"] for row in listed["rows"]] == [ids[1]]
    listed = ok(await city.get(f"tables/application/?round={call['id']}&status=submitted"))
    assert {row["id"] for row in listed["rows"]} == set(ids)
    returned = await city.post(
        form_path("申报批量操作"),
        {"action": "return_for_revision", "application_ids": f"{ids[0]}，{ids[1]}", "reason": "请补充预算明细"},
    )
    assert returned.status_code == 200, returned.text
    # The typed numbers are said back with the applications' titles.
    assert f"成功 2 件：{ids[0]}「" in returned.json()["custom_form_success"], returned.text
    statuses = await Application.select(Application.status).where(Application.id.is_in(ids))
    assert {s["status"] for s in statuses} == {"returned"}
    bad_ids = await city.post(form_path("申报批量操作"), {"action": "reject", "application_ids": "一,二"})
    assert bad_ids.status_code == 422

    # The city-level round is outside the changning officer's scope: each application is reported, none moves.
    refused = await changning.post(
        form_path("申报批量操作"), {"action": "reject", "application_ids": str(ids[0]), "reason": "x"}
    )
    assert refused.status_code == 200 and "未处理 1 件" in refused.json()["custom_form_success"]
    assert (await Application.select(Application.status).where(Application.id == ids[0]).first()) == {
        "status": "returned"
    }

    exported = await city.post(form_path("导出申报（xlsx）"), {"round_id": call["id"]})
    assert exported.status_code == 200, exported.text
    assert await ExportJob.count().where(ExportJob.round == call["id"]) == 1


async def test_officers_invite_experts_into_the_pool(admin_client: AdminFactory) -> None:
    from scoring.tables import ExpertProfile

    city = await admin_client(Role.officer)
    invited = await city.post(
        form_path("邀请评审专家"),
        {
            "username": "expert_wang",
            "display_name": "王老师",
            "initial_password": "secret-pass-1",
            "domains": "为老服务，社区治理",
            "email": "Wang.Laoshi@example.org",
            "mobile": "13900001111",
        },
    )
    assert invited.status_code == 200, invited.text
    account = (
        await Account.select(Account.role, Account.user, Account.mobile, Account.user.email.as_alias("email"))
        .where(Account.display_name == "王老师")
        .first()
    )
    assert account is not None and account["role"] == "expert"
    assert (account["email"], account["mobile"]) == ("wang.laoshi@example.org", "13900001111")
    bad_mobile = await city.post(
        form_path("邀请评审专家"),
        {"username": "expert_li", "display_name": "李老师", "initial_password": "secret-pass-1", "mobile": "110"},
    )
    assert bad_mobile.status_code == 422 and await Account.count().where(Account.display_name == "李老师") == 0
    profile = (
        await ExpertProfile.select(ExpertProfile.domains)
        .where(ExpertProfile.expert == account["user"])
        .first()
        .output(load_json=True)
    )
    assert profile == {"domains": ["为老服务", "社区治理"]}
    duplicate = await city.post(
        form_path("邀请评审专家"),
        {"username": "expert_wang", "display_name": "王老师", "initial_password": "secret-pass-1"},
    )
    assert duplicate.status_code == 422 and duplicate.json()["custom_form_error"] == "该用户名已被使用"
