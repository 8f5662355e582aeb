"""聚力计划 orders bought as a service: reconciliation rule (h) holds an order to the award rules (pure, rows in);
the order's release condition (on_delivery) is not one an award's payment plan may use."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from programmes.awards.schemas import PlannedTranche
from programmes.disbursements.order_checks import check_orders, holder_zh

AMOUNT = 500_000


def codes(status: str, sums: dict[str, int], tranche_fen: int | None = AMOUNT) -> list[str]:
    found: list[str] = []
    live = {} if tranche_fen is None else {7: tranche_fen}
    check_orders(
        [{"id": 7, "amount_fen": AMOUNT, "status": status}],
        {7: sums},
        live,
        lambda code, subject, message: found.append(code) if subject == "match_order:7" and message else None,
    )
    return found


def test_a_clean_order_in_each_state() -> None:
    obligated = {"obligation": AMOUNT, "obligation_count": 1}
    assert codes("accepted", obligated) == []
    assert codes("evaluated", {**obligated, "disbursement": AMOUNT, "disbursement_count": 1}) == []
    released = {**obligated, "reversal": AMOUNT, "reversal_count": 1}
    assert codes("cancelled", released, None) == []


def test_each_rule_names_its_code() -> None:
    assert codes("accepted", {}) == ["order_obligation_missing"]
    twice = {"obligation": 2 * AMOUNT, "obligation_count": 2}
    assert codes("accepted", twice) == ["order_duplicate_obligation", "order_obligation_amount_mismatch"]
    assert codes("cancelled", {"obligation": AMOUNT, "obligation_count": 1}, None) == ["cancelled_order_not_released"]
    over = {"obligation": AMOUNT, "obligation_count": 1, "disbursement": AMOUNT + 1}
    assert codes("delivered", over) == ["order_overdisbursed"]
    assert codes("accepted", {"obligation": AMOUNT, "obligation_count": 1}, AMOUNT - 1) == [
        "order_tranche_not_order_amount"
    ]


def test_whose_money_in_words() -> None:
    assert holder_zh(3, None) == "资助 3" and holder_zh(None, 9) == "聚力计划订单 9"


def test_an_award_plan_refuses_the_order_release_condition() -> None:
    assert PlannedTranche(amount_fen=100, condition="milestone", report_due_on="2027-01-01").condition == "milestone"
    with pytest.raises(ValidationError, match="拨付条件"):
        PlannedTranche(amount_fen=100, condition="on_delivery")
