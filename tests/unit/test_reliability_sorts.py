"""The sorting shortcuts under scoring/aggregation.py give exactly numpy's answers, on the fast path (one int64
key, a presence table) and on the fallback (values too far apart for either)."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from scoring.reliability import dense_index, lexsort_pairs, order_key, packed_keys

FAST = settings(max_examples=80, deadline=None, derandomize=True)
SMALL = st.integers(-1000, 1000)
HUGE = st.integers(-(2**62), 2**62)  # forces the fallbacks: no combined key or table fits


@FAST
@given(st.lists(st.tuples(st.one_of(SMALL, HUGE), st.one_of(SMALL, HUGE)), max_size=60))
def test_lexsort_pairs_is_a_stable_lexsort(pairs: list[tuple[int, int]]) -> None:
    major = np.array([p[0] for p in pairs], dtype=np.int64)
    minor = np.array([p[1] for p in pairs], dtype=np.int64)
    assert lexsort_pairs(major, minor).tolist() == np.lexsort((minor, major)).tolist()


@FAST
@given(st.lists(st.one_of(SMALL, HUGE), max_size=60))
def test_dense_index_is_uniques_inverse(values: list[int]) -> None:
    array = np.array(values, dtype=np.int64)
    expected = np.unique(array, return_inverse=True)[1].ravel() if values else np.zeros(0, dtype=np.int64)
    assert dense_index(array).tolist() == expected.tolist()


def test_both_paths_are_taken() -> None:
    close = np.array([3, 1, 2, 1], dtype=np.int64)
    far = np.array([2**61, -(2**61), 0, 5], dtype=np.int64)
    assert lexsort_pairs(close, close).tolist() == [1, 3, 2, 0]
    assert lexsort_pairs(far, far).tolist() == [1, 2, 3, 0]
    assert dense_index(close).tolist() == [2, 0, 1, 0]
    assert dense_index(far).tolist() == [3, 0, 1, 2]


@FAST
@given(st.lists(st.lists(st.integers(-50, 50), min_size=5, max_size=5), min_size=1, max_size=40))
def test_packed_keys_keep_the_lexicographic_order_and_its_ties(rows: list[list[int]]) -> None:
    keys = [np.array(column, dtype=np.int64) for column in zip(*rows, strict=True)]
    packed = packed_keys(keys)
    assert len(packed) <= len(keys)
    assert np.lexsort(packed[::-1]).tolist() == np.lexsort(keys[::-1]).tolist()
    by_keys = [tuple(int(k[i]) for k in keys) for i in range(len(rows))]
    by_packed = [tuple(int(k[i]) for k in packed) for i in range(len(rows))]
    assert all((by_keys[i] == by_keys[j]) == (by_packed[i] == by_packed[j]) for i in range(len(rows)) for j in range(i))


@FAST
@given(st.lists(st.integers(-(10**6), 10**6), min_size=1, max_size=40), st.integers(1, 10**6))
def test_order_key_with_one_denominator_ranks_the_fractions_densely(numerators: list[int], den: int) -> None:
    values = [Fraction(n, den) for n in numerators]
    ranks = {v: i for i, v in enumerate(sorted(set(values)))}
    num = np.array(numerators, dtype=np.int64)
    assert order_key(num, np.full(num.size, den, dtype=np.int64)).tolist() == [ranks[v] for v in values]
