"""The workflows own the state rules, and the database agrees with them.

- every bound table's status CHECK constraint allows exactly the states its workflows name (a new state without a
  migration fails here), and the state enums are those states;
- capabilities, the ``bulk`` and ``requires_reason`` metadata and the officer's bulk-action type come from the
  workflows;
- guards are checked by the engine on the locked row; the workflow hint saves the resolver and is verified.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import get_args

import pytest

import app.piccolo_registry  # noqa: F401 — loads every app, so every table is bound even without a database
from app.auth.tables import Role
from app.errors import DomainError
from app.uow import unit_of_work
from app.workflow.definition import Workflow, step
from app.workflow.engine import Actor, transition
from app.workflow.registry import binding_of, bindings
from programmes.tables import Application, Round
from programmes.workflows import APPLICATION, BulkApplicationAction, RoundStatus
from programmes.workflows.contest import CONTEST_APPLICATION, CONTEST_ROUND
from programmes.workflows.disbursement import TRANCHE, TrancheStatus
from programmes.workflows.support_plan import SUPPORT_PLAN_APPLICATION
from tests import factories

STATUS_CHECKS = """
SELECT c.conrelid::regclass::text AS tablename, c.conname AS name, pg_get_constraintdef(c.oid) AS definition
FROM pg_constraint c
JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = ANY (c.conkey)
WHERE c.contype = 'c' AND a.attname = 'status' AND cardinality(c.conkey) = 1
"""


async def test_every_bound_table_checks_exactly_its_workflow_states(db: None) -> None:
    rows = await Round.raw(STATUS_CHECKS)
    allowed: dict[str, set[str]] = {}
    for row in rows:
        assert row["tablename"] not in allowed, f"{row['tablename']} has two status checks"
        allowed[row["tablename"]] = set(re.findall(r"'([^']*)'", row["definition"]))
    for binding in bindings():
        tablename = binding.table._meta.tablename
        assert tablename in allowed, f"{tablename} has no status CHECK constraint: add a migration"
        assert allowed[tablename] == set(binding.states), (
            f"{tablename}: the database allows {sorted(allowed[tablename])}, the workflows {sorted(binding.states)}"
        )


def test_each_bound_table_has_one_state_enum_naming_its_states() -> None:
    for binding in bindings():
        enums = {workflow.status for workflow in binding.workflows}
        assert len(enums) == 1, binding.table._meta.tablename
        assert {member.value for member in enums.pop()} == set(binding.states)


def test_capabilities_answer_from_the_workflow() -> None:
    assert TRANCHE.states_with("unpaid") == ["planned", "released", "failed"]
    assert TRANCHE.has(TrancheStatus.failed, "unpaid") and not TRANCHE.has("in_batch", "unpaid")
    assert APPLICATION.has("returned", "applicant_edits") and not APPLICATION.has("submitted", "applicant_edits")
    assert APPLICATION.states_with("reviewable") == ["submitted", "in_review"]
    with pytest.raises(KeyError):
        TRANCHE.states_with("no_such_capability")
    with pytest.raises(ValueError, match="unknown states"):
        Workflow("w", RoundStatus, "draft", {"draft": "草稿"}, (), capabilities={"x": ["open"]})
    with pytest.raises(ValueError, match="not members"):
        Workflow("w", TrancheStatus, "draft", {"draft": "草稿"}, ())


def test_bulk_actions_and_reasons_come_from_the_steps() -> None:
    assert APPLICATION.bulk_actions() == ["return_for_revision", "reject", "advance", "select", "decline", "approve"]
    assert get_args(BulkApplicationAction) == tuple(APPLICATION.bulk_actions())
    assert [a for a in ("return_for_revision", "reject", "decline", "advance") if APPLICATION.requires_reason(a)] == [
        "return_for_revision",
        "reject",
        "decline",
    ]
    # Plain strings where the column and the audit row want them, whatever the workflow module wrote.
    opened = step("open", RoundStatus.draft, RoundStatus.open, ["officer"], "开放")
    assert type(opened.target) is str and all(type(s) is str for s in opened.sources)


async def test_guards_refuse_on_the_locked_row(db: None) -> None:
    officer = await factories.user(Role.officer)
    opened = await factories.contest_round(officer)
    async with unit_of_work(Actor.of(officer.principal)) as unit:
        with pytest.raises(DomainError) as early:
            await unit.transition(Round, opened["id"], "close")
    assert (early.value.code, early.value.status) == ("round_not_yet_closed", 409)
    close = CONTEST_ROUND.transition_for("close")
    open_ = CONTEST_ROUND.transition_for("open")
    assert close is not None and open_ is not None
    await factories.end_round_window(opened["id"])
    row = await Round.select().where(Round.id == opened["id"]).first()
    assert row is not None and close.check(row) == (True, "ok")
    assert open_.check({**row, "form": None}) == (False, "round_without_form")
    # A draft round without a form: the engine refuses with the guard's code, and nothing moves.
    await Round.update({Round.status: RoundStatus.draft, Round.form: None}).where(Round.id == opened["id"])
    async with unit_of_work(Actor.of(officer.principal)) as unit:
        with pytest.raises(DomainError) as formless:
            await unit.transition(Round, opened["id"], "open")
    assert formless.value.code == "round_without_form"
    assert await Round.exists().where((Round.id == opened["id"]) & (Round.status == RoundStatus.draft))


async def test_the_workflow_hint_must_be_bound_to_the_table(db: None) -> None:
    officer = await factories.user(Role.officer)
    opened = await factories.contest_round(officer)
    organisation_id, applicant = await factories.organisation()
    application = await Application.insert(
        Application(round=opened["id"], organisation=organisation_id, title="项目")
    ).returning(Application.id)
    application_id = application[0]["id"]
    assert binding_of(Application).states == APPLICATION.states
    assert SUPPORT_PLAN_APPLICATION in binding_of(Application).workflows
    async with unit_of_work(Actor.of(applicant.principal)) as unit:
        with pytest.raises(ValueError, match="not bound"):
            await unit.transition(Application, application_id, "submit", workflow=TRANCHE)
    async with unit_of_work(Actor.of(applicant.principal)):
        done = await transition(
            Application, application_id, "withdraw", Actor.of(applicant.principal), workflow=CONTEST_APPLICATION
        )
    assert done.after == "withdrawn"


SQL_STATUS = re.compile(r"status\s*(?:=|<>|!=)\s*'(\w+)'|status\s+(?:NOT\s+)?IN\s*\(([^)]*)\)", re.IGNORECASE)


def test_states_written_into_raw_sql_are_real_states() -> None:
    """Raw SQL (the risk scan, reconciliation, exports) still names states as literals, where a parameter would
    hide a partial index from the planner; a typo there would silently match nothing, so each must be a state."""
    known = {state for binding in bindings() for state in binding.states}
    root = Path(__file__).resolve().parents[2]
    unknown = []
    for package in ("app", "programmes", "scoring"):
        for path in sorted((root / package).rglob("*.py")):
            for match in SQL_STATUS.finditer(path.read_text(encoding="utf-8")):
                names = [match[1]] if match[1] else re.findall(r"'(\w+)'", match[2])
                unknown += [f"{path.relative_to(root)}: {name}" for name in names if name not in known]
    assert unknown == []
