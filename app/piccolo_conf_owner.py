"""Piccolo configuration for migrations only (``seedbed migrate`` sets ``PICCOLO_CONF=app.piccolo_conf_owner``).

Migrations create and alter tables, so they connect as the owner (``SEEDBED_DATABASE_URL``); everything else uses
``app.piccolo_conf`` and the application role (app/db_roles.py). This module must not import app.piccolo_conf:
Piccolo's engine connects when it is built, and on a first migration the app role does not exist yet.
"""

from __future__ import annotations

from piccolo.engine.postgres import PostgresEngine

from app.piccolo_registry import APP_REGISTRY
from app.settings import get_settings

DB = PostgresEngine(config={"dsn": get_settings().effective_database_url})

__all__ = ["APP_REGISTRY", "DB"]
