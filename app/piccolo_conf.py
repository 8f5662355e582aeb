"""Piccolo configuration (``PICCOLO_CONF=app.piccolo_conf``): the application's connection, as the app role."""

from __future__ import annotations

from piccolo.engine.postgres import PostgresEngine

from app.db_roles import app_database_url
from app.piccolo_registry import APP_REGISTRY
from app.settings import get_settings

# No extensions: creating them is the owner's business (migrations), and the app role may not.
DB = PostgresEngine(config={"dsn": app_database_url(get_settings())}, extensions=())

__all__ = ["APP_REGISTRY", "DB"]
