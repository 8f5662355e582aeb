from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from app.types import RequestModel


class LoginRequest(RequestModel):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"username": "officer", "password": "officer-pass"}]}
    )
    username: str = Field(min_length=1, max_length=100)
    password: str = Field(min_length=1, max_length=200)


class RefreshRequest(RequestModel):
    model_config = ConfigDict(extra="forbid")
    refresh_token: str = Field(min_length=10, max_length=2000)


class TokenPair(BaseModel):
    access_token: str
    refresh_token: str
    token_type: str = "bearer"
    expires_in: int = Field(description="access token lifetime in seconds")


class Me(BaseModel):
    user_id: int
    username: str
    role: str
    district: str | None
