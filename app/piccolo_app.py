"""The ``core`` Piccolo app: accounts, organisations, audit log and outbox."""

from __future__ import annotations

import os

from piccolo.conf.apps import AppConfig, table_finder

HERE = os.path.dirname(os.path.abspath(__file__))

APP_CONFIG = AppConfig(
    app_name="core",
    migrations_folder_path=os.path.join(os.path.dirname(HERE), "migrations", "core"),
    table_classes=table_finder(
        modules=["app.auth.tables", "app.organisations.tables", "app.audit", "app.outbox", "app.notifications.tables"],
        exclude_imported=True,
    ),
    migration_dependencies=[
        "piccolo.apps.user.piccolo_app",
        "piccolo_api.session_auth.piccolo_app",
    ],
    commands=[],
)

# The tables' workflows are bound where Piccolo loads the tables, so every process that reaches a table knows it.
import app.organisations.workflow  # noqa: E402, F401
