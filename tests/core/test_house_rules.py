"""The house's shared machinery: the unit of work, the workflow registry and the list convention."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest

from app.audit import AuditEntry
from app.auth.tables import Role
from app.errors import DomainError
from app.outbox import OutboxMessage
from app.uow import current_unit, unit_of_work
from app.workflow.engine import Actor, transition
from app.workflow.registry import binding_of, bindings
from programmes.tables import Programme, ProgrammeKind, Round, Tranche
from tests import factories


async def test_unit_of_work_commits_audit_and_stages_once_even_when_nested(db: None) -> None:
    actor = Actor(None, "system")
    async with unit_of_work(actor) as outer:
        await outer.audit("test.outer", "programme", 1, after={"x": 1})
        async with unit_of_work(Actor(7, "officer")) as inner:
            assert current_unit() is outer
            await inner.audit("test.inner", "programme", 1)
            await inner.stage("send_notifications", "test:nested", ids=[1])
        assert outer.staged == ["test:nested"]
    rows = await AuditEntry.select(AuditEntry.action, AuditEntry.actor_id).order_by(AuditEntry.id)
    assert rows == [{"action": "test.outer", "actor_id": None}, {"action": "test.inner", "actor_id": 7}]
    assert await OutboxMessage.count().where(OutboxMessage.job_key == "test:nested") == 1
    assert current_unit() is None


async def test_unit_of_work_rolls_back_everything_on_error(db: None) -> None:
    with pytest.raises(DomainError):
        async with unit_of_work(Actor.system()) as unit:
            await unit.audit("test.rolled_back", "programme", 1)
            await unit.stage("send_notifications", "test:rolled_back")
            raise DomainError("nope", "不行", 409)
    assert await AuditEntry.count().where(AuditEntry.action == "test.rolled_back") == 0
    assert await OutboxMessage.count().where(OutboxMessage.job_key == "test:rolled_back") == 0


async def test_transition_refuses_to_run_outside_a_transaction(db: None) -> None:
    with pytest.raises(RuntimeError, match="inside a transaction"):
        await transition(Round, 1, "open", Actor.system())


def test_every_table_with_a_status_column_is_bound_to_a_workflow() -> None:
    from app.piccolo_registry import APP_REGISTRY

    with_status = {
        table._meta.tablename
        for app_config in APP_REGISTRY.app_configs.values()
        for table in app_config.table_classes
        if any(column._meta.name == "status" for column in table._meta.columns)
    }
    assert with_status == {binding.table._meta.tablename for binding in bindings()}
    assert binding_of(Tranche).workflows[0].name == "tranche"


_STATUS_LITERAL = re.compile(r"""status"?\]?\s*(?:==|!=)\s*["']""")
_PAGE_ROOMS = ("app/admin", "app/portal")


def test_the_admin_and_portal_name_states_through_the_workflows() -> None:
    """Pages compare states with the workflows' enums or capabilities, never a typed string (a renamed or mistyped
    state then fails at import instead of silently matching nothing)."""
    root = Path(__file__).resolve().parents[2]
    found = [
        f"{path.relative_to(root)}:{n}: {line.strip()}"
        for room in _PAGE_ROOMS
        for path in sorted((root / room).rglob("*.py"))
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if _STATUS_LITERAL.search(line)
    ]
    assert found == []


_MODULE_QUERY = re.compile(
    r"^[A-Za-z_][A-Za-z0-9_]* = [A-Z][A-Za-z0-9_]*\.(select|objects|count|exists|update|delete)\("
)


def test_no_query_is_kept_at_module_level() -> None:
    """Piccolo's where()/limit()/offset() change the query they are called on: a query built once at import and
    filtered per request keeps every earlier request's filters (the reports lists came back empty for the second
    user). Queries are built per call."""
    root = Path(__file__).resolve().parents[2]
    found = [
        f"{path.relative_to(root)}:{n}: {line.strip()}"
        for room in ("app", "programmes", "scoring")
        for path in sorted((root / room).rglob("*.py"))
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if _MODULE_QUERY.match(line)
    ]
    assert found == []


async def test_lists_page_with_total_and_next_link(client: httpx.AsyncClient) -> None:
    officer = await factories.user(Role.officer)
    for n in range(5):
        await Programme.insert(Programme(name=f"项目{n}", kind=ProgrammeKind.contest))
    first = await client.get("/programmes", params={"limit": 2}, headers=officer.headers)
    assert first.status_code == 200
    assert [row["name"] for row in first.json()] == ["项目0", "项目1"]
    assert first.headers["x-total-count"] == "5" and first.headers["x-has-more"] == "true"
    assert "offset=2" in first.headers["link"] and 'rel="next"' in first.headers["link"]
    last = await client.get("/programmes", params={"limit": 2, "offset": 4}, headers=officer.headers)
    assert [row["name"] for row in last.json()] == ["项目4"]
    assert last.headers["x-has-more"] == "false" and "link" not in last.headers
    too_many = await client.get("/programmes", params={"limit": 201}, headers=officer.headers)
    assert too_many.status_code == 422
