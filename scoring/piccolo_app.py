from __future__ import annotations

import os

from piccolo.conf.apps import AppConfig, table_finder

HERE = os.path.dirname(os.path.abspath(__file__))

APP_CONFIG = AppConfig(
    app_name="scoring",
    migrations_folder_path=os.path.join(os.path.dirname(HERE), "migrations", "scoring"),
    table_classes=table_finder(
        modules=["scoring.tables", "scoring.mentors.tables", "scoring.roadshow.tables"], exclude_imported=True
    ),
    migration_dependencies=["programmes.piccolo_app"],
    commands=[],
)

# Where Piccolo loads the tables, so every process that reaches a table knows it: the tables' workflows, their
# access policies, and scoring's side of programmes.ports (programmes never imports scoring).
import scoring.access  # noqa: E402, F401
import scoring.bindings  # noqa: E402, F401
import scoring.ports  # noqa: E402, F401
import scoring.roadshow.access  # noqa: E402, F401
import scoring.roadshow.window  # noqa: E402, F401 — registers the score-sheet lock's 409
