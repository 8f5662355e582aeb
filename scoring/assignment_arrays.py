"""Array helpers of the reviewer-assignment solver (scoring/assignment.py), pure (numpy only): profiles and pairs
turned into the integer arrays the flow network (scoring/assignment_flow.py) works on."""

from __future__ import annotations

from collections.abc import Collection, Sequence

import numpy as np
import numpy.typing as npt

Ints = npt.NDArray[np.int64]


def split_rows(labels: Ints, count: int) -> list[list[int]]:
    """Row numbers grouped by label 0‥count−1."""
    order = np.argsort(labels, kind="stable")
    return [part.tolist() for part in np.split(order, np.searchsorted(labels[order], np.arange(1, count)))]


def onehot(sets: Sequence[Collection[str | None]], vocabulary: Sequence[str]) -> npt.NDArray[np.float32]:
    index = {v: i for i, v in enumerate(vocabulary)}
    cells = [(row, index[v]) for row, values in enumerate(sets) for v in values if v in index]
    out = np.zeros((len(sets), len(vocabulary)), dtype=np.float32)
    if cells:
        rows, cols = zip(*cells, strict=True)
        out[list(rows), list(cols)] = 1
    return out


def affiliation_groups(affiliations: Sequence[frozenset[str]]) -> Ints:
    """Union–find: experts sharing an affiliation, transitively, form one group; unaffiliated experts stand alone."""
    parent = list(range(len(affiliations)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    first: dict[str, int] = {}
    for i, names in enumerate(affiliations):
        for name in sorted(names):
            parent[root(i)] = root(first.setdefault(name, i))
    _, dense = np.unique(np.array([root(i) for i in range(len(parent))], dtype=np.int64), return_inverse=True)
    return dense.ravel().astype(np.int64)


def index_pairs(pairs: Collection[tuple[int, int]], apps: dict[int, int], experts: dict[int, int]) -> tuple[Ints, Ints]:
    rows = np.array([(apps.get(a, -1), experts.get(e, -1)) for a, e in pairs], dtype=np.int64).reshape(-1, 2)
    width = max(len(experts), 1)
    known = np.unique((rows[:, 0] * width + rows[:, 1])[(rows >= 0).all(axis=1)])
    return known // width, known % width
