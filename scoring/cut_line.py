"""Selecting the advancing applications under a quota, and the ties at its cut lines (入围线并列), pure: a tie is
computed from the selection, never dropped silently.

``select_advancing`` walks the ranking; entries that share a rank (equal on every key but the id, scoring.tie_break)
and straddle a line — some pass, the others are stopped by ``top_n`` or by their track's quota — form a tie. The
ranking does not decide it: an officer does (which tied entries pass, with a reason), and publishing refuses until
every tie has a decision that still matches the ranking.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

from scoring.aggregation import RankedApplication


@dataclass(frozen=True)
class Quota:
    top_n: int | None = None  # at most this many overall
    per_group: Mapping[str, int] = field(default_factory=dict)  # at most this many per track
    per_district: Mapping[str, int] = field(default_factory=dict)  # and at most this many per applicant district
    cutoff: Fraction | Decimal | int | None = None  # only scores ≥ cutoff advance


@dataclass(frozen=True)
class Selection:
    selected: tuple[int, ...]  # in rank order
    # every other application: "below_cutoff" | "top_n_reached" | "group_full" | "district_full"
    reasons: Mapping[int, str]
    boundary_ties: tuple[int, ...]  # left out although tied (same rank) with a selected application


def select_advancing(
    ranking: Sequence[RankedApplication],
    quota: Quota,
    group_of: Mapping[int, str] | None = None,
    district_of: Mapping[int, str] | None = None,
) -> Selection:
    """Walk the ranking best first: skip below the cut-off, stop counting at top_n, skip a full group (track), then
    a full district. A group missing from ``per_group`` (a district missing from ``per_district``) has no limit."""
    cutoff = None if quota.cutoff is None else Fraction(quota.cutoff)
    taken: Counter[str] = Counter()
    taken_in_district: Counter[str] = Counter()
    selected: list[RankedApplication] = []
    reasons: dict[int, str] = {}
    for entry in sorted(ranking, key=lambda r: r.rank):
        group = (group_of or {}).get(entry.application_id)
        limit = quota.per_group.get(group) if group is not None else None
        district = (district_of or {}).get(entry.application_id)
        district_limit = quota.per_district.get(district) if district is not None else None
        if cutoff is not None and Fraction(entry.score) < cutoff:
            reasons[entry.application_id] = "below_cutoff"
        elif quota.top_n is not None and len(selected) >= quota.top_n:
            reasons[entry.application_id] = "top_n_reached"
        elif group is not None and limit is not None and taken[group] >= limit:
            reasons[entry.application_id] = "group_full"
        elif district is not None and district_limit is not None and taken_in_district[district] >= district_limit:
            reasons[entry.application_id] = "district_full"
        else:
            selected.append(entry)
            if group is not None:
                taken[group] += 1
            if district is not None:
                taken_in_district[district] += 1
    chosen_ranks = {e.rank for e in selected}
    ties = [e.application_id for e in ranking if e.application_id in reasons and e.rank in chosen_ranks]
    ties = [a for a in ties if reasons[a] != "below_cutoff"]
    return Selection(tuple(e.application_id for e in selected), reasons, tuple(ties))


@dataclass(frozen=True)
class CutLineTie:
    line: str  # "overall" (top_n), "track:<id>" (that track's quota) or "district:<code>" (that district's quota)
    rank: int
    places: int  # how many of the tied entries the quota lets through
    tied: tuple[int, ...]  # application ids, ascending

    @property
    def key(self) -> tuple[str, int, tuple[int, ...]]:
        return (self.line, self.rank, self.tied)


def cut_line_ties(
    ranking: Sequence[RankedApplication],
    quota: Quota,
    group_of: Mapping[int, str] | None = None,
    district_of: Mapping[int, str] | None = None,
) -> tuple[Selection, list[CutLineTie]]:
    """The selection and its ties at the cut lines (an entry below the score cut-off is never part of one)."""
    selection = select_advancing(ranking, quota, group_of, district_of)
    rank_of = {e.application_id: e.rank for e in ranking}
    chosen = set(selection.selected)
    ties: dict[tuple[str, int], set[int]] = {}
    for left_out in selection.boundary_ties:
        reason, rank = selection.reasons[left_out], rank_of[left_out]
        group = (group_of or {}).get(left_out)
        district = (district_of or {}).get(left_out)
        line = {"group_full": f"track:{group}", "district_full": f"district:{district}"}.get(reason, "overall")

        def same_line(a: int, group: str | None = group, district: str | None = district, reason: str = reason) -> bool:
            if reason == "group_full":
                return (group_of or {}).get(a) == group
            if reason == "district_full":
                return (district_of or {}).get(a) == district
            return True

        members = {
            a
            for a, r in rank_of.items()
            if r == rank and same_line(a) and (a in chosen or selection.reasons.get(a) == reason)
        }
        ties.setdefault((line, rank), set()).update(members)
    out = [
        CutLineTie(line, rank, len(members & chosen), tuple(sorted(members)))
        for (line, rank), members in sorted(ties.items())
    ]
    return selection, out


def decided_selection(
    ranking: Sequence[RankedApplication],
    selection: Selection,
    ties: Sequence[CutLineTie],
    decisions: Mapping[tuple[str, int, tuple[int, ...]], Sequence[int]],
) -> tuple[tuple[int, ...], list[CutLineTie]]:
    """The selection with each decided tie replaced by the officer's choice (in rank order), and the ties still
    undecided. A decision counts only for the same line, rank and tied set: a changed ranking needs a new one."""
    passing = set(selection.selected)
    undecided = []
    for tie in ties:
        if tie.key not in decisions:
            undecided.append(tie)
            continue
        passing = (passing - set(tie.tied)) | set(decisions[tie.key])
    order = {e.application_id: (e.rank, e.application_id) for e in ranking}
    return tuple(sorted(passing, key=lambda a: order[a])), undecided


def decision_problems(tie: CutLineTie, passed: Sequence[int]) -> list[str]:
    """zh-CN problems of an officer's choice for ``tie`` (empty: valid)."""
    problems = []
    if outside := sorted(set(passed) - set(tie.tied)):
        problems.append(f"申报 {'、'.join(map(str, outside))} 不在并列名单中")
    if len(set(passed)) != tie.places:
        problems.append(f"该分数线有 {tie.places} 个名额，须从并列的 {len(tie.tied)} 个申报中恰好选出 {tie.places} 个")
    return problems
