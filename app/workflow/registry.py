"""Which workflow governs which table: the one registry the engine, the admin and the database checks read.

Each room binds its tables once (``bind(Tranche, TRANCHE)``), in the module its Piccolo app loads
(``<app>/piccolo_app.py`` imports it), so every process that can reach a table also knows its workflow.
A table whose rows follow different lifecycles (an application's depends on its programme kind) binds each of
them and a ``resolve`` function that picks one from the row the engine has just locked.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

from piccolo.table import Table

from app.workflow.definition import Workflow

Row = Mapping[str, Any]
Resolver = Callable[[Row], Awaitable[Workflow]]
# Runs on the locked row before a step is applied; raises DomainError to refuse (e.g. the eligibility gate).
Check = Callable[[Row, str], None]


@dataclass(frozen=True)
class Binding:
    table: type[Table]
    workflows: tuple[Workflow, ...]
    resolve: Resolver | None = None
    check: Check | None = None

    @property
    def states(self) -> frozenset[str]:
        """Every state a row of this table may hold (the database's CHECK constraint is derived from this)."""
        return frozenset(state for workflow in self.workflows for state in workflow.states)

    async def workflow_for(self, row: Row) -> Workflow:
        if len(self.workflows) == 1:
            return self.workflows[0]
        assert self.resolve is not None  # bind() insists on it
        return await self.resolve(row)


_BINDINGS: dict[str, Binding] = {}


def bind(
    table: type[Table], *workflows: Workflow, resolve: Resolver | None = None, check: Check | None = None
) -> Binding:
    if not workflows:
        raise ValueError(f"{table._meta.tablename}: bind at least one workflow")
    if len(workflows) > 1 and resolve is None:
        raise ValueError(f"{table._meta.tablename}: several workflows need a resolve function")
    tablename = table._meta.tablename
    existing = _BINDINGS.get(tablename)
    binding = Binding(table, tuple(workflows), resolve, check)
    if existing is not None and existing.workflows != binding.workflows:
        raise ValueError(f"{tablename} is already bound to {[w.name for w in existing.workflows]}")
    _BINDINGS[tablename] = binding
    return binding


def binding_of(table: type[Table] | str) -> Binding:
    tablename = table if isinstance(table, str) else table._meta.tablename
    try:
        return _BINDINGS[tablename]
    except KeyError:
        raise LookupError(f"no workflow is bound to table {tablename}; bind it in its room") from None


def bindings() -> list[Binding]:
    """Every bound table, in table-name order."""
    return [_BINDINGS[name] for name in sorted(_BINDINGS)]
