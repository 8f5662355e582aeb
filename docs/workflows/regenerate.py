"""Regenerate the generated parts of docs/workflows/*.md from the Workflow objects in programmes/workflows/.

    .venv/bin/python docs/workflows/regenerate.py           # rewrite the generated sections in place
    .venv/bin/python docs/workflows/regenerate.py --check   # exit 1 and name the stale files; change nothing

Each workflow owns one section between ``<!-- BEGIN GENERATED workflow=<name> -->`` and
``<!-- END GENERATED workflow=<name> -->``: its states table, its actions table and its Mermaid diagram (the exact
output of ``app.workflow.definition.mermaid``). Everything outside the markers is written by hand.
tests/unit/test_workflow_docs.py fails when a section is stale, so run this after changing a workflow.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from app.organisations.workflow import CLAIM  # noqa: E402
from app.workflow.definition import Transition, Workflow, mermaid  # noqa: E402
from programmes.workflows.agreements import AGREEMENT, BANK_ACCOUNT, PROGRESS_REPORT  # noqa: E402
from programmes.workflows.camps import CAMP, REGISTRATION  # noqa: E402
from programmes.workflows.contest import CONTEST_APPLICATION, CONTEST_ROUND  # noqa: E402
from programmes.workflows.demand import DEMAND, OFFER  # noqa: E402
from programmes.workflows.disbursement import AWARD, BATCH_ITEM, PAYMENT_BATCH, TRANCHE  # noqa: E402
from programmes.workflows.fasttrack import FASTTRACK_INVITATION  # noqa: E402
from programmes.workflows.incubation import REPLICATION, SUPPORTED_PROJECT  # noqa: E402
from programmes.workflows.matching import MATCHING_APPLICATION  # noqa: E402
from programmes.workflows.mentorship import MENTORSHIP  # noqa: E402
from programmes.workflows.orders import BID, CASE, ORDER, SESSION  # noqa: E402
from programmes.workflows.publication import OBJECTION, PUBLICATION  # noqa: E402
from programmes.workflows.recommendation import DISTRICT_RECOMMENDATION  # noqa: E402
from programmes.workflows.resources import INTRODUCTION  # noqa: E402
from programmes.workflows.review import REVIEW_ASSIGNMENT  # noqa: E402
from programmes.workflows.roadshow import ROADSHOW_SESSION  # noqa: E402
from programmes.workflows.supervision import CLAWBACK, INSPECTION_DRAW, RISK_WARNING  # noqa: E402
from programmes.workflows.support_plan import SUPPORT_PLAN_APPLICATION  # noqa: E402

DOCS = ROOT / "docs" / "workflows"

# Which document describes which workflow.
DOCUMENTS: dict[str, tuple[Workflow, ...]] = {
    "contest.md": (CONTEST_ROUND, CONTEST_APPLICATION, DISTRICT_RECOMMENDATION),
    "support_plan.md": (SUPPORT_PLAN_APPLICATION,),
    "matching.md": (MATCHING_APPLICATION, DEMAND, OFFER, SESSION, ORDER, BID, CASE),
    "review.md": (REVIEW_ASSIGNMENT, PUBLICATION, OBJECTION),
    "roadshow.md": (ROADSHOW_SESSION,),
    "disbursement.md": (AWARD, TRANCHE, PAYMENT_BATCH, BATCH_ITEM),
    "agreements.md": (AGREEMENT, BANK_ACCOUNT, PROGRESS_REPORT),
    "supervision.md": (CLAWBACK, RISK_WARNING, INSPECTION_DRAW),
    "organisations.md": (CLAIM,),
    "fasttrack.md": (FASTTRACK_INVITATION, MENTORSHIP),
    "incubation.md": (SUPPORTED_PROJECT, REPLICATION),
    "camps.md": (CAMP, REGISTRATION),
    "resources.md": (INTRODUCTION,),
}

# Display order for roles; anything unknown sorts after these.
ROLE_ORDER = ("applicant", "community", "expert", "officer", "admin", "system")


def begin_marker(workflow: Workflow) -> str:
    return f"<!-- BEGIN GENERATED workflow={workflow.name} (docs/workflows/regenerate.py) -->"


def end_marker(workflow: Workflow) -> str:
    return f"<!-- END GENERATED workflow={workflow.name} -->"


def mermaid_block(workflow: Workflow) -> str:
    return f"```mermaid\n{mermaid(workflow)}\n```"


def _roles(roles: frozenset[str]) -> str:
    ordered = sorted(roles, key=lambda r: (ROLE_ORDER.index(r) if r in ROLE_ORDER else len(ROLE_ORDER), r))
    return ", ".join(ordered)


def _states(states: frozenset[str], workflow: Workflow) -> str:
    order = list(workflow.states)
    return ", ".join(f"`{s}`" for s in sorted(states, key=order.index))


def _capabilities(workflow: Workflow) -> list[str]:
    if not workflow.capability_names:
        return []
    return [
        f"Capabilities of `{workflow.name}` (`workflow.states_with(name)`, `workflow.has(state, name)`):",
        "",
        "| Capability | States |",
        "|---|---|",
        *[
            f"| `{name}` | {_states(frozenset(workflow.states_with(name)), workflow)} |"
            for name in workflow.capability_names
        ],
        "",
    ]


def _also(transition: Transition) -> str:
    marks = [
        *(["`reason`"] if transition.requires_reason else []),
        *(["`bulk`"] if transition.bulk else []),
        *[f"`guard:{guard.code}`" for guard in transition.guards],
    ]
    return ", ".join(marks)


def render(workflow: Workflow) -> str:
    """The generated section of one workflow, markers included."""
    lines = [
        begin_marker(workflow),
        "",
        f"States of `{workflow.name}` (enum `{workflow.status.__name__}`, initial state: `{workflow.initial}`):",
        "",
        "| State | 中文 |",
        "|---|---|",
        *[f"| `{state}` | {label} |" for state, label in workflow.states.items()],
        "",
        *_capabilities(workflow),
        f"Actions of `{workflow.name}` (Also: `reason` = requires a written reason, `bulk` = an officer may take it "
        "on many rows at once, `guard:<code>` = a condition on the row the engine checks, refusing with that code):",
        "",
        "| Action | From | To | Roles | 中文 | Also |",
        "|---|---|---|---|---|---|",
        *[
            f"| `{t.action}` | {_states(t.sources, workflow)} | `{t.target}` | {_roles(t.roles)} | {t.label_zh} "
            f"| {_also(t)} |"
            for t in workflow.transitions
        ],
        "",
        mermaid_block(workflow),
        "",
        end_marker(workflow),
    ]
    return "\n".join(lines)


def regenerate(text: str, workflows: tuple[Workflow, ...]) -> str:
    """``text`` with each workflow's generated section replaced by a fresh rendering."""
    for workflow in workflows:
        pattern = re.compile(re.escape(begin_marker(workflow)) + r".*?" + re.escape(end_marker(workflow)), re.DOTALL)
        match = pattern.search(text)
        if match is None:
            raise LookupError(f"no generated section for workflow {workflow.name!r}; add its markers first")
        text = text[: match.start()] + render(workflow) + text[match.end() :]
    return text


def stale_documents() -> list[str]:
    stale = []
    for name, workflows in DOCUMENTS.items():
        path = DOCS / name
        text = path.read_text(encoding="utf-8")
        if regenerate(text, workflows) != text:
            stale.append(name)
    return stale


def main(argv: list[str]) -> int:
    if "--check" in argv:
        stale = stale_documents()
        for name in stale:
            print(f"stale: docs/workflows/{name} (run: .venv/bin/python docs/workflows/regenerate.py)")
        return 1 if stale else 0
    for name, workflows in DOCUMENTS.items():
        path = DOCS / name
        text = path.read_text(encoding="utf-8")
        fresh = regenerate(text, workflows)
        if fresh != text:
            path.write_text(fresh, encoding="utf-8")
            print(f"updated docs/workflows/{name}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
