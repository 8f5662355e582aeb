from __future__ import annotations

import pytest

from programmes.draws.draw import DrawImpossible, draw


def test_the_same_seed_draws_the_same_whatever_the_input_order() -> None:
    first = draw("seed-2026", [5, 3, 9, 1, 7], [20, 21, 22, 23], 3, 2, {})
    again = draw("seed-2026", [1, 9, 7, 3, 5], [23, 22, 21, 20], 3, 2, {})
    assert first == again and len(first) == 3
    assert all(len(p.inspector_ids) == 2 for p in first)
    seeds = {tuple(draw(str(n), [5, 3, 9, 1, 7], [20, 21, 22, 23], 3, 2, {})) for n in range(50)}
    assert len(seeds) > 1  # the seed really drives the draw


def test_conflicted_inspectors_are_never_drawn() -> None:
    for seed in map(str, range(200)):
        [project] = draw(seed, [1], [10, 11, 12], 1, 2, {1: {10}})
        assert 10 not in project.inspector_ids


def test_impossible_draws_explain_themselves() -> None:
    with pytest.raises(DrawImpossible, match="少于要抽取的 3 个"):
        draw("s", [1, 2], [10, 11], 3, 1, {})
    with pytest.raises(DrawImpossible, match="检查人员不足"):
        draw("s", [1], [10, 11], 1, 2, {1: {11}})
