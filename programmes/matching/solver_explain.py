"""Why a demand is left with units unmatched: reason codes derived from the solution, not guessed. Pure.

For a demand d with ``left = wanted − matched > 0`` look at its unused candidates (pairs listed but not chosen):

- none at all: ``forbidden`` when ``Problem.forbidden`` names a rule for d (offers fit, a rule excluded every pair),
  else ``no_candidate`` (nothing in scope fits; or it already has every candidate it has);
- the best unused one adds value (score + penalty > 0): ``capacity_taken``. Derived: d has room and the pair is
  unused, so if the pair's offer had a free unit, adding the pair would raise the objective — impossible in an
  optimal (or greedy, which is maximal) solution. So every such offer is full, and for each pair (d′, o) holding
  it, swapping it for (d, o) changes the objective by score(d, o) − score(d′, o) (the penalty moves from d to d′
  and cancels), which optimality makes ≤ 0: the rivals score at least as high. ``explain`` checks the first fact
  and raises if a solution breaks it; ``rival_score`` reports the second;
- otherwise (every unused candidate has score + penalty ≤ 0): ``not_worth`` — even with room it would lower the
  objective.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

import numpy as np

from programmes.matching.problem import (
    CAPACITY_TAKEN,
    FORBIDDEN,
    NO_CANDIDATE,
    NOT_WORTH,
    UNMATCHED_ZH,
    UnmatchedExplanation,
)

if TYPE_CHECKING:
    from collections.abc import Mapping

    from programmes.matching.solver import Bools, Indexed

DETAIL_LIMIT = 500  # SessionUnmatched.detail_zh is a Varchar(500)
LISTED_OFFERS = 8  # offer ids named in a detail before "等"


def explain(index: Indexed, chosen: Bools) -> dict[int, UnmatchedExplanation]:
    """An explanation for every demand with units left unmatched by ``chosen`` (per candidate), in problem order."""
    problem = index.problem
    n, m = index.wanted.size, index.free.size
    picked = np.flatnonzero(chosen)
    matched = np.bincount(index.demand[picked], minlength=n)
    left = index.wanted - matched
    held = np.bincount(index.offer[picked], minlength=m)
    full = held >= index.free
    lowest_held = np.full(m, np.iinfo(np.int64).max, dtype=np.int64)
    np.minimum.at(lowest_held, index.offer[picked], index.score[picked])
    offer_ids = index.offer_ids
    # Unused candidates of demands with room, grouped by demand, best score first (ties: lower offer id).
    rest = np.flatnonzero(~chosen & (left[index.demand] > 0))
    rest = rest[np.lexsort((offer_ids[index.offer[rest]], -index.score[rest], index.demand[rest]))]
    bounds = np.searchsorted(index.demand[rest], np.arange(n + 1))
    penalty = problem.unmatched_penalty
    out: dict[int, UnmatchedExplanation] = {}
    for d in np.flatnonzero(left > 0).tolist():
        slot = problem.demands[d]
        base = UnmatchedExplanation(slot.demand_id, NO_CANDIDATE, slot.wanted, int(matched[d]))
        mine = rest[bounds[d] : bounds[d + 1]]
        if not mine.size:
            rule = problem.forbidden.get(slot.demand_id)
            out[slot.demand_id] = base if rule is None else replace(base, reason=FORBIDDEN, rule=rule)
            continue
        scores, offers = index.score[mine], index.offer[mine]
        best = int(scores[0])
        if best + penalty <= 0:
            listed = tuple(offer_ids[offers].tolist())
            out[slot.demand_id] = replace(base, reason=NOT_WORTH, offers=listed, best_score=best)
            continue
        valuable = offers[scores + penalty > 0]
        if not full[valuable].all():
            raise RuntimeError(f"demand {slot.demand_id} has room and a free offer that adds value: not maximal")
        rival = int(lowest_held[offers[0]]) if held[offers[0]] else None
        listed = tuple(offer_ids[valuable].tolist())
        out[slot.demand_id] = replace(base, reason=CAPACITY_TAKEN, offers=listed, best_score=best, rival_score=rival)
    return out


def detail_zh(explanation: UnmatchedExplanation, rules_zh: Mapping[str, str] | None = None) -> str:
    """One zh-CN sentence for officers (≤ 500 characters: SessionUnmatched.detail_zh); ``rules_zh`` names the
    forbidding rules."""
    e = explanation
    left = e.wanted - e.matched
    head = f"需要{e.wanted}家服务方，已对接{e.matched}家，尚缺{left}家：{UNMATCHED_ZH[e.reason]}"
    if e.reason == FORBIDDEN and e.rule:
        head += f"（规则：{(rules_zh or {}).get(e.rule, e.rule)}）"
    elif e.reason == CAPACITY_TAKEN:
        head += f"（本需求最佳候选{e.best_score}分；"
        if e.rival_score is None:
            head += "该服务项目的承接能力已被此前的订单占满）"
        else:
            head += f"占用该服务项目的对接最低{e.rival_score}分）"
    elif e.reason == NOT_WORTH:
        head += f"（最高{e.best_score}分，对接不能提高整体得分）"
    if e.offers:
        shown = "、".join(f"#{o}" for o in e.offers[:LISTED_OFFERS])
        more = f"等{len(e.offers)}个" if len(e.offers) > LISTED_OFFERS else ""
        head += f"。候选服务项目：{shown}{more}"
    return head[:DETAIL_LIMIT]
