"""E-mail and CN mobile number of an account: one validation for registration, account creation and self-edit."""

from __future__ import annotations

import re
from typing import Annotated

from email_validator import EmailNotValidError, validate_email
from pydantic import AfterValidator, BeforeValidator, Field

from app.errors import DomainError, FieldError

# Piccolo's BaseUser.email is unique and required; accounts created without an address get this placeholder, which
# the e-mail sender skips (programmes/applications/jobs.py) and users can never enter (special-use domain).
PLACEHOLDER_DOMAIN = "users.seedbed.invalid"
MOBILE = re.compile(r"^1[3-9]\d{9}$")


def placeholder_email(username: str) -> str:
    return f"{username}@{PLACEHOLDER_DOMAIN}"


def real_email(stored: str | None) -> str | None:
    """The address as users see it: None for the placeholder."""
    return None if not stored or stored.endswith(".invalid") else stored


def email_taken() -> DomainError:
    detail = "该邮箱已被其他账户使用"
    return DomainError("email_taken", detail, 409, [FieldError("email", "email_taken", detail)])


def _email(value: str) -> str:
    try:
        # No DNS lookups: registration must not depend on the resolver; syntax and special-use domains only.
        result = validate_email(value, check_deliverability=False)
    except EmailNotValidError as exc:
        raise ValueError("邮箱格式不正确，例如 li.ming@example.org") from exc
    # Stored lower-case so the unique column treats Li.Ming@… and li.ming@… as one address.
    return result.normalized.lower()


def _strip_mobile(value: object) -> object:
    if isinstance(value, str):
        value = re.sub(r"[\s-]", "", value)
        if value.startswith("+86"):
            value = value[3:]
    return value


def _mobile(value: str) -> str:
    if not MOBILE.fullmatch(value):
        raise ValueError("手机号应为 11 位中国大陆手机号（1 开头，第二位 3–9），例如 13800138000")
    return value


Email = Annotated[str, Field(max_length=254, description="电子邮箱"), AfterValidator(_email)]
Mobile = Annotated[
    str,
    BeforeValidator(_strip_mobile),
    Field(max_length=20, description="中国大陆手机号，11 位", examples=["13800138000"]),
    AfterValidator(_mobile),
]
