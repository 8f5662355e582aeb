"""Workflows as data: states, actions, and which role may take each action from which state."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

# Roles that act in workflows. ``system`` is Seedbed itself (jobs, round closing), never a logged-in user.
APPLICANT = "applicant"
EXPERT = "expert"
OFFICER = "officer"
ADMIN = "admin"
SYSTEM = "system"


@dataclass(frozen=True)
class Transition:
    action: str
    sources: frozenset[str]
    target: str
    roles: frozenset[str]
    label_zh: str


@dataclass(frozen=True)
class Workflow:
    """One aggregate's lifecycle, e.g. a contest application."""

    name: str
    initial: str
    states: dict[str, str]  # state -> zh-CN label
    transitions: tuple[Transition, ...]
    _by_action: dict[str, Transition] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
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
        object.__setattr__(self, "_by_action", by_action)

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


def step(action: str, sources: Iterable[str] | str, target: str, roles: Iterable[str], label_zh: str) -> Transition:
    source_set = frozenset([sources]) if isinstance(sources, str) else frozenset(sources)
    return Transition(action, source_set, target, frozenset(roles), label_zh)


def mermaid(workflow: Workflow) -> str:
    """State diagram for docs/workflows/*.md; a test keeps the docs equal to this output."""
    lines = ["stateDiagram-v2", f"    [*] --> {workflow.initial}"]
    for transition in workflow.transitions:
        roles = ", ".join(sorted(transition.roles))
        for source in sorted(transition.sources):
            lines.append(f"    {source} --> {transition.target}: {transition.action} ({roles})")
    return "\n".join(lines)
