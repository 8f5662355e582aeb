"""What the programmes room plugs into app core's ports (app/ports.py, app/organisations/facts.py).

Loaded by programmes/piccolo_app.py, next to the workflow bindings, so every process that can reach a programmes
table has them: app core calls these without importing programmes (the import-linter contracts in pyproject.toml).
"""

from __future__ import annotations

from app.organisations import facts
from app.ports import user_notifier
from programmes.applications.notify import notify_user
from programmes.applications.rescreening import enqueue_rescreen

# A change of screened facts re-screens the organisations' open applications and raises 预警 (an idempotent job).
facts.listen(enqueue_rescreen)
# The password reset e-mails its code as an in-app notification.
user_notifier.fill(notify_user)
