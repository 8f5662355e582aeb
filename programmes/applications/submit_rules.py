"""Conditions other rooms put on submitting an application, asked by ``service.submit`` on the locked row.

The applications room sits below the rooms that create applications on someone's behalf (the fast-track's
pre-filled draft, programmes/fasttrack), so it does not import them: each registers its rule here, in a module that
``programmes/piccolo_app.py`` loads, so every process that can submit knows every rule. A rule raises a
``DomainError`` to refuse; nothing has been written by then, so a refusal changes nothing.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any

SubmitRule = Callable[[Mapping[str, Any]], Awaitable[None]]

RULES: list[SubmitRule] = []


def submit_rule(rule: SubmitRule) -> SubmitRule:
    """Register ``rule`` once (a module imported twice must not ask twice)."""
    if rule not in RULES:
        RULES.append(rule)
    return rule


async def ensure_submittable(application: Mapping[str, Any]) -> None:
    """Every registered rule on the application row (locked by the caller)."""
    for rule in RULES:
        await rule(application)
