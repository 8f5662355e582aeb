"""Piccolo Admin forms for 沪社星耀 fast-track invitations (直通邀请) and mentor assignment (导师分配: preview and
commit), calling the API's services and rules."""

from __future__ import annotations

from typing import Literal

from piccolo_admin.endpoints import FormConfig
from pydantic import Field
from starlette.requests import Request

from app.admin.forms.common import as_officer, validated
from app.admin.picks import picked
from app.auth.principal import Principal
from app.types import FormId, RequestModel


class FastTrackInviteForm(RequestModel):
    origin_application_id: FormId = Field(title="大赛获奖申报编号", description="公益创新创业大赛中已获奖的申报")
    round_id: FormId = picked("round", title="沪社星耀轮次", description="须为开放申报中的沪社星耀轮次")
    field_map: str = Field(
        max_length=1000,
        title="字段映射",
        description="每行一项：大赛字段路径 -> 沪社星耀字段路径，例如 summary -> summary",
    )
    message: str = Field(default="", max_length=1000, title="致申报单位的说明")


def _pairs(text: str) -> list[dict[str, str]]:
    pairs = []
    for line in (raw.strip() for raw in text.splitlines()):
        if not line:
            continue
        if "->" not in line:
            raise ValueError(f"无法识别的映射行「{line}」，格式：大赛字段 -> 沪社星耀字段")
        left, right = (part.strip() for part in line.split("->", 1))
        pairs.append({"contest_field": left, "support_field": right})
    return pairs


async def _invite(request: Request, data: FastTrackInviteForm) -> str:
    from programmes.fasttrack import service
    from programmes.fasttrack.schemas import InvitationCreate

    body = validated(
        InvitationCreate,
        {
            "origin_application_id": data.origin_application_id,
            "round_id": data.round_id,
            "mapping": _pairs(data.field_map),
            "message": data.message,
        },
    )

    async def work(principal: Principal) -> str:
        done = await service.invite(principal, body)
        return f"已邀请「{done.origin_title}」直通，预填草稿编号 {done.application_id}，待申报单位确认"

    return await as_officer(request, work)


class MentorPlanForm(RequestModel):
    round_id: FormId = picked("round", title="沪社星耀轮次", description="为该轮次入选/已资助的项目分配导师")
    mentors_per_project: int = Field(default=1, ge=1, le=5, title="每个项目的导师人数")
    step: Literal["预览", "确认分配"] = Field(title="操作", description="预览不写入；确认分配写入并通知导师与项目")


async def _mentors(request: Request, data: MentorPlanForm) -> str:
    from scoring.mentors import service

    async def work(principal: Principal) -> str:
        if data.step == "预览":
            plan = await service.preview(principal, data.round_id, data.mentors_per_project)
            lines = "；".join(f"项目 {p.application_id} ← 导师 {p.mentor_id}" for p in plan.pairs[:50])
            return f"预览（未写入）：{len(plan.pairs)} 对。{lines}"
        plan = await service.commit(principal, data.round_id, data.mentors_per_project)
        return f"已分配 {len(plan.pairs)} 对导师，已通知导师与项目"

    return await as_officer(request, work)


FASTTRACK_FORMS = [
    FormConfig(
        "邀请大赛获奖项目直通",
        FastTrackInviteForm,
        _invite,
        description="与 POST /fasttrack/invitations 同一规则并留痕；区级官员仅限本区",
        form_group="沪社星耀",
    ),
    FormConfig(
        "分配导师（预览或确认）",
        MentorPlanForm,
        _mentors,
        description="与 POST /mentors/rounds/{id}/preview 和 /commit 同一求解器与回避规则",
        form_group="沪社星耀",
    ),
]
