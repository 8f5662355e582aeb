"""Which workflow governs which table: the one registry the engine, the admin and the database checks read.

Each room binds its tables once (``bind(Tranche, TRANCHE)``), in the module its Piccolo app loads
(``<app>/piccolo_app.py`` imports it), so every process that can reach a table also knows its workflow.
A table whose rows follow different lifecycles (an application's depends on its programme kind) binds each of
them and a ``resolve`` function that picks one from the row the engine has just locked.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from piccolo.table import Table

from app.workflow.definition import Row, Workflow, Workflows

__all__ = ["Binding", "Row", "bind", "binding_of", "bindings", "is_bound"]

Resolver = Callable[[Row], Awaitable[Workflow]]
# Runs on the locked row before a step is applied; raises DomainError to refuse (e.g. the eligibility gate).
Check = Callable[[Row, str], None]


@dataclass(frozen=True)
class Binding:
    table: type[Table]
    workflows: tuple[Workflow, ...]
    resolve: Resolver | None = None
    check: Check | None = None
    family: Workflows = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "family", Workflows(self.workflows))

    @property
    def states(self) -> frozenset[str]:
        """Every state a row of this table may hold (the database's CHECK constraint is derived from this)."""
        return self.family.states

    @property
    def column(self) -> str:
        """The status column the workflows govern (only the engine writes it; the admin protects it)."""
        return "status"

    async def workflow_for(self, row: Row, hint: Workflow | None = None) -> Workflow:
        """The row's workflow. ``hint``: the caller already knows it (an application's kind read with the row it
        acts on), so resolving costs no query; it must be one of the table's workflows."""
        if len(self.workflows) == 1:
            return self.workflows[0]
        if hint is not None:
            if hint not in self.workflows:
                raise ValueError(f"{hint.name} is not bound to {self.table._meta.tablename}")
            return hint
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


def is_bound(table: type[Table]) -> bool:
    return table._meta.tablename in _BINDINGS


def bindings() -> list[Binding]:
    """Every bound table, in table-name order."""
    return [_BINDINGS[name] for name in sorted(_BINDINGS)]
