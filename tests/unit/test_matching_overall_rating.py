"""A community's overall rating is the mean of its four aspects rounded half up (四舍五入), as people expect."""

from __future__ import annotations

from itertools import product

from programmes.matching.evaluation import overall_rating


def test_halves_round_up_and_the_rest_to_the_nearest() -> None:
    assert overall_rating({"quality": 5, "timeliness": 5, "communication": 4, "effect": 4}) == 5  # 4.5
    assert overall_rating({"quality": 4, "timeliness": 4, "communication": 3, "effect": 3}) == 4  # 3.5
    assert overall_rating({"quality": 5, "timeliness": 4, "communication": 4, "effect": 4}) == 4  # 4.25
    assert overall_rating({"quality": 5, "timeliness": 5, "communication": 5, "effect": 4}) == 5  # 4.75


def test_every_combination_agrees_with_decimal_half_up() -> None:
    from decimal import ROUND_HALF_UP, Decimal

    for values in product(range(1, 6), repeat=4):
        ratings = dict(zip(("quality", "timeliness", "communication", "effect"), values, strict=True))
        expected = int((Decimal(sum(values)) / 4).quantize(Decimal(1), rounding=ROUND_HALF_UP))
        assert overall_rating(ratings) == expected
