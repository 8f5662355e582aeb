"""Piccolo configuration (``PICCOLO_CONF=app.piccolo_conf``)."""

from __future__ import annotations

from piccolo.conf.apps import AppRegistry
from piccolo.engine.postgres import PostgresEngine

from app.settings import get_settings

DB = PostgresEngine(config={"dsn": get_settings().effective_database_url})

APP_REGISTRY = AppRegistry(
    apps=[
        "piccolo.apps.user.piccolo_app",
        "piccolo_api.session_auth.piccolo_app",
        "app.piccolo_app",
        "programmes.piccolo_app",
        "scoring.piccolo_app",
    ]
)
