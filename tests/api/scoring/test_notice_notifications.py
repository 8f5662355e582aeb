"""Stage notifications of the 公示 (issue 15): opening the notice tells every ranked entry's members whether it is
listed, the final result tells the listed ones (and the others that their feedback is open) — each exactly once,
however often or concurrently the step runs, and e-mailed once."""

from __future__ import annotations

import asyncio
from collections import Counter

import httpx
import pytest

from app.auth.tables import Role
from app.notifications import Notification
from app.organisations.tables import OrganisationMember
from programmes.tables import Application
from scoring.publication.service import notify_feedback_ready, notify_result
from tests import factories
from tests.factories.notice import end_notice, published_round
from tests.factories.smtp import FakeSMTP
from tests.factories.worker import run_worker_burst

pytestmark = pytest.mark.usefixtures("db")


async def per_user_kind() -> Counter[tuple[int, str]]:
    rows = await Notification.select(Notification.user, Notification.kind)
    return Counter((r["user"], r["kind"]) for r in rows)


async def test_notice_and_final_result_reach_every_member_once(
    client: httpx.AsyncClient, smtp: FakeSMTP, smtp_settings: None
) -> None:
    notice = await published_round(client)
    first, second, third = notice.ranking
    counts = await per_user_kind()
    for application_id, kind in ((first, "publication_listed"), (second, "publication_listed")):
        assert counts[(notice.members[application_id].id, kind)] == 1
    assert counts[(notice.members[third].id, "publication_not_listed")] == 1
    # A retry of the opening step (same keys) adds nothing.
    before = await Notification.count()
    for application_id in notice.ranking:
        await notify_result(notice.publication_id, application_id, application_id in notice.listed, "2026-12-08")
    assert await Notification.count() == before
    # A second member of the first organisation joining now is told the final result too.
    organisation = await Application.select(Application.organisation).where(Application.id == first).first()
    assert organisation is not None
    colleague = await factories.user(Role.applicant)
    await OrganisationMember.insert(OrganisationMember(user=colleague.id, organisation=organisation["organisation"]))

    await end_notice(notice.publication_id)
    url = f"/publications/{notice.publication_id}/finalise"
    answers = await asyncio.gather(*(client.post(url, headers=notice.officer.headers) for _ in range(50)))
    assert sorted(Counter(a.status_code for a in answers).items()) == [(200, 1), (409, 49)]
    await notify_feedback_ready(notice.publication_id, set(notice.listed))  # a repeat: nothing new
    counts = await per_user_kind()
    for user in (notice.members[first], colleague):
        assert counts[(user.id, "publication_final")] == 1 and counts[(user.id, "feedback_available")] == 0
    assert counts[(notice.members[second].id, "publication_final")] == 1
    assert counts[(notice.members[third].id, "feedback_available")] == 1
    assert counts[(notice.members[third].id, "publication_final")] == 0
    final = await Notification.select(Notification.body).where(
        (Notification.user == notice.members[first].id) & (Notification.kind == "publication_final")
    )
    assert "评审反馈" in final[0]["body"]

    # E-mail: each notification once, however many times the job runs.
    await run_worker_burst()
    emailed = await Notification.count().where(Notification.emailed_at.is_not_null())
    assert emailed >= 5 and len(smtp.messages) == emailed  # the members registered with real addresses
    await run_worker_burst()
    assert len(smtp.messages) == emailed
