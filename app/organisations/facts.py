"""Verified organisation facts (核验): who vouched for the grade and dates screening trusts, and the change hook.

An organisation declares its grade, registration date and certificate expiry at registration (``declared_*``);
screening uses only the verified columns, which are set by an officer (``PATCH /organisations/{id}``, admin form
更正/核验社会组织登记信息) or by the registry import (``seedbed import-registry``). Each verification of a fact
replaces that fact's ``OrganisationFactVerification`` row; the audit log keeps the history.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Iterable, Mapping
from datetime import date
from typing import Any, Literal

from app.organisations.tables import FactSource, OrganisationFactVerification
from app.timezone import now_utc

log = logging.getLogger(__name__)

VERIFIED_FACTS = ("evaluation_grade", "grade_valid_until", "registered_on", "certificate_expires_on")
FactName = Literal["evaluation_grade", "grade_valid_until", "registered_on", "certificate_expires_on"]
# Facts that change a screening result: the verified four, the two blacklists and the credit code.
SCREENED = frozenset({*VERIFIED_FACTS, "abnormal_listed_on", "serious_violation_listed_on", "credit_code"})


def as_text(value: Any) -> str | None:
    if value is None:
        return None
    return value.isoformat() if isinstance(value, date) else str(value)


async def record(
    organisation_id: int,
    values: Mapping[str, Any],
    source: FactSource,
    actor_id: int | None,
    reference: str,
) -> None:
    """Write who verified ``values`` (fact → verified value). Runs in the caller's transaction, which holds the
    organisation's row lock, so two verifications of one fact never interleave."""
    facts = [fact for fact in values if fact in VERIFIED_FACTS]
    if not facts:
        return
    await OrganisationFactVerification.delete().where(
        (OrganisationFactVerification.organisation == organisation_id) & OrganisationFactVerification.fact.is_in(facts)
    )
    await OrganisationFactVerification.insert(
        *(
            OrganisationFactVerification(
                organisation=organisation_id,
                fact=fact,
                value=as_text(values[fact]),
                source=source,
                verified_by=actor_id,
                verified_at=now_utc(),
                reference=reference[:1000],
            )
            for fact in facts
        )
    )


# The hook point for what must follow a change of screened facts: the programmes room registers the eligibility
# gate's follow-up (re-screen open applications, raise 预警) in programmes/applications/rescreening.py, loaded by
# programmes/piccolo_app.py, because programmes builds on app core, not the reverse. Listeners run after the change
# committed; one failing listener is logged and does not undo the change or stop the others, because the facts are
# true whatever a follow-up does.
FactsListener = Callable[[list[int]], Awaitable[None]]

LISTENERS: list[FactsListener] = []


def listen(listener: FactsListener) -> FactsListener:
    """Register ``listener`` once (a module imported twice must not run its follow-up twice)."""
    if listener not in LISTENERS:
        LISTENERS.append(listener)
    return listener


async def on_facts_changed(org_ids: Iterable[int]) -> None:
    """Call after committing a change to any of ``SCREENED`` for these organisations (officer, import, claim)."""
    ids = sorted(set(org_ids))
    if not ids:
        return
    for listener in LISTENERS:
        try:
            await listener(ids)
        except Exception:  # see above: a follow-up never undoes a committed fact
            log.exception("facts-changed listener %s failed for organisations %s", listener, ids)
