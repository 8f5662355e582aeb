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
DEFAULT_JWT_SECRET = "seedbed-local-development-secret-change-me"
# "<count>/<unit>", unit one of second, minute, hour, day (app/auth/rate_limit.py).
RATE_LIMIT_PATTERN = r"^[1-9][0-9]*/(second|minute|hour|day)$"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SEEDBED_", extra="ignore")

    # Unset → the local default if it answers, else the embedded default (app/embedded.py).
    database_url: str | None = None
    redis_url: str | None = None
    host: str = "127.0.0.1"
    port: int = 8000
    # Web server processes `seedbed run` starts (granian --workers); 0 = one per CPU core.
    web_workers: int = Field(default=0, ge=0, le=256)
    # Build Piccolo Admin (85 tables: ~10 s of CPU) on its first request instead of at start-up. Off by default, so
    # a served worker never stalls an officer's first page; the test servers turn it on (most never open /admin).
    admin_lazy: bool = False
    data_dir: Path = Path(".seedbed")
    # HS256 secret for API bearer tokens. The default is for local use only; set it in production.
    jwt_secret: str = Field(default=DEFAULT_JWT_SECRET, min_length=16)
    access_token_minutes: int = 15
    refresh_token_days: int = 7
    # Password reset codes sent by e-mail stay valid this long (single use).
    password_reset_minutes: int = 30
    # Attempts on the routes that hash a password (600k PBKDF2 rounds each), counted in Redis so every API process
    # shares one count. Per client address and per username (or reset account); over the limit → 429 + Retry-After.
    rate_limit_login_per_ip: str = Field(default="60/minute", pattern=RATE_LIMIT_PATTERN)
    rate_limit_login_per_username: str = Field(default="10/minute", pattern=RATE_LIMIT_PATTERN)
    rate_limit_register_per_ip: str = Field(default="30/hour", pattern=RATE_LIMIT_PATTERN)
    rate_limit_register_per_username: str = Field(default="10/hour", pattern=RATE_LIMIT_PATTERN)
    rate_limit_reset_per_ip: str = Field(default="30/hour", pattern=RATE_LIMIT_PATTERN)
    rate_limit_reset_per_account: str = Field(default="5/hour", pattern=RATE_LIMIT_PATTERN)
    # 一公开 open data (public, cached): generous for portals, a brake on scrapers hammering the database.
    rate_limit_open_data_per_ip: str = Field(default="600/minute", pattern=RATE_LIMIT_PATTERN)
    # Comma-separated addresses of reverse proxies whose X-Forwarded-For names the real client (empty: none).
    rate_limit_trusted_proxies: str = ""
    # Camps: a session's check-in code is accepted from this many minutes before its start to as many after its end;
    # wrong codes per organisation and session beyond this many per window → 429 (counted in Redis).
    checkin_margin_minutes: int = Field(default=15, ge=0, le=240)
    rate_limit_checkin_failures: str = Field(default="5/minute", pattern=RATE_LIMIT_PATTERN)
    # 决赛路演: public votes counted per signed-in account and per client address (429 beyond, counted in Redis);
    # the live board's server-sent events stream sends the board this often.
    rate_limit_vote_per_account: str = Field(default="10/minute", pattern=RATE_LIMIT_PATTERN)
    rate_limit_vote_per_ip: str = Field(default="600/minute", pattern=RATE_LIMIT_PATTERN)
    roadshow_board_interval_seconds: float = Field(default=2.0, ge=0.05, le=60)
    # Largest accepted request body; bigger bodies get 413 problem+json.
    max_body_bytes: int = 1_000_000
    # PBKDF2 password hashes (login, registration, password changes) run in worker threads, at most this many at
    # once; 0 = one per CPU core. More than the cores only makes each login slower.
    password_hash_threads: int = Field(default=0, ge=0, le=64)
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
    # Four-eyes (双人复核) on agreements: an award above this many fen (default 10 万元) takes effect only after two
    # different officers countersign. Payment batches always need an approver other than their builder.
    four_eyes_agreement_fen: int = Field(default=10_000_000, ge=0)
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

    def production_problems(self) -> list[str]:
        """What keeps this configuration from running in production; empty when it may (or is not production)."""
        if not self.production:
            return []
        problems = []
        if self.jwt_secret == DEFAULT_JWT_SECRET:
            # Anyone who has read the source could mint tokens for any role.
            problems.append("SEEDBED_JWT_SECRET is the built-in development secret: set a long random value")
        if self.payment_provider == "simulated":
            # The simulated bank marks tranches paid while no money moves.
            problems.append(
                "SEEDBED_PAYMENT_PROVIDER is 'simulated': set it to 'package.module:ClassName' of the bank connector"
            )
        return problems

    def require_production_ready(self) -> None:
        """Called by the app factory and the worker before they start; raises with every setting to fix."""
        problems = self.production_problems()
        if problems:
            raise ProductionConfigError(
                "SEEDBED_PRODUCTION=true, but refusing to start:\n  - " + "\n  - ".join(problems)
            )

    @property
    def effective_database_url(self) -> str:
        return self.database_url or LOCAL_DATABASE_URL

    @property
    def effective_redis_url(self) -> str:
        return self.redis_url or LOCAL_REDIS_URL


class ProductionConfigError(RuntimeError):
    """A production deployment configured with a development default."""


@lru_cache
def get_settings() -> Settings:
    return Settings()
