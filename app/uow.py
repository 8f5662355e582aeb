"""A unit of work: one transaction, one actor, its audit rows and its jobs, delivered after commit by itself.

A use case is its business lines only::

    async with unit_of_work(Actor.of(principal)) as uow:
        await uow.transition(Round, round_id, "open")
        await uow.audit("round.update", "round", round_id, after={...})
    # committed; any job staged inside (uow.stage or outbox.stage anywhere below) has been handed to arq

Nested units (a service calling another inside its transaction) join the outer one: one transaction, and the
jobs are delivered once, after the outermost commit. If the block raises, nothing commits and nothing is
delivered. Delivery failing (Redis down) does not undo the commit: the worker's outbox sweep delivers later.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from piccolo.table import Table

from app import audit, outbox
from app.db import engine
from app.workflow.definition import Workflow
from app.workflow.engine import Actor, TransitionResult, transition

_current: ContextVar[UnitOfWork | None] = ContextVar("seedbed_unit_of_work", default=None)


@dataclass
class UnitOfWork:
    actor: Actor
    staged: list[str] = field(default_factory=list)

    async def transition(
        self,
        table: type[Table],
        row_id: int,
        action: str,
        *,
        values: dict[str, Any] | None = None,
        reason: str = "",
        workflow: Workflow | None = None,
    ) -> TransitionResult:
        """Move a row along its table's workflow as this unit's actor (audited by the engine)."""
        return await transition(table, row_id, action, self.actor, values=values, reason=reason, workflow=workflow)

    async def audit(
        self,
        action: str,
        object_type: str,
        object_id: int,
        *,
        before: dict[str, Any] | None = None,
        after: dict[str, Any] | None = None,
        reason: str = "",
    ) -> None:
        await audit.record(
            actor_id=self.actor.user_id,
            actor_role=self.actor.role,
            action=action,
            object_type=object_type,
            object_id=object_id,
            before=before,
            after=after,
            reason=reason,
        )

    async def stage(self, job_name: str, job_key: str, **kwargs: Any) -> None:
        """A job for after the commit (deterministic key: staging the same work twice queues it once)."""
        await outbox.stage(job_name, job_key, **kwargs)


@asynccontextmanager
async def unit_of_work(actor: Actor) -> AsyncIterator[UnitOfWork]:
    outer = _current.get()
    if outer is not None:
        # Joined: the outer unit owns the transaction and the delivery; audit rows name this block's actor.
        async with engine().transaction():
            yield UnitOfWork(actor, outer.staged)
        return
    if engine().current_transaction.get() is not None:
        # Inside a plain transaction someone else opened: only they know when it commits, so they deliver.
        async with engine().transaction():
            yield UnitOfWork(actor)
        return
    unit = UnitOfWork(actor)
    unit_token = _current.set(unit)
    keys_token = outbox.staged_keys.set(unit.staged)
    try:
        async with engine().transaction():
            yield unit
    finally:
        outbox.staged_keys.reset(keys_token)
        _current.reset(unit_token)
    if unit.staged:
        await outbox.flush(unit.staged)


def current_unit() -> UnitOfWork | None:
    """The unit of work this code runs in, if any (for helpers that must know the actor)."""
    return _current.get()
