"""The Piccolo apps, shared by both configurations (app.piccolo_conf and app.piccolo_conf_owner)."""

from __future__ import annotations

from piccolo.conf.apps import AppRegistry

APP_REGISTRY = AppRegistry(
    apps=[
        "piccolo.apps.user.piccolo_app",
        "piccolo_api.session_auth.piccolo_app",
        "app.piccolo_app",
        "programmes.piccolo_app",
        "scoring.piccolo_app",
    ]
)
