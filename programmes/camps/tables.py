"""The camp tables. Every row carries ``scope_district`` (the district whose officers run the camp; empty for a
city camp), copied from the camp, as elsewhere. Part of these tables (attendance, check-in codes, feedback,
certificates) are written by the attendance room; their names are a contract."""

from __future__ import annotations

from piccolo.apps.user.tables import BaseUser
from piccolo.columns import (
    JSONB,
    Array,
    BigInt,
    Date,
    ForeignKey,
    Integer,
    OnDelete,
    Serial,
    SmallInt,
    Text,
    Time,
    Timestamptz,
    Varchar,
)
from piccolo.table import Table

from app.organisations.tables import EvaluationGrade, Organisation
from app.reference import District
from programmes.camps.kinds import CampAudience, CampKind
from programmes.tables import Edition
from programmes.workflows.camps import CampStatus, RegistrationStatus


class Camp(Table):
    id: Serial  # added by Piccolo; declared for the type checker
    edition = ForeignKey(Edition, on_delete=OnDelete.restrict, null=True, default=None)  # or it stands alone
    kind = Varchar(length=16, choices=CampKind, null=False)
    title = Varchar(length=200, null=False)
    description = Text(default="")
    audience = Varchar(length=16, choices=CampAudience, null=False)
    # For ``type_grade``: the organisation types admitted (empty: any) and the minimum grade (NULL: none needed).
    audience_org_types = Array(Varchar(length=32), default=[])
    audience_min_grade = Varchar(length=4, choices=EvaluationGrade, null=True, default=None)
    capacity = Integer(null=False)  # registrations (organisations), not participants
    max_participants_per_registration = SmallInt(default=3, null=False)
    # Completion: at least this percentage of the camp's sessions attended (the attendance room applies it).
    completion_min_percent = SmallInt(default=80, null=False)
    status = Varchar(length=16, choices=CampStatus, default=CampStatus.draft, null=False)
    scope_district = Varchar(length=16, choices=District, null=True, default=None)
    created_by = ForeignKey(BaseUser, on_delete=OnDelete.restrict, null=True, default=None)
    created_at = Timestamptz()


class CampSession(Table):
    id: Serial  # added by Piccolo; declared for the type checker
    camp = ForeignKey(Camp, on_delete=OnDelete.cascade, null=False)
    title = Varchar(length=200, null=False)
    session_date = Date(null=False)
    start_time = Time(null=False)  # Beijing time
    end_time = Time(null=False)
    place = Varchar(length=200, default="")
    online_link = Varchar(length=500, default="")
    capacity = Integer(null=True, default=None)  # seats in the room; NULL: the camp's capacity
    trainer = Varchar(length=100, null=False)
    scope_district = Varchar(length=16, choices=District, null=True, default=None)
    created_at = Timestamptz()


class CampMaterial(Table):
    """A file handed out for a camp (or one of its sessions). Bytes live in the storage backend."""

    id: Serial  # added by Piccolo; declared for the type checker
    camp = ForeignKey(Camp, on_delete=OnDelete.cascade, null=False)
    session = ForeignKey(CampSession, on_delete=OnDelete.set_null, null=True, default=None)
    storage_key = Varchar(length=300, null=False, unique=True)
    filename = Varchar(length=255, null=False)
    content_type = Varchar(length=100, null=False)
    size_bytes = BigInt(null=False)
    sha256 = Varchar(length=64, null=False)
    uploaded_by = ForeignKey(BaseUser, on_delete=OnDelete.restrict, null=True, default=None)
    scope_district = Varchar(length=16, choices=District, null=True, default=None)
    created_at = Timestamptz()


class CampRegistration(Table):
    """An organisation's registration; one live registration per camp and organisation (partial unique index)."""

    id: Serial  # added by Piccolo; declared for the type checker
    camp = ForeignKey(Camp, on_delete=OnDelete.restrict, null=False)
    organisation = ForeignKey(Organisation, on_delete=OnDelete.restrict, null=False)
    # Named participants: [{"name", "role", "mobile"}], 1..camp.max_participants_per_registration.
    participants = JSONB(default=[])
    status = Varchar(length=16, choices=RegistrationStatus, null=False)
    # Place in the wait list (1 = next to be promoted); NULL unless waitlisted.
    waitlist_position = Integer(null=True, default=None)
    promoted_at = Timestamptz(null=True, default=None)
    cancelled_at = Timestamptz(null=True, default=None)
    reason = Text(default="")  # why it was cancelled
    registered_by = ForeignKey(BaseUser, on_delete=OnDelete.restrict, null=True, default=None)
    scope_district = Varchar(length=16, choices=District, null=True, default=None)
    created_at = Timestamptz()


class SessionAttendance(Table):
    """A registration's presence at one session: by check-in code, or set by an officer with a reason."""

    id: Serial  # added by Piccolo; declared for the type checker
    registration = ForeignKey(CampRegistration, on_delete=OnDelete.cascade, null=False)
    session = ForeignKey(CampSession, on_delete=OnDelete.cascade, null=False)
    checked_in_at = Timestamptz(null=True, default=None)
    corrected_by = ForeignKey(BaseUser, on_delete=OnDelete.restrict, null=True, default=None)
    reason = Text(default="")
    scope_district = Varchar(length=16, choices=District, null=True, default=None)
    created_at = Timestamptz()


class SessionCheckinCode(Table):
    """A short-lived code the trainer shows; only its SHA-256 is stored."""

    id: Serial  # added by Piccolo; declared for the type checker
    session = ForeignKey(CampSession, on_delete=OnDelete.cascade, null=False)
    code_hash = Varchar(length=64, null=False)
    valid_from = Timestamptz(null=False)
    valid_until = Timestamptz(null=False)
    created_by = ForeignKey(BaseUser, on_delete=OnDelete.restrict, null=True, default=None)
    scope_district = Varchar(length=16, choices=District, null=True, default=None)
    created_at = Timestamptz()


class SessionFeedback(Table):
    id: Serial  # added by Piccolo; declared for the type checker
    session = ForeignKey(CampSession, on_delete=OnDelete.cascade, null=False)
    registration = ForeignKey(CampRegistration, on_delete=OnDelete.cascade, null=False)
    rating = SmallInt(null=False)  # 1..5
    comment = Text(default="")
    scope_district = Varchar(length=16, choices=District, null=True, default=None)
    created_at = Timestamptz()


class CampCertificate(Table):
    id: Serial  # added by Piccolo; declared for the type checker
    registration = ForeignKey(CampRegistration, on_delete=OnDelete.restrict, null=False, unique=True)
    verification_code = Varchar(length=32, null=False, unique=True)
    issued_at = Timestamptz(null=False)
    scope_district = Varchar(length=16, choices=District, null=True, default=None)
    created_at = Timestamptz()
