"""Schemas of who reviews what: manual assignment, the solver's plan (preview and commit), officer steps."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from app.types import Id, RequestModel


class AssignmentCreate(RequestModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"application_id": 1, "expert_id": 3}]})
    application_id: Id
    expert_id: Id


class AssignmentRead(BaseModel):
    id: int
    application_id: int
    expert_id: int
    status: str


class ReasonBody(RequestModel):
    model_config = ConfigDict(extra="forbid")
    reason: str = Field(min_length=2, max_length=1000)


class PairRead(BaseModel):
    """One pair the solver chose, with the affinity components that justify it."""

    application_id: int
    expert_id: int
    affinity: int
    shared_tags: list[str]
    domain_match: bool
    track_match: bool


class UnstaffedRead(BaseModel):
    """An application a partial assignment left without (enough) experts, and why."""

    application_id: int
    code: str
    needed: int
    eligible: int
    message: str


class AssignmentPlanRead(BaseModel):
    """The solver's assignment of a round (preview: nothing written; commit: what was written)."""

    pairs: list[PairRead]
    total_affinity: int
    min_application_affinity: int
    mode: str
    solver: str
    optimal: bool


class AssignmentCommitRead(AssignmentPlanRead):
    partial: bool
    unstaffed: list[UnstaffedRead]


class AssignmentStepRead(BaseModel):
    """An officer's step on an assignment (reopen, remove) or an expert's decline."""

    assignment_id: int
    status: str


class RoundAssignmentRead(BaseModel):
    """Who reviews what in a round, as officers see it (the scores stay with the review and the exports)."""

    id: int
    application_id: int
    expert_id: int
    expert_username: str
    status: str
    due_at: dt.datetime | None
    submitted_at: dt.datetime | None
    reason: dict[str, Any] = Field(description="分配依据：求解器的亲和度构成，或人工分配时为空")
