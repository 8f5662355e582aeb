"""The officers' back office: Piccolo Admin mounted at /admin/, wrapped so it keeps the API's rules.

- ``site``: the table configs, the menu, ``build_admin()`` (the mount) and the wrapper chain;
- ``scope``: district scope (list filters, row validators, write hooks) and the session's principal;
- ``masking``, ``downloads``, ``users``: account numbers masked, export downloads, the narrow user table;
- ``reference``: the few writable (reference) tables, validated with the API's schema and audited;
- ``forms/``: the action forms, one module per area, assembled into ``FORMS``.

Callers import the mount and the lists from here (``from app.admin import build_admin``).
"""

from __future__ import annotations

from app.admin.forms import FORMS
from app.admin.site import MENU, build_admin

__all__ = ["FORMS", "MENU", "build_admin"]
