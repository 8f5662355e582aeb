"""Who may see or act on a clawback: staff whose district covers it (404 ``追回不存在或无权访问``)."""

from __future__ import annotations

from app.access import protect
from programmes.tables import Clawback

CLAWBACKS = protect(Clawback, "追回")
