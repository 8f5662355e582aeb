"""Workflows as data: states, actions, and which role may take each action from which state.

A workflow also owns the rules services used to copy as literals: named capabilities of states (``unpaid``,
``applicant_edits``, …: ``workflow.has(state, "unpaid")``, ``workflow.states_with("unpaid")``), per-step metadata
(``requires_reason``, ``bulk``) and guards, conditions on the row a step needs besides its state, which the engine
checks on the locked row.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Literal

# Roles that act in workflows. ``system`` is Seedbed itself (jobs, round closing), never a logged-in user.
APPLICANT = "applicant"
EXPERT = "expert"
OFFICER = "officer"
ADMIN = "admin"
SYSTEM = "system"

Row = Mapping[str, Any]


@dataclass(frozen=True)
class Guard:
    """A condition on the row (besides its state) that a step needs, e.g. a round opens only with a form.

    ``test`` is pure on the row (it may read the clock, never the database); the engine calls it on the row it has
    just locked and refuses with ``DomainError(code, detail_zh, status)``.
    """

    code: str
    detail_zh: str | Callable[[Row], str]  # a function of the row where the message names its values
    test: Callable[[Row], bool]
    status: int = 409

    def __call__(self, row: Row) -> tuple[bool, str]:
        return (True, "ok") if self.test(row) else (False, self.code)

    def detail(self, row: Row) -> str:
        return self.detail_zh if isinstance(self.detail_zh, str) else self.detail_zh(row)


@dataclass(frozen=True)
class Transition:
    action: str
    sources: frozenset[str]
    target: str
    roles: frozenset[str]
    label_zh: str
    requires_reason: bool = False  # the engine refuses the step without a written reason (reason_required)
    bulk: bool = False  # an officer may take it on many rows at once (the generic officer action)
    guards: tuple[Guard, ...] = ()

    def check(self, row: Row) -> tuple[bool, str]:
        """(allowed, reason): the first guard that refuses ``row``, or (True, "ok")."""
        for guard in self.guards:
            allowed, reason = guard(row)
            if not allowed:
                return allowed, reason
        return True, "ok"


@dataclass(frozen=True)
class Workflow:
    """One aggregate's lifecycle, e.g. a contest application.

    ``status`` is the StrEnum of the states a row's status column may hold (shared by workflows of one table, so
    its members may be more than ``states``); ``states`` maps each state this workflow uses to its zh-CN label.
    """

    name: str
    status: type[StrEnum]
    initial: str
    states: dict[str, str]  # state -> zh-CN label
    transitions: tuple[Transition, ...]
    capabilities: Mapping[str, Iterable[str]] = field(default_factory=dict)
    _by_action: dict[str, Transition] = field(init=False, repr=False, compare=False)
    _capabilities: dict[str, tuple[str, ...]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # Plain strings, as the status column holds them (enum members are accepted and become their values).
        object.__setattr__(self, "states", {str(state): label for state, label in self.states.items()})
        object.__setattr__(self, "initial", str(self.initial))
        outside = self.states.keys() - {member.value for member in self.status}
        if outside:
            raise ValueError(f"{self.name}: states {sorted(outside)} are not members of {self.status.__name__}")
        by_action: dict[str, Transition] = {}
        for transition in self.transitions:
            if transition.action in by_action:
                raise ValueError(f"{self.name}: duplicate action {transition.action}")
            unknown = (transition.sources | {transition.target}) - self.states.keys()
            if unknown:
                raise ValueError(f"{self.name}: unknown states {sorted(unknown)}")
            by_action[transition.action] = transition
        if self.initial not in self.states:
            raise ValueError(f"{self.name}: unknown initial state {self.initial}")
        capabilities: dict[str, tuple[str, ...]] = {}
        for name, members in self.capabilities.items():
            chosen = set(members)
            if chosen - self.states.keys():
                raise ValueError(f"{self.name}.{name}: unknown states {sorted(chosen - self.states.keys())}")
            # In the workflow's own state order, so lists and docs read the same way every time.
            capabilities[name] = tuple(state for state in self.states if state in chosen)
        object.__setattr__(self, "_by_action", by_action)
        object.__setattr__(self, "_capabilities", capabilities)

    def transition_for(self, action: str) -> Transition | None:
        return self._by_action.get(action)

    def permits(self, state: str, action: str, role: str) -> tuple[bool, str]:
        """(allowed, reason code). Reason codes are stable and map to zh-CN messages in app.errors."""
        transition = self._by_action.get(action)
        if transition is None:
            return False, "unknown_action"
        if role not in transition.roles:
            return False, "role_not_allowed"
        if state not in transition.sources:
            return False, "invalid_state"
        return True, "ok"

    @property
    def capability_names(self) -> tuple[str, ...]:
        return tuple(self._capabilities)

    def states_with(self, capability: str) -> list[str]:
        """The states that have ``capability`` (a list, as ``Column.is_in`` wants it)."""
        return list(self._states_of(capability))

    def has(self, state: str, capability: str) -> bool:
        return state in self._states_of(capability)

    def _states_of(self, capability: str) -> tuple[str, ...]:
        try:
            return self._capabilities[capability]
        except KeyError:
            raise KeyError(f"{self.name} has no capability {capability!r}") from None

    def bulk_actions(self) -> list[str]:
        return [t.action for t in self.transitions if t.bulk]


@dataclass(frozen=True)
class Workflows:
    """The workflows that share one status column (an application's depends on its programme kind), asked as one.

    A state has a capability if any of them says so: a state that means the same in every kind (``draft``) has
    the same capabilities in each, and a state only one kind uses is answered by that kind.
    """

    members: tuple[Workflow, ...]

    def __post_init__(self) -> None:
        if not self.members:
            raise ValueError("Workflows: at least one workflow")

    @property
    def status(self) -> type[StrEnum]:
        return self.members[0].status

    @property
    def states(self) -> frozenset[str]:
        return frozenset(state for workflow in self.members for state in workflow.states)

    def states_with(self, capability: str) -> list[str]:
        found = {
            state
            for workflow in self.members
            if capability in workflow.capability_names
            for state in workflow.states_with(capability)
        }
        if not found and not any(capability in w.capability_names for w in self.members):
            raise KeyError(f"no workflow of {[w.name for w in self.members]} has capability {capability!r}")
        return [member.value for member in self.status if member.value in found]

    def has(self, state: str, capability: str) -> bool:
        return state in self.states_with(capability)

    def transition_for(self, action: str) -> Transition | None:
        """The step ``action`` in whichever member defines it first."""
        for workflow in self.members:
            step = workflow.transition_for(action)
            if step is not None:
                return step
        return None

    def requires_reason(self, action: str) -> bool:
        """Whether ``action`` needs a written reason in any member that defines it."""
        return any(
            step is not None and step.requires_reason for step in (w.transition_for(action) for w in self.members)
        )

    def bulk_actions(self) -> list[str]:
        """Every action some member lets an officer take in bulk, in declaration order."""
        return list(dict.fromkeys(action for workflow in self.members for action in workflow.bulk_actions()))


def state_names(status: type[StrEnum]) -> Any:
    """``Literal[...]`` of the enum's values, for schemas and query parameters that name states (a module binds it
    under ``TYPE_CHECKING`` as ``str``, since a computed Literal is no static type)."""
    return Literal[tuple(member.value for member in status)]


def step(
    action: str,
    sources: Iterable[str] | str,
    target: str,
    roles: Iterable[str],
    label_zh: str,
    *,
    requires_reason: bool = False,
    bulk: bool = False,
    guards: Iterable[Guard] = (),
) -> Transition:
    # Plain strings (enum members become their values): what the status column holds and the audit row records.
    source_set = frozenset([str(sources)]) if isinstance(sources, str) else frozenset(str(s) for s in sources)
    return Transition(action, source_set, str(target), frozenset(roles), label_zh, requires_reason, bulk, tuple(guards))


def mermaid(workflow: Workflow) -> str:
    """State diagram for docs/workflows/*.md; a test keeps the docs equal to this output."""
    lines = ["stateDiagram-v2", f"    [*] --> {workflow.initial}"]
    for transition in workflow.transitions:
        roles = ", ".join(sorted(transition.roles))
        for source in sorted(transition.sources):
            lines.append(f"    {source} --> {transition.target}: {transition.action} ({roles})")
    return "\n".join(lines)
