"""Who a Piccolo ``BaseUser`` is in Seedbed: one role, and for officers a scope."""

from __future__ import annotations

from enum import StrEnum

from piccolo.apps.user.tables import BaseUser
from piccolo.columns import ForeignKey, OnDelete, Serial, Timestamptz, Varchar
from piccolo.table import Table

from app.reference import District


class Role(StrEnum):
    applicant = "applicant"  # member of one or more organisations (申报主体)
    expert = "expert"  # 评审专家
    officer = "officer"  # 项目官员; scope is the city (district empty) or one district
    admin = "admin"  # system administrator; city scope


class Account(Table):
    """Role and scope of a user. Exactly one row per user."""

    id: Serial  # added by Piccolo; declared for the type checker
    user = ForeignKey(BaseUser, on_delete=OnDelete.cascade, unique=True, null=False)
    role = Varchar(length=16, choices=Role, null=False)
    # Only officers use this: empty means city-level (市级), otherwise the one district they serve.
    district = Varchar(length=16, choices=District, null=True, default=None)
    display_name = Varchar(length=100, default="")
    created_at = Timestamptz()
