"""收款账户: the payee's bank accounts. The room owns the table; the database table ``bank_account`` is unchanged.

Piccolo tracks tables per app: the table was created by the ``core`` app's migrations and is now registered in the
``programmes`` app (``programmes/piccolo_app.py``). The pair of migrations ``2026_12_01t15_00_03`` moves it from
the one app's schema snapshot to the other's with ``fake=True``: recorded as run, no SQL, so the table, its rows,
its indexes and the foreign keys pointing at it stay as they are.
"""

from __future__ import annotations

from piccolo.apps.user.tables import BaseUser
from piccolo.columns import ForeignKey, OnDelete, Serial, Text, Timestamptz, Varchar
from piccolo.table import Table

from app.organisations.tables import Organisation
from app.reference import District


class BankAccount(Table):
    """An organisation's bank account for receiving funds. Money goes only to a ``verified`` account; a change is a
    new row that an officer verifies, which supersedes the old one (one verified account per organisation, unique
    index in the migration)."""

    id: Serial  # added by Piccolo; declared for the type checker
    organisation = ForeignKey(Organisation, on_delete=OnDelete.restrict, null=False)
    account_name = Varchar(length=200, null=False)  # 户名; must be the organisation's own name
    bank_name = Varchar(length=200, null=False)  # 开户行
    account_number = Varchar(length=40, null=False)
    status = Varchar(length=16, null=False, default="pending")  # workflows.agreements.BANK_ACCOUNT
    requested_by = ForeignKey(BaseUser, on_delete=OnDelete.restrict, null=True, default=None)
    verified_by = ForeignKey(BaseUser, on_delete=OnDelete.restrict, null=True, default=None)
    verified_at = Timestamptz(null=True, default=None)
    decision_reason = Text(default="")
    # The organisation's district: district officers verify accounts of their own district's organisations.
    scope_district = Varchar(length=16, choices=District, null=True, default=None)
    created_at = Timestamptz()
