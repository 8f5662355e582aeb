"""The catalogue's access policies: programmes, editions and rounds are staff objects, seen and changed by officers
and admins whose district covers the row (city staff: all). Outside that, the uniform 404 ``<label>不存在或无权访问``.

``ROUNDS`` is the one policy for rounds, also for the rooms that act on a round (scoring, exports): they
``load(principal, Round, round_id)`` instead of writing their own scope check.
"""

from __future__ import annotations

from app.access import protect
from programmes.tables import Edition, Programme, Round

PROGRAMMES = protect(Programme, "项目")
EDITIONS = protect(Edition, "届次")
ROUNDS = protect(Round, "轮次")
