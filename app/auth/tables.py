"""Who a Piccolo ``BaseUser`` is in Seedbed: one role, and for officers a scope."""

from __future__ import annotations

from enum import StrEnum

from piccolo.apps.user.tables import BaseUser
from piccolo.columns import ForeignKey, Integer, OnDelete, Serial, Timestamptz, Varchar
from piccolo.table import Table

from app.reference import District


class Role(StrEnum):
    applicant = "applicant"  # member of one or more organisations (申报主体)
    expert = "expert"  # 评审专家
    officer = "officer"  # 项目官员; scope is the city (district empty) or one district
    admin = "admin"  # system administrator; city scope
    community = "community"  # 街道/镇 or 居委/村委 staff of one community (聚力计划: demands, delivery confirmation)


# How a role reads in Chinese messages and timelines (never the English code).
ROLE_LABELS_ZH: dict[str, str] = {
    Role.applicant: "申报单位",
    Role.expert: "评审专家",
    Role.officer: "项目官员",
    Role.admin: "管理员",
    Role.community: "社区（街道/居村委）",
    "system": "系统",
}


class Account(Table):
    """Role and scope of a user. Exactly one row per user."""

    id: Serial  # added by Piccolo; declared for the type checker
    user = ForeignKey(BaseUser, on_delete=OnDelete.cascade, unique=True, null=False)
    role = Varchar(length=16, choices=Role, null=False)
    # Only officers use this: empty means city-level (市级), otherwise the one district they serve.
    district = Varchar(length=16, choices=District, null=True, default=None)
    display_name = Varchar(length=100, default="")
    # CN mobile (1[3-9] + 9 digits) for the people behind the account; the e-mail is BaseUser.email.
    mobile = Varchar(length=11, null=True, default=None)
    # Embedded in every token; logout, password change and reset bump it, so older refresh tokens stop working.
    token_version = Integer(default=0, null=False)
    created_at = Timestamptz()


class PasswordResetToken(Table):
    """A password reset code sent by e-mail. Only its SHA-256 is stored; used once, then ``used_at`` is set."""

    id: Serial  # added by Piccolo; declared for the type checker
    user = ForeignKey(BaseUser, on_delete=OnDelete.cascade, null=False)
    token_hash = Varchar(length=64, null=False, unique=True)
    expires_at = Timestamptz(null=False)
    used_at = Timestamptz(null=True, default=None)
    created_at = Timestamptz()
