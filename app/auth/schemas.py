"""Request and response bodies of the auth room: login and tokens, the signed-in user's own account and password
reset, and administrators' role changes."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from app.auth.contact import Email, Mobile
from app.auth.tables import Role
from app.reference import District
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


# Piccolo refuses passwords over 128 characters; 8 is the registration minimum.
NewPassword = Field(min_length=8, max_length=128, description="新密码，8–128 个字符")


class PasswordChange(RequestModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"old_password": "initial-pass", "new_password": "a-new-long-secret"}]},
    )
    old_password: str = Field(min_length=1, max_length=200, description="当前密码")
    new_password: str = NewPassword


class PasswordResetRequest(RequestModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"account": "li.ming@example.org"}]})
    account: str = Field(min_length=1, max_length=254, description="用户名或登记的邮箱")


class PasswordResetConfirm(RequestModel):
    model_config = ConfigDict(extra="forbid")
    token: str = Field(min_length=20, max_length=200, description="重置邮件中的重置码")
    new_password: str = NewPassword


class ContactUpdate(RequestModel):
    """Only the fields sent change; ``mobile: null`` removes the number. The e-mail can be replaced, not removed."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"email": "li.ming@example.org", "mobile": "13800138000"}]}
    )
    email: Email | None = None
    mobile: Mobile | None = None
    display_name: str | None = Field(default=None, min_length=1, max_length=100)


class AccountRead(BaseModel):
    user_id: int
    username: str
    role: str
    district: str | None
    display_name: str
    email: str | None = Field(description="null: no address on file, notifications stay in-app")
    mobile: str | None


class Accepted(BaseModel):
    detail: str


class AccountRoleChange(RequestModel):
    """调整账户角色. ``district`` only for officers: empty = city level (市级)."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"role": "officer", "district": "changning"}]}
    )
    role: Role
    district: District | None = Field(default=None, description="项目官员所属区；为空表示市级")
    display_name: str | None = Field(default=None, max_length=100, description="姓名；为空表示不变")
    reason: str = Field(default="", max_length=1000, description="记入审计日志")


class AccountRoleRead(BaseModel):
    """An account's role as administrators see it (``GET /accounts/{id}``)."""

    user_id: int
    username: str
    role: Role
    district: District | None
    display_name: str
