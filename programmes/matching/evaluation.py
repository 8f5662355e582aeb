"""Evaluation (评价): the community rates a delivered order once (per aspect 1–5 and a comment); the organisation
responds once. "Once" is the workflow's (``evaluate`` leaves ``delivered``) and the table's (one evaluation per
order); the response is written only where none is, under the evaluation's row lock."""

from __future__ import annotations

from app.access import load
from app.auth.principal import Principal
from app.errors import DomainError, FieldError, conflict
from app.notifications.service import notify_organisations
from app.timezone import now_utc
from app.uow import unit_of_work
from app.workflow.engine import Actor
from programmes.matching import orders
from programmes.matching.schemas_order import ASPECTS_ZH, EvaluationCreate, OrderRead
from programmes.matching.tables import Demand, MatchOrder, OrderEvaluation


def checked_ratings(ratings: dict[str, int]) -> dict[str, int]:
    """Every aspect, each an integer 1–5, nothing else; each bad aspect named as ``ratings.<aspect>``."""
    errors: list[FieldError] = []
    for aspect in sorted(set(ratings) - set(ASPECTS_ZH)):
        errors.append(FieldError(f"ratings.{aspect}", "rating_unknown_aspect", f"未知的评价项：{aspect}"))
    for aspect, label in ASPECTS_ZH.items():
        value = ratings.get(aspect)
        if value is None:
            errors.append(FieldError(f"ratings.{aspect}", "rating_missing", f"请为“{label}”评分"))
        elif type(value) is not int or not 1 <= value <= 5:
            errors.append(FieldError(f"ratings.{aspect}", "rating_out_of_range", f"“{label}”评分须为 1–5 的整数"))
    if errors:
        raise DomainError(errors[0].code, errors[0].message, 422, errors)
    return {aspect: ratings[aspect] for aspect in ASPECTS_ZH}


def overall_rating(ratings: dict[str, int]) -> int:
    """The mean of the aspects rounded half up (四舍五入: 4.5 → 5), in integers; Python's round() would give 4."""
    total, count = sum(ratings.values()), len(ratings)
    return (2 * total + count) // (2 * count)


async def evaluate(principal: Principal, order_id: int, data: EvaluationCreate) -> OrderRead:
    ratings = checked_ratings(data.ratings)
    overall = overall_rating(ratings)
    async with unit_of_work(Actor.of(principal)) as uow:
        order = await load(principal, MatchOrder, order_id, "community")
        await uow.transition(MatchOrder, order_id, "evaluate", values={"evaluated_at": now_utc()})
        await OrderEvaluation.insert(
            OrderEvaluation(
                order=order_id,
                ratings=ratings,
                overall=overall,
                comment=data.comment,
                scope_district=order["scope_district"],
                created_by=principal.user_id,
                created_at=now_utc(),
            )
        )
        await uow.audit(
            "order_evaluation.create", "match_order", order_id, after={"ratings": ratings, "overall": overall}
        )
        await notify_organisations(
            [order["organisation"]],
            "match_order",
            "社区已评价",
            f"社区对服务的总体评分：{overall} 分。您可回应一次。",
            f"match_order:{order_id}:evaluated",
        )
    return await orders.read(order_id)


async def respond(principal: Principal, order_id: int, response: str) -> OrderRead:
    async with unit_of_work(Actor.of(principal)) as uow:
        order = await load(principal, MatchOrder, order_id, "organisation")
        rows = (
            await OrderEvaluation.select(OrderEvaluation.id, OrderEvaluation.responded_at)
            .where(OrderEvaluation.order == order_id)
            .lock_rows("UPDATE")
        )
        if not rows:
            raise conflict("order_not_evaluated", "社区尚未评价，暂不能回应")
        if rows[0]["responded_at"] is not None:
            raise conflict("evaluation_already_responded", "已回应过该评价，只能回应一次")
        await OrderEvaluation.update(
            {OrderEvaluation.response: response, OrderEvaluation.responded_at: now_utc()}
        ).where(OrderEvaluation.id == rows[0]["id"])
        await uow.audit("order_evaluation.respond", "match_order", order_id, after={"response": response})
        demand = await Demand.select(Demand.community, Demand.title).where(Demand.id == order["demand"]).first()
        assert demand is not None
        await orders.notify_community(
            demand["community"],
            "match_order",
            "机构回应了评价",
            f"需求“{demand['title']}”的承接机构回应了贵社区的评价：{response}",
            f"match_order:{order_id}:responded",
        )
    return await orders.read(order_id)
