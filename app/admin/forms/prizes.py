"""Piccolo Admin forms for prizes and resource links: confirm an edition's prizes (with the tie decisions, if
any) and introduce a winner to an offer. Each calls the service the API calls, so scope, the 公示 gate, the award
path, audit and notifications are the same on both paths."""

from __future__ import annotations

from piccolo_admin.endpoints import FormConfig
from pydantic import Field
from starlette.requests import Request

from app.admin.forms.common import as_officer, parse_ids, validated
from app.admin.picks import picked
from app.auth.principal import Principal
from app.money import yuan
from app.types import FormId, RequestModel
from programmes.prizes.schemas import PrizeRequest, TieDecision
from programmes.resources.schemas import IntroductionCreate


class ConfirmPrizes(RequestModel):
    edition_id: FormId = picked("edition", title="届次")
    round_id: FormId | None = picked("round", optional=True, title="依据的轮次", description="留空则为本届决赛轮次")
    tie_decisions: str = Field(
        default="",
        max_length=1000,
        title="并列裁定",
        description="每行一项：并列编号=申报编号,申报编号;理由（并列编号见 API 的奖项预览）",
    )


class IntroduceWinner(RequestModel):
    offer_id: FormId = picked("resource_offer", title="资源")
    prize_id: FormId = picked("prize", title="奖项")
    note: str = Field(default="", max_length=1000, title="引荐说明")


def parse_decisions(text: str) -> list[TieDecision]:
    """``key=12,13;reason`` per line, into the API's decisions (validated as the API validates them)."""
    decisions = []
    for line in (raw.strip() for raw in text.splitlines()):
        if not line:
            continue
        key, sep, rest = line.partition("=")
        ids, sep2, reason = rest.partition(";")
        if not sep or not sep2:
            raise ValueError("并列裁定格式：并列编号=申报编号,申报编号;理由")
        decisions.append(
            validated(TieDecision, {"key": key.strip(), "application_ids": parse_ids(ids), "reason": reason.strip()})
        )
    return decisions


async def _confirm(request: Request, data: ConfirmPrizes) -> str:
    from programmes.prizes.assignment import confirm

    body = validated(
        PrizeRequest,
        {"round_id": data.round_id, "tie_decisions": [d.model_dump() for d in parse_decisions(data.tie_decisions)]},
    )

    async def work(principal: Principal) -> str:
        done = await confirm(principal, data.edition_id, body)
        money = sum(p.amount_fen for p in done.prizes)
        counts = f"{len(done.prizes)} 个获奖项目，{done.awards} 项资助"
        return f"届次 {data.edition_id} 奖项已确定：{counts}，奖金合计 {yuan(money)}"

    return await as_officer(request, work)


async def _introduce(request: Request, data: IntroduceWinner) -> str:
    from programmes.resources.introductions import introduce

    body = validated(IntroductionCreate, {"prize_id": data.prize_id, "note": data.note})

    async def work(principal: Principal) -> str:
        done = await introduce(principal, data.offer_id, body)
        return f"已将「{done.project_title}」引荐至资源「{done.offer_title}」（对接编号 {done.id}）"

    return await as_officer(request, work)


PRIZE_FORMS = [
    FormConfig(
        "确定奖项",
        ConfirmPrizes,
        _confirm,
        description="决赛公示生效后按排名确定各奖项，有奖金的奖项同时确定资助（协议与拨付计划）",
        form_group="奖项与资源对接",
    ),
    FormConfig(
        "引荐获奖项目对接资源",
        IntroduceWinner,
        _introduce,
        description="每个获奖项目对同一资源只引荐一次",
        form_group="奖项与资源对接",
    ),
]
