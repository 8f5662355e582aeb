"""After the award: the funding agreement (资助协议), the payee's bank account and the progress reports."""

from __future__ import annotations

from enum import StrEnum

from app.workflow.definition import ADMIN, APPLICANT, OFFICER, SYSTEM, Workflow, step


class AgreementStatus(StrEnum):
    draft = "draft"
    signed = "signed"
    countersigning = "countersigning"
    effective = "effective"
    terminated = "terminated"


class BankAccountStatus(StrEnum):
    pending = "pending"
    verified = "verified"
    rejected = "rejected"
    superseded = "superseded"


class ProgressReportStatus(StrEnum):
    due = "due"
    submitted = "submitted"
    accepted = "accepted"
    returned = "returned"


AGREEMENT = Workflow(
    name="agreement",
    status=AgreementStatus,
    initial="draft",
    states={
        "draft": "待机构签署",
        "signed": "机构已签署，待主管部门会签",
        "countersigning": "一名官员已会签，待第二名官员复核会签",
        "effective": "已生效",
        "terminated": "已终止",
    },
    transitions=(
        step("sign", "draft", "signed", [APPLICANT], "机构签署协议"),
        step("return_signature", ["signed", "countersigning"], "draft", [OFFICER, ADMIN], "退回机构重新签署"),
        step("countersign", "signed", "effective", [OFFICER, ADMIN], "主管部门会签，协议生效"),
        # Above the four-eyes amount (SEEDBED_FOUR_EYES_AGREEMENT_FEN): a first countersignature, then a second
        # officer's; the service and a database trigger refuse the same officer twice.
        step("first_countersign", "signed", "countersigning", [OFFICER, ADMIN], "第一名官员会签（超过双人复核限额）"),
        step("second_countersign", "countersigning", "effective", [OFFICER, ADMIN], "第二名官员复核会签，协议生效"),
        step(
            "terminate",
            ["draft", "signed", "countersigning", "effective"],
            "terminated",
            [OFFICER, ADMIN],
            "资助撤销，协议终止",
        ),
    ),
    # ``awaiting_countersign``: the organisation has signed and the officers' countersignature is outstanding (a
    # change of the amount sends it back to the organisation); ``reports_open``: the organisation sees and writes
    # the award's progress reports.
    capabilities={"awaiting_countersign": ["signed", "countersigning"], "reports_open": ["signed", "effective"]},
)

BANK_ACCOUNT = Workflow(
    name="bank_account",
    status=BankAccountStatus,
    initial="pending",
    states={"pending": "待核验", "verified": "已核验", "rejected": "未通过核验", "superseded": "已被新账户替代"},
    transitions=(
        step("verify", "pending", "verified", [OFFICER, ADMIN], "核验银行账户"),
        step("reject", "pending", "rejected", [OFFICER, ADMIN], "账户核验不通过"),
        step("supersede", "verified", "superseded", [SYSTEM], "新账户核验通过，旧账户停用"),
        # The bank reports the account closed or frozen, or the officer finds it wrong: no money goes there any more.
        step("revoke", "verified", "rejected", [OFFICER, ADMIN], "撤销核验（账户销户、冻结或信息有误）"),
    ),
    # ``in_use``: the account is on file for the organisation (awaiting verification or verified).
    capabilities={"in_use": ["pending", "verified"]},
)

PROGRESS_REPORT = Workflow(
    name="progress_report",
    status=ProgressReportStatus,
    initial="due",
    states={"due": "待提交", "submitted": "已提交，待验收", "accepted": "已验收", "returned": "已退回修改"},
    transitions=(
        step("submit", ["due", "returned"], "submitted", [APPLICANT], "提交报告"),
        step("accept", "submitted", "accepted", [OFFICER, ADMIN], "验收通过"),
        step("return", "submitted", "returned", [OFFICER, ADMIN], "退回修改", requires_reason=True),
    ),
    # ``applicant_edits``: the organisation may change and submit the report (and is reminded of it).
    capabilities={"applicant_edits": ["due", "returned"]},
)
