from __future__ import annotations

import os

from piccolo.conf.apps import AppConfig, table_finder

HERE = os.path.dirname(os.path.abspath(__file__))

APP_CONFIG = AppConfig(
    app_name="programmes",
    migrations_folder_path=os.path.join(os.path.dirname(HERE), "migrations", "programmes"),
    table_classes=table_finder(
        modules=[
            "programmes.tables",
            "programmes.attachments.tables",
            "programmes.exports.tables",
            "programmes.agreements.tables",
            "programmes.reports.tables",
            "programmes.matching.tables",
            "programmes.matching.tables_delivery",
            "programmes.payees.tables",
            "programmes.draws.tables",
            "programmes.risk.tables",
            "programmes.ledger.tables",
            "programmes.fasttrack.tables",
            "programmes.incubation.tables",
            "programmes.camps.tables",
            "programmes.recommendations.tables",
            "programmes.prizes.tables",
            "programmes.resources.tables",
        ],
        exclude_imported=True,
    ),
    migration_dependencies=["app.piccolo_app"],
    commands=[],
)

# The tables' workflows are bound where Piccolo loads the tables, so every process that reaches a table knows it.
# Likewise the rooms' reactions to the core app's events (a claim transfer withdraws the former members' accounts; a
# change of screened facts re-screens the organisations' open applications), and the conditions rooms put on
# submitting (a fast-tracked draft only after the invitation is accepted).
import programmes.applications.rescreening  # noqa: E402, F401
import programmes.fasttrack.submit_rule  # noqa: E402, F401
import programmes.payees.claims  # noqa: E402, F401
import programmes.workflows.bindings  # noqa: E402, F401
