"""An application's status timeline, read from the audit log."""

from __future__ import annotations

from app.audit import AuditEntry
from app.auth.principal import Principal
from app.auth.tables import ROLE_LABELS_ZH
from app.paging import Page, PageParams, fetch_page
from programmes.applications.schemas import TimelineEntry
from programmes.applications.service import read_for
from programmes.workflows import APPLICATION_WORKFLOWS
from programmes.workflows.review import REVIEW_ASSIGNMENT

_LABELS: dict[str, str] = (
    {
        f"{workflow.name}.{step.action}": step.label_zh
        for workflow in APPLICATION_WORKFLOWS.values()
        for step in workflow.transitions
    }
    | {
        "application.create": "创建申报草稿",
        "application.save_draft": "保存草稿",
        "application.screen": "资格审查",
        "application.eligibility_override": "资格审查人工认定",
        "application.carry": "带入下一阶段",
        "application.stage_update": "更新本阶段申报内容（新版本）",
        "attachment.upload": "上传附件",
        "attachment.delete": "删除附件",
        "district_recommendation.recommend": "区级推荐",
    }
    | {
        # The officer's reason for reopening or removing a review assignment, noted on the application.
        f"{REVIEW_ASSIGNMENT.name}.{step.action}.note": f"评审任务：{step.label_zh}"
        for step in REVIEW_ASSIGNMENT.transitions
    }
)
# A row whose action has no label yet still reads in Chinese (tests/api/platform/test_zh_messages.py keeps it unused).
UNLABELLED = "其他操作"


def label_of(action: str) -> str:
    return _LABELS.get(action, UNLABELLED)


async def timeline(principal: Principal, application_id: int, paging: PageParams) -> Page[TimelineEntry]:
    """Who did what and when (by role, never by name: reviewers stay anonymous), oldest first; for whoever may read
    the application. Autosaves are left out."""
    await read_for(principal, application_id)
    query = (
        AuditEntry.select(
            AuditEntry.action,
            AuditEntry.actor_role,
            AuditEntry.before,
            AuditEntry.after,
            AuditEntry.reason,
            AuditEntry.created_at,
        )
        .order_by(AuditEntry.id)
        .output(load_json=True)
    )
    page = await fetch_page(
        AuditEntry,
        query,
        paging,
        AuditEntry.object_type == "application",
        AuditEntry.object_id == application_id,
        AuditEntry.action != "application.save_draft",
    )
    return page.map(
        [
            TimelineEntry(
                action=row["action"],
                label=label_of(row["action"]),
                actor=ROLE_LABELS_ZH.get(row["actor_role"], "其他"),  # never an English role code
                status_before=(row["before"] or {}).get("status"),
                status_after=(row["after"] or {}).get("status"),
                reason=row["reason"],
                at=row["created_at"],
            )
            for row in page.items
        ]
    )
