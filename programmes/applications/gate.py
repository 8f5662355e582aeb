"""The eligibility gate (资格审查关口): the one rule every path that moves an application towards money asks.

An application passes only when its latest screening passed (``eligible``) or an officer recorded a written
override (``overridden``: reason, who, when). Anything else — ``ineligible``, ``not_screened``, or an outcome such
as 待核验 (needs verification) that another part of screening may add — is refused, with the screening's findings
as ``errors[]`` so the officer sees exactly why.

Who asks: the workflow engine for every gated action on an application (start_review, advance, select, approve,
award — so every API route, admin form, bulk action and job that moves the status is covered), the expert
assignment (manual and the solver, also for an application already in review), and 公示 publication. Award
creation adds the 公示 gate (``scoring.publication.notice_gate``, through ``programmes.ports``) on top.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from piccolo.columns.combination import Where

from app.errors import DomainError, FieldError
from programmes.tables import Application

# The only outcomes that let an application go on. Deliberately a whitelist: an outcome added later is refused
# until someone decides it should pass.
PASSING = ("eligible", "overridden")
# Workflow actions that take an application towards experts, a 公示 or money.
GATED_ACTIONS = frozenset({"start_review", "advance", "select", "approve", "award"})
ACTION_ZH = {
    "start_review": "分配评审专家",
    "assign": "分配评审专家",
    "advance": "晋级",
    "select": "确定入选",
    "approve": "审核通过",
    "award": "确定资助",
    "publish": "列入公示名单",
}


def passing() -> Where:
    """Query condition: applications that pass the gate (for the solver and publication)."""
    return Application.eligibility_outcome.is_in(list(PASSING))


def passes(row: Mapping[str, Any]) -> bool:
    return row.get("eligibility_outcome") in PASSING


def _screening(row: Mapping[str, Any]) -> dict[str, Any]:
    raw = row.get("eligibility")
    value = json.loads(raw) if isinstance(raw, str) else raw
    return dict(value or {})


def blocking_findings(row: Mapping[str, Any]) -> list[FieldError]:
    """The findings that keep the application out (every severity but a warning), as field errors."""
    findings = [f for f in _screening(row).get("findings", []) if f.get("severity") != "warning"]
    if row.get("eligibility_outcome") == "not_screened" or not findings:
        outcome = str(row.get("eligibility_outcome") or "not_screened")
        return [FieldError("eligibility", outcome, "该申报尚未通过资格审查")]
    return [FieldError("eligibility", str(f["code"]), str(f["reason"])) for f in findings]


def refusal(row: Mapping[str, Any], action: str) -> DomainError:
    errors = blocking_findings(row)
    codes = "、".join(dict.fromkeys(e.code for e in errors))
    what = ACTION_ZH.get(action, "继续办理")
    return DomainError(
        "ineligible",
        f"申报 {row['id']} 资格审查未通过（{codes}），须由工作人员书面人工认定后方可{what}",
        409,
        errors,
    )


def ensure_passes(row: Mapping[str, Any], action: str) -> None:
    """Raise ``ineligible`` (409, findings in ``errors[]``) unless ``row`` (an application row with
    ``eligibility_outcome`` and ``eligibility``; read under its row lock by callers that then write) passes."""
    if not passes(row):
        raise refusal(row, action)


def listing_refusal(rows: Sequence[Mapping[str, Any]], action: str = "publish") -> DomainError | None:
    """One refusal for several applications (a 公示 list, a finalisation): each failing application's findings,
    under the field ``applications[<id>]``; None when they all pass."""
    failing = [row for row in rows if not passes(row)]
    if not failing:
        return None
    errors = [
        FieldError(f"applications[{row['id']}]", e.code, e.message) for row in failing for e in blocking_findings(row)
    ]
    ids = "、".join(str(row["id"]) for row in failing)
    return DomainError(
        "ineligible",
        f"申报 {ids} 资格审查未通过，须由工作人员书面人工认定（或驳回）后方可{ACTION_ZH.get(action, '继续办理')}",
        409,
        errors,
    )
