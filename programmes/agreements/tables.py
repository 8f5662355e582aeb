"""资助协议: the agreement behind every award, signed by the organisation and countersigned by an officer."""

from __future__ import annotations

from piccolo.apps.user.tables import BaseUser
from piccolo.columns import JSONB, ForeignKey, OnDelete, Serial, Text, Timestamptz, Varchar
from piccolo.table import Table

from app.organisations.tables import Organisation
from app.reference import District
from programmes.payees.tables import BankAccount
from programmes.tables import Award


class Agreement(Table):
    id: Serial  # added by Piccolo; declared for the type checker
    award = ForeignKey(Award, on_delete=OnDelete.restrict, null=False, unique=True)
    status = Varchar(length=16, null=False, default="draft")  # workflows.agreements.AGREEMENT
    # The text both sides sign, generated from the award and its payment plan (frozen once signed).
    terms = Text(default="")
    payee = ForeignKey(Organisation, on_delete=OnDelete.restrict, null=False)
    # The payee's verified account when the agreement took effect (payments use the account verified at pay time).
    payee_account = ForeignKey(BankAccount, on_delete=OnDelete.restrict, null=True, default=None)
    # {ExpenseCategory: amount_fen}: the project budget that report expense lines are compared with.
    budget_plan = JSONB(default={})
    signed_by = ForeignKey(BaseUser, on_delete=OnDelete.restrict, null=True, default=None)
    signer_name = Varchar(length=100, default="")  # 法定代表人或授权签署人
    signed_at = Timestamptz(null=True, default=None)
    # Above the four-eyes amount the first officer's countersignature waits for a second, different officer's.
    first_countersigned_by = ForeignKey(BaseUser, on_delete=OnDelete.restrict, null=True, default=None)
    first_countersigned_at = Timestamptz(null=True, default=None)
    countersigned_by = ForeignKey(BaseUser, on_delete=OnDelete.restrict, null=True, default=None)
    countersigned_at = Timestamptz(null=True, default=None)
    scope_district = Varchar(length=16, choices=District, null=True, default=None)
    created_at = Timestamptz()
