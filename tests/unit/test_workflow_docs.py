"""The workflow docs cannot drift from the code, and the permission table means what the docs say it means.

- every Workflow in programmes/workflows/ is documented in docs/workflows/, with the exact Mermaid block that
  ``definition.mermaid`` produces and up-to-date generated tables (docs/workflows/regenerate.py);
- ``Workflow.permits`` is walked over every (state, action, role): allowed iff role in roles and state in sources.
"""

from __future__ import annotations

import importlib
import importlib.util
import itertools
import pkgutil
from pathlib import Path
from types import ModuleType

import pytest

import app.piccolo_registry  # noqa: F401 — loads every app, so every bound workflow is found
import programmes.workflows
from app.auth.tables import Role
from app.workflow.definition import SYSTEM, Workflow, mermaid
from app.workflow.registry import bindings

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs" / "workflows"

# Every role a workflow may name: the account roles plus Seedbed itself.
KNOWN_ROLES = frozenset(role.value for role in Role) | {SYSTEM}


def _regenerate_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("workflow_docs_regenerate", DOCS / "regenerate.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


REGENERATE = _regenerate_script()
DOCUMENTED: dict[str, str] = {
    workflow.name: document for document, workflows in REGENERATE.DOCUMENTS.items() for workflow in workflows
}


def _all_workflows() -> list[Workflow]:
    """Every Workflow object defined in any module of programmes.workflows, and every workflow bound to a table
    (the organisation claim's lives in app/organisations) — found, not listed by hand."""
    found: dict[str, Workflow] = {}
    for info in pkgutil.iter_modules(programmes.workflows.__path__, "programmes.workflows."):
        module = importlib.import_module(info.name)
        for value in vars(module).values():
            if isinstance(value, Workflow):
                found[value.name] = value
    for binding in bindings():
        found.update({workflow.name: workflow for workflow in binding.workflows})
    return sorted(found.values(), key=lambda w: w.name)


WORKFLOWS = _all_workflows()


def test_the_known_workflows_are_found() -> None:
    assert {w.name for w in WORKFLOWS} >= {
        "contest_round",
        "contest_application",
        "review_assignment",
        "tranche",
        "payment_batch",
        "payment_batch_item",
    }


@pytest.mark.parametrize("workflow", WORKFLOWS, ids=lambda w: w.name)
def test_doc_contains_the_exact_mermaid_block(workflow: Workflow) -> None:
    assert workflow.name in DOCUMENTED, f"{workflow.name} has no document: add it to DOCUMENTS in regenerate.py"
    text = (DOCS / DOCUMENTED[workflow.name]).read_text(encoding="utf-8")
    block = f"```mermaid\n{mermaid(workflow)}\n```"
    assert block in text, (
        f"docs/workflows/{DOCUMENTED[workflow.name]} is out of date for {workflow.name}; "
        "run: .venv/bin/python docs/workflows/regenerate.py"
    )


def test_generated_sections_are_up_to_date() -> None:
    assert REGENERATE.stale_documents() == [], "run: .venv/bin/python docs/workflows/regenerate.py"


@pytest.mark.parametrize("workflow", WORKFLOWS, ids=lambda w: w.name)
def test_permits_walks_the_whole_table(workflow: Workflow) -> None:
    states = [*workflow.states, "no_such_state"]
    actions = [*(t.action for t in workflow.transitions), "no_such_action"]
    roles = sorted(KNOWN_ROLES | {"nobody"})
    for state, action, role in itertools.product(states, actions, roles):
        transition = workflow.transition_for(action)
        allowed, reason = workflow.permits(state, action, role)
        if transition is None:
            expected = (False, "unknown_action")
        elif role not in transition.roles:
            expected = (False, "role_not_allowed")
        elif state not in transition.sources:
            expected = (False, "invalid_state")
        else:
            expected = (True, "ok")
        assert (allowed, reason) == expected, (workflow.name, state, action, role)
        # The headline rule, stated once more without the reason codes.
        assert allowed == (transition is not None and role in transition.roles and state in transition.sources)


@pytest.mark.parametrize("workflow", WORKFLOWS, ids=lambda w: w.name)
def test_workflow_names_only_real_roles_and_reaches_every_state(workflow: Workflow) -> None:
    for transition in workflow.transitions:
        assert transition.roles, f"{workflow.name}.{transition.action} names no role"
        assert transition.roles <= KNOWN_ROLES, (workflow.name, transition.action, transition.roles - KNOWN_ROLES)
        assert transition.label_zh, f"{workflow.name}.{transition.action} has no zh-CN label"
    assert all(workflow.states.values()), f"{workflow.name} has a state without a zh-CN label"
    reached, frontier = {workflow.initial}, [workflow.initial]
    while frontier:
        state = frontier.pop()
        for transition in workflow.transitions:
            if state in transition.sources and transition.target not in reached:
                reached.add(transition.target)
                frontier.append(transition.target)
    assert reached == set(workflow.states), f"{workflow.name}: unreachable {set(workflow.states) - reached}"


@pytest.mark.parametrize("workflow", WORKFLOWS, ids=lambda w: w.name)
def test_metadata_is_documented_and_consistent(workflow: Workflow) -> None:
    text = (DOCS / DOCUMENTED[workflow.name]).read_text(encoding="utf-8")
    for name in workflow.capability_names:
        assert workflow.states_with(name), f"{workflow.name}.{name} names no state"
        assert f"| `{name}` |" in text, f"{workflow.name}.{name} is not documented"
    for transition in workflow.transitions:
        for guard in transition.guards:
            assert guard.code and guard.detail_zh, (workflow.name, transition.action)
            assert f"`guard:{guard.code}`" in text
        if transition.bulk:
            # A bulk step is an officer's: Seedbed's own and the applicant's steps are never offered in bulk.
            assert transition.roles <= {"officer", "admin"}, (workflow.name, transition.action)
