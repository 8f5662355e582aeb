"""The notification table: one in-app message to one user, e-mailed when SMTP is configured."""

from __future__ import annotations

from piccolo.apps.user.tables import BaseUser
from piccolo.columns import ForeignKey, OnDelete, Serial, Text, Timestamptz, Varchar
from piccolo.table import Table


class Notification(Table):
    id: Serial  # added by Piccolo; declared for the type checker
    # The recipient: an account, or — for someone without one yet (a community invitation) — only an e-mail
    # ``address`` (CHECK ``notification_has_recipient``); such a notification is e-mail only, never listed in-app.
    user = ForeignKey(BaseUser, on_delete=OnDelete.cascade, null=True, default=None)
    address = Varchar(length=254, default="")
    kind = Varchar(length=50, null=False)  # deadline_reminder | status_change | ...
    title = Varchar(length=200, null=False)
    body = Text(default="")
    # E-mail text that must not stay readable (a password reset code): used instead of ``body`` in the e-mail and
    # erased once the e-mail is sent. The in-app ``body`` then says only that an e-mail went out.
    email_body = Text(null=True, default=None)
    # Deterministic key (e.g. "deadline:3d:<round>:<application>:<user>"): a reminder is created once, ever.
    dedupe_key = Varchar(length=200, null=False, unique=True)
    created_at = Timestamptz()
    read_at = Timestamptz(null=True, default=None)
    emailed_at = Timestamptz(null=True, default=None)
