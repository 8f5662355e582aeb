"""Fast-track invitations. The pre-filled support-plan draft is an ordinary ``Application``; this row is its link to
the contest application it came from (``origin_application``) and the mapping the officer declared."""

from __future__ import annotations

from piccolo.apps.user.tables import BaseUser
from piccolo.columns import JSONB, ForeignKey, OnDelete, Serial, Text, Timestamptz, Varchar
from piccolo.table import Table

from app.organisations.tables import Organisation
from app.reference import District
from programmes.tables import Application, Round


class FastTrackInvitation(Table):
    """One invitation of a contest winner into a support-plan round (one live one per winner and round: a partial
    unique index in the migration)."""

    id: Serial  # added by Piccolo; declared for the type checker
    origin_application = ForeignKey(Application, on_delete=OnDelete.restrict, null=False)
    round = ForeignKey(Round, on_delete=OnDelete.restrict, null=False)
    organisation = ForeignKey(Organisation, on_delete=OnDelete.restrict, null=False)
    # The support-plan draft created with the invitation (unique: one invitation per draft).
    application = ForeignKey(Application, on_delete=OnDelete.restrict, null=False, unique=True)
    # [{"source": "summary", "target": "project.summary"}, …] as checked against both forms.
    mapping = JSONB(default=[])
    status = Varchar(length=16, null=False, default="invited")
    message = Text(default="")  # the officer's note to the organisation
    reason = Text(default="")  # why it was declined or withdrawn
    invited_by = ForeignKey(BaseUser, on_delete=OnDelete.restrict, null=True, default=None)
    scope_district = Varchar(length=16, choices=District, null=True, default=None)  # the support-plan round's
    created_at = Timestamptz()
    answered_at = Timestamptz(null=True, default=None)
