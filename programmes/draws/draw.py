"""双随机、一公开, the pure part: given candidates and a seed, pick projects and inspectors reproducibly.

Random subjects (funded projects) and random inspectors (from the expert pool, never one in conflict with the
project's organisation); the seed is recorded so anyone can repeat the draw and get the same result.
"""

from __future__ import annotations

import random
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class DrawnProject:
    award_id: int
    inspector_ids: tuple[int, ...]


class DrawImpossible(ValueError):
    pass


def draw(
    seed: str,
    awards: Sequence[int],
    inspectors: Sequence[int],
    projects: int,
    inspectors_per_project: int,
    conflicts: Mapping[int, Collection[int]],
) -> list[DrawnProject]:
    """Candidates are sorted first, so the database's row order never changes the outcome of a seed."""
    rng = random.Random(seed)  # noqa: S311 — reproducibility is the point; nothing secret is derived from it
    if projects > len(awards):
        raise DrawImpossible(f"可抽查的项目只有 {len(awards)} 个，少于要抽取的 {projects} 个")
    chosen = rng.sample(sorted(awards), projects)
    result = []
    for award_id in sorted(chosen):
        eligible = [i for i in sorted(inspectors) if i not in conflicts.get(award_id, ())]
        if len(eligible) < inspectors_per_project:
            raise DrawImpossible(f"项目（资助 {award_id}）可回避冲突后的检查人员不足 {inspectors_per_project} 人")
        result.append(DrawnProject(award_id, tuple(sorted(rng.sample(eligible, inspectors_per_project)))))
    return result
