"""The notifications room (站内通知): recorded always, e-mailed when SMTP is configured.

- ``tables``: the ``notification`` table;
- ``service``: writing them (``notify_user``, ``notify_organisations``; ``notify_address`` for someone without an
  account yet — e-mail only, never listed: in the caller's transaction, the e-mail job staged for after its commit)
  and the signed-in user's list;
- ``email``: the job that e-mails pending ones;
- ``controllers`` / ``schemas``: ``/notifications`` for the signed-in user.

What a message says belongs to the room whose event it is (an application's status change is written in
``programmes.applications.notify``); this room only knows recipients, delivery and deduplication.
"""

from __future__ import annotations

from app.notifications.tables import Notification

__all__ = ["Notification"]
