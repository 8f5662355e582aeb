"""The public vote (公众投票): a session setting (its weight, 0 = none), open only while the officer opens it; one
vote per verified account and session (a unique key: concurrent votes by one account leave one row), counted per
account and per client address by the house rate limiter (``app.auth.rate_limit``)."""

from __future__ import annotations

from app.access import load
from app.auth import rate_limit
from app.auth.principal import Principal
from app.auth.tables import Account
from app.errors import DomainError, conflict, invalid
from app.settings import get_settings
from app.uow import unit_of_work
from app.workflow.engine import Actor
from programmes.workflows.review import REVIEW_ASSIGNMENT
from programmes.workflows.roadshow import ROADSHOW_SESSION
from scoring.roadshow.access import SESSIONS
from scoring.roadshow.schemas import SessionRead, VoteRead
from scoring.roadshow.service import read_session
from scoring.roadshow.tables import RoadshowSession, RoadshowVote
from scoring.tables import ReviewAssignment


async def set_voting(principal: Principal, session_id: int, open_: bool) -> SessionRead:
    """Officer in scope: open or close the public vote (a session with a vote weight, while it is live)."""
    await load(principal, SESSIONS.table, session_id)
    async with unit_of_work(Actor.of(principal)) as uow:
        rows = await (
            RoadshowSession.select(RoadshowSession.status, RoadshowSession.vote_weight_percent)
            .where(RoadshowSession.id == session_id)
            .lock_rows("UPDATE")
        )
        if rows[0]["vote_weight_percent"] == 0:
            raise conflict("public_vote_disabled", "本场路演未设公众投票")
        if open_ and rows[0]["status"] not in ROADSHOW_SESSION.states_with("live"):
            raise conflict("roadshow_not_live", "路演出场顺序尚未抽取或路演已结束")
        await RoadshowSession.update({RoadshowSession.voting_open: open_}).where(RoadshowSession.id == session_id)
        await uow.audit("roadshow_voting", "roadshow_session", session_id, after={"voting_open": open_})
    return await read_session(session_id)


async def _verified(principal: Principal) -> bool:
    """A verified account: active, with a mobile number on record (the contest's 实名 rule for public votes)."""
    found = await Account.exists().where(
        (Account.user == principal.user_id) & Account.mobile.is_not_null() & (Account.user._.active == True)  # noqa: E712
    )
    return bool(found)


async def cast_vote(principal: Principal, session_id: int, application_id: int, client: str) -> VoteRead:
    """Any verified account, once per session, for one of the session's entries, while voting is open. The
    round's judges do not vote."""
    settings = get_settings()
    await rate_limit.check_identities(
        "roadshow_vote",
        [
            ("account", str(principal.user_id), settings.rate_limit_vote_per_account),
            ("ip", client, settings.rate_limit_vote_per_ip),
        ],
    )
    session = await load(principal, SESSIONS.table, session_id, "any", load_json=True)
    if not await _verified(principal):
        raise DomainError("account_not_verified", "请先登记并验证手机号后再投票", 403)
    if session["vote_weight_percent"] == 0:
        raise conflict("public_vote_disabled", "本场路演未设公众投票")
    if application_id not in (session["entries"] or []):
        raise invalid("not_an_entry", "该项目不是本场路演的参赛项目", "application_id")
    judge = await ReviewAssignment.exists().where(
        (ReviewAssignment.expert == principal.user_id)
        & (ReviewAssignment.application._.round == session["round"])
        & ReviewAssignment.status.is_in(REVIEW_ASSIGNMENT.states_with("live"))
    )
    if judge:
        raise DomainError("judges_do_not_vote", "本轮评委不参加公众投票", 403)
    async with unit_of_work(Actor.of(principal)):
        # Under a share lock on the session: closing the vote or ending the session waits for this vote to commit.
        state = await RoadshowSession.raw(
            "SELECT status, voting_open FROM roadshow_session WHERE id = {} FOR SHARE", session_id
        )
        if state[0]["status"] not in ROADSHOW_SESSION.states_with("live") or not state[0]["voting_open"]:
            raise conflict("voting_closed", "公众投票未开放或已结束")
        inserted = await RoadshowVote.raw(
            "INSERT INTO roadshow_vote (session, voter, application, created_at) VALUES ({}, {}, {}, now())"
            " ON CONFLICT (session, voter) DO NOTHING RETURNING created_at",
            session_id,
            principal.user_id,
            application_id,
        )
        if not inserted:
            raise conflict("already_voted", "您已在本场路演投过票，每个账号限投一票")
    return VoteRead(session_id=session_id, application_id=application_id, created_at=inserted[0]["created_at"])
