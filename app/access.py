"""One access policy: who may see or act on which row, and one loader that answers 404 the same way everywhere.

Each room declares a policy for its tables once::

    ROUNDS = protect(Round, "轮次")                        # staff in the row's scope_district
    APPLICATIONS = protect(Application, "申报", rules={"member": is_member, "applying": may_apply})

and its services read rows through it::

    row = await load(principal, Round, round_id)            # need="staff" by default
    row = await load(principal, Application, application_id, "member", lock=True)
    allowed, reason = await can(principal, "member", Application, row)

A row outside the caller's reach is "not found" (``<label>不存在或无权访问``), whether it is missing or merely out of
scope, so its existence does not leak. Built-in needs: ``staff`` (officer or admin whose district covers the row's
``scope_district``; city staff see every district) and ``any`` (the row exists; callers have checked the role).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from piccolo.columns import Column
from piccolo.custom_types import Combinable
from piccolo.table import Table

from app.auth.principal import Principal
from app.auth.tables import Role
from app.errors import not_found

Row = Mapping[str, Any]
# A rule answers (allowed, reason code); a refusal's reason is logged by the caller if it wants, never shown.
Rule = Callable[[Principal, Row], Awaitable[tuple[bool, str]]]


async def _staff_in_scope(principal: Principal, row: Row) -> tuple[bool, str]:
    if not principal.is_staff:
        return False, "not_staff"
    if not principal.can_see_district(row.get("scope_district")):
        return False, "out_of_scope"
    return True, "ok"


async def _exists(principal: Principal, row: Row) -> tuple[bool, str]:
    return True, "ok"


BUILT_IN: dict[str, Rule] = {"staff": _staff_in_scope, "any": _exists}


def no_rows(column: Column) -> tuple[Combinable, ...]:
    """A filter no row passes (a list for someone with no reach at all)."""
    return (column.is_null() & column.is_not_null(),)


def staff_filter(principal: Principal, column: Column) -> tuple[Combinable, ...]:
    """The list-side twin of the built-in ``staff`` rule, on a ``scope_district`` column: nothing to add for city
    staff, their district for a district officer, no rows for anyone else."""
    if principal.is_city_staff:
        return ()
    if principal.role is Role.officer:
        return (column == principal.district,)
    return no_rows(column)


@dataclass(frozen=True)
class Policy:
    table: type[Table]
    label_zh: str
    rules: dict[str, Rule] = field(default_factory=dict)

    def rule(self, need: str) -> Rule:
        found = self.rules.get(need) or BUILT_IN.get(need)
        if found is None:
            raise LookupError(f"{self.table._meta.tablename}: no access rule {need!r}")
        return found


_POLICIES: dict[str, Policy] = {}


def protect(table: type[Table], label_zh: str, *, rules: dict[str, Rule] | None = None) -> Policy:
    policy = Policy(table, label_zh, dict(rules or {}))
    _POLICIES[table._meta.tablename] = policy
    return policy


def policy_of(table: type[Table]) -> Policy:
    try:
        return _POLICIES[table._meta.tablename]
    except KeyError:
        raise LookupError(f"no access policy for {table._meta.tablename}; declare one with protect()") from None


async def can(principal: Principal, need: str, table: type[Table], row: Row) -> tuple[bool, str]:
    return await policy_of(table).rule(need)(principal, row)


async def load(
    principal: Principal,
    table: type[Table],
    row_id: int,
    need: str = "staff",
    *,
    columns: tuple[Column, ...] = (),
    lock: bool = False,
    load_json: bool = False,
) -> dict[str, Any]:
    """The row if ``principal`` may ``need`` it, else 404. ``columns`` narrows the read (the rule's columns must be
    among them); ``lock`` takes ``FOR UPDATE`` (inside a transaction)."""
    policy = policy_of(table)
    query = table.select(*columns).where(table._meta.primary_key == row_id)
    if load_json:
        query = query.output(load_json=True)
    rows = await (query.lock_rows("UPDATE") if lock else query)
    if not rows:
        raise not_found(policy.label_zh)
    row = dict(rows[0])
    allowed, _ = await policy.rule(need)(principal, row)
    if not allowed:
        raise not_found(policy.label_zh)
    return row
