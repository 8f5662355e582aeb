"""The single status choke point: lock the row, check (state, action, role) and the step's own conditions (a
required reason, its guards, the binding's check) on the locked row, apply, audit.

No other code writes a ``status`` column. The workflow is found from the table (``app.workflow.registry``); extra
column values that belong to the same step (e.g. ``submitted_at``) travel with the transition so they commit
together. It refuses to run outside a transaction: its row lock would end before the caller's next write.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from piccolo.table import Table

from app import audit
from app.auth.principal import Principal
from app.db import engine
from app.errors import DomainError
from app.workflow.definition import Transition, Workflow
from app.workflow.registry import binding_of

REFUSALS_ZH = {
    "unknown_action": "不支持的操作",
    "role_not_allowed": "当前角色无权执行此操作",
    "invalid_state": "当前状态下不能执行此操作",
}


@dataclass(frozen=True)
class Actor:
    """Who acts: a user id and role, or Seedbed itself (``Actor.system()``)."""

    user_id: int | None
    role: str

    @classmethod
    def system(cls) -> Actor:
        return cls(None, "system")

    @classmethod
    def of(cls, principal: Principal) -> Actor:
        """The logged-in caller, in the role the token carries."""
        return cls(principal.user_id, principal.role.value)


@dataclass(frozen=True)
class TransitionResult:
    before: str
    after: str
    row: dict[str, Any]


async def transition(
    table: type[Table],
    row_id: int,
    action: str,
    actor: Actor,
    *,
    values: dict[str, Any] | None = None,
    reason: str = "",
    workflow: Workflow | None = None,
) -> TransitionResult:
    """Move one row along the workflow bound to ``table``, inside the caller's transaction (it locks the row).

    ``workflow``: the row's workflow when the caller already knows it (one of the table's; saves the resolver's
    query when a table has several, e.g. ranking a round's applications). Refusals, in order: the step's state and
    role (403/409 ``transition_…``), a missing reason where the step requires one (422 ``reason_required``), the
    step's guards on the locked row, then the binding's check (the eligibility gate)."""
    if engine().current_transaction.get() is None:
        raise RuntimeError("transition() must run inside a transaction (use app.uow.unit_of_work)")
    binding = binding_of(table)
    rows = await table.select().where(table._meta.primary_key == row_id).lock_rows("UPDATE")
    if not rows:
        raise DomainError("not_found", "对象不存在", 404)
    row_workflow = await binding.workflow_for(rows[0], workflow)
    current = rows[0]["status"]
    allowed, refusal = row_workflow.permits(current, action, actor.role)
    if not allowed:
        status = 403 if refusal == "role_not_allowed" else 409
        raise DomainError(f"transition_{refusal}", refusal_message(row_workflow, current, action, refusal), status)
    step = row_workflow.transition_for(action)
    assert step is not None  # permits() already found it
    if step.requires_reason and not reason.strip():
        raise DomainError("reason_required", "此操作须填写原因", 422)
    # On the row just locked: a concurrent change cannot slip in between the check and the step.
    ensure_guards(step, rows[0])
    if binding.check is not None:
        # The application's eligibility gate, on the locked row too.
        binding.check(rows[0], action)
    changes: dict[str, Any] = dict(values or {})
    changes["status"] = step.target
    await table.update({getattr(table, key): value for key, value in changes.items()}).where(
        table._meta.primary_key == row_id
    )
    await audit.record(
        actor_id=actor.user_id,
        actor_role=actor.role,
        action=f"{row_workflow.name}.{action}",
        object_type=table._meta.tablename,
        object_id=row_id,
        before={"status": current},
        after={key: _jsonable(value) for key, value in changes.items()},
        reason=reason,
    )
    return TransitionResult(current, step.target, {**rows[0], **changes})


def ensure_guards(step: Transition | None, row: Mapping[str, Any]) -> None:
    """Raise the first refusing guard of ``step`` on ``row`` as its DomainError. The engine calls it on the locked
    row; a service may call it earlier on a plain read to refuse before other checks (the lock re-checks)."""
    for guard in step.guards if step is not None else ():
        if not guard(row)[0]:
            raise DomainError(guard.code, guard.detail(row), guard.status)


def refusal_message(workflow: Workflow, state: str, action: str, refusal: str) -> str:
    """zh-CN only: the state's and the action's labels from the workflow data, never their English codes (the
    codes stay in the problem's ``code``)."""
    step = workflow.transition_for(action)
    where = f"当前状态：{workflow.states.get(state, '未知')}"
    return f"{REFUSALS_ZH[refusal]}（{where}，操作：{step.label_zh}）" if step else f"{REFUSALS_ZH[refusal]}（{where}）"


def _jsonable(value: Any) -> Any:
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    return str(value)
