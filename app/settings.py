"""Every knob comes from an environment variable prefixed ``SEEDBED_``.

Defaults are chosen so that a newcomer's ``make run`` works without any configuration.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

LOCAL_DATABASE_URL = "postgresql://postgres@127.0.0.1:5432/seedbed"
LOCAL_REDIS_URL = "redis://127.0.0.1:6379/0"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SEEDBED_", extra="ignore")

    # Unset → the local default if it answers, else the embedded default (app/embedded.py).
    database_url: str | None = None
    redis_url: str | None = None
    host: str = "127.0.0.1"
    port: int = 8000
    data_dir: Path = Path(".seedbed")
    # HS256 secret for API bearer tokens. The default is for local use only; set it in production.
    jwt_secret: str = Field(default="seedbed-local-development-secret-change-me", min_length=16)
    access_token_minutes: int = 15
    refresh_token_days: int = 7
    # Largest accepted request body; bigger bodies get 413 problem+json.
    max_body_bytes: int = 1_000_000
    db_pool_min: int = 1
    db_pool_max: int = 10
    log_level: str = "INFO"
    # Outgoing e-mail for notifications; unset host = notifications stay in-app only.
    smtp_host: str | None = None
    smtp_port: int = 587
    smtp_starttls: bool = True
    smtp_user: str = ""
    smtp_password: str = ""
    smtp_from: str = "seedbed@localhost"
    # First retry delay of a payment job after a transient error; doubles per try (capped at 1 hour).
    payment_retry_base_seconds: int = 30
    # Who moves the money: "simulated" (the built-in simulated bank) or "package.module:ClassName" of a connector
    # implementing programmes.disbursements.provider.PaymentProvider, constructed with these settings.
    payment_provider: str = "simulated"
    # Where attachments and exports are stored (LocalFileStorage root).
    storage_dir: Path = Path(".seedbed/files")
    # Behind HTTPS in production: the admin's session and CSRF cookies are then marked Secure.
    production: bool = False
    # Name of the arq queue; tests use their own so a stray worker never steals their jobs.
    queue_name: str = "seedbed:queue"
    # SEEDBED_DATABASE_URL is the owner's (migrations). The API, worker and CLI connect to the same server and
    # database as this role, which `seedbed migrate` creates and grants (app/db_roles.py): it may only INSERT and
    # SELECT the append-only tables. Password empty = none set (trust/peer auth). Role empty = connect as the owner.
    app_db_role: str = "seedbed_app"
    app_db_password: str = ""

    @property
    def effective_database_url(self) -> str:
        return self.database_url or LOCAL_DATABASE_URL

    @property
    def effective_redis_url(self) -> str:
        return self.redis_url or LOCAL_REDIS_URL


@lru_cache
def get_settings() -> Settings:
    return Settings()
