"""What the programmes room plugs into app core's hooks (``app.organisations.facts.listen``).

Loaded by programmes/piccolo_app.py, next to the workflow bindings, so every process that can reach a programmes
table has them: app core calls these without importing programmes (the import-linter contracts in pyproject.toml).
"""

from __future__ import annotations

from app.organisations import facts
from programmes.applications.rescreening import enqueue_rescreen

# A change of screened facts re-screens the organisations' open applications and raises 预警 (an idempotent job).
facts.listen(enqueue_rescreen)
