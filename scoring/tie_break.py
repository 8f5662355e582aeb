"""Tie-break keys of a round (并列处理规则), pure: what decides between applications whose score ties.

A round's ``tie_break`` is a list of keys applied in order after the aggregation method's score:

- ``criteria``: the means of every criterion in rubric order (higher first; all-N/A counts lowest);
- ``criterion:<code>``: the mean of one criterion;
- ``spread``: the variance of the review scores (lower first: the experts agree more);
- ``submitted_at``: the submission time (earlier first);
- ``id``: the application id (lower first). It is always the last key, said or not: the order is total.

Applications equal on every key but ``id`` share a rank (competition ranking 1, 2, 2, 4): that is a tie an officer
decides at a quota's cut line (scoring.cut_line). Default: criteria, spread, submitted_at, id.
"""

from __future__ import annotations

from collections.abc import Sequence

DEFAULT_TIE_BREAK: tuple[str, ...] = ("criteria", "spread", "submitted_at", "id")
SIMPLE_KEYS = ("criteria", "spread", "submitted_at", "id")
CRITERION_PREFIX = "criterion:"


def tie_break_problems(keys: Sequence[str], codes: Sequence[str]) -> list[str]:
    """zh-CN problems of a tie-break list for a rubric with ``codes`` (empty: valid)."""
    problems: list[str] = []
    if len(set(keys)) != len(keys):
        problems.append("并列处理规则中有重复项")
    for i, key in enumerate(keys):
        if key.startswith(CRITERION_PREFIX):
            if key.removeprefix(CRITERION_PREFIX) not in codes:
                problems.append(f"评分标准中没有 {key.removeprefix(CRITERION_PREFIX)}")
        elif key not in SIMPLE_KEYS:
            problems.append(f"未知的并列处理规则：{key}（可用 criteria、criterion:<代码>、spread、submitted_at、id）")
        elif key == "id" and i != len(keys) - 1:
            problems.append("id 只能是并列处理规则的最后一项")
    return problems


def expand(
    keys: Sequence[str], codes: Sequence[str], criteria: Sequence[str] | None = None
) -> list[tuple[str, str | None]]:
    """Keys as (kind, criterion code): ``criteria`` becomes one entry per code of ``criteria`` (default: every code,
    in rubric order); ``id`` and anything after it are dropped (the id is the ranking's final key anyway). Raises
    ValueError on an invalid list."""
    if problems := tie_break_problems(keys, codes):
        raise ValueError("；".join(problems))
    out: list[tuple[str, str | None]] = []
    for key in keys:
        if key == "id":
            break
        if key == "criteria":
            out += [("criterion", code) for code in (codes if criteria is None else criteria)]
        elif key.startswith(CRITERION_PREFIX):
            out.append(("criterion", key.removeprefix(CRITERION_PREFIX)))
        else:
            out.append((key, None))
    return out
