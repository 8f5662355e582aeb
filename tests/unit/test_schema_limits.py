"""Every request schema (API bodies and admin forms) fits the columns its values are stored in.

Walks the app's route table and the admin forms rather than a hand list, so a new schema is checked the day it
is added. A text longer than its column, or than the audit column a reason is copied into, used to end in
``StringDataRightTruncationError`` (500); an id beyond ``integer`` in "value out of int32 range" (500).
"""

from __future__ import annotations

import types
import typing
from collections.abc import Iterator
from typing import Any

import pytest
from annotated_types import Ge, Gt, Le, MaxLen
from litestar.handlers import HTTPRouteHandler
from piccolo.columns import Varchar
from piccolo.conf.apps import Finder
from pydantic import BaseModel
from pydantic.fields import FieldInfo

from app.audit import AuditEntry
from app.types import ID_MAX, RequestModel

# Text fields stored in a ``text`` column and never copied into the audit reason, with where they go.
LONG_TEXT = {
    "ProgrammeCreate.description": "Programme.description (text)",
    "ReviewDraft.comment": "Review.comment (text)",
    "ProgrammeUpdate.description": "Programme.description (text)",
    "ProgrammeForm.description": "Programme.description (text)",
    "RoundSettingsForm.eligibility_rules": "admin form JSON text, parsed into Round.eligibility_rules (jsonb)",
    "FormVersionForm.form_schema": "admin form JSON Schema text, checked by check_form_schema into FormVersion (jsonb)",
    "RoundCreateForm.form_schema": "admin form JSON Schema text, checked by check_form_schema into FormVersion (jsonb)",
    "ProgrammeCreateForm.description": "Programme.description (text)",
    "RoundSettingsForm.criteria": "admin form JSON text, parsed into Criterion rows (each checked by CriterionIn)",
    "RoundSettingsForm.tracks": "admin form JSON text, parsed into TrackChange items (each checked)",
    "OrganisationClaimCreate.evidence": "OrganisationClaim.evidence (text); not copied into the audit log",
    "RegistryImportForm.content": "admin form CSV text, parsed into registry rows (each cell checked, registry_file)",
    "CasePromote.summary": "MatchingCase.summary (text); not copied into the audit log",
    "CasePromote.outcomes": "MatchingCase.outcomes (text); not copied into the audit log",
    "PromoteCase.summary": "admin form of CasePromote.summary (MatchingCase.summary, text)",
    "PromoteCase.outcomes": "admin form of CasePromote.outcomes (MatchingCase.outcomes, text)",
    "DemandWrite.description": "Demand.description (text); never an audit reason",
}
# Normalised before storing, so the stored value is shorter than what may be typed.
NORMALISED = {
    "OrganisationRegistration.credit_code": "18 characters after the check (credit_code.py), spaces removed",
    "BankAccountCreate.account_number": "8–32 digits after spaces are removed (payees/service.py)",
    "LoginRequest.password": "never stored; compared with the hash",
    "OrganisationRegistration.password": "stored as a PBKDF2 hash",
    "ExpertInvitation.initial_password": "stored as a PBKDF2 hash",
    "RefreshRequest.refresh_token": "never stored; verified as a signed token",
    "OrganisationCorrection.credit_code": "18 characters after the check (credit_code.py), spaces removed",
    "OrganisationForm.credit_code": "18 characters after the check (credit_code.py), spaces removed",
    "OrganisationClaimCreate.credit_code": "18 characters after the check (credit_code.py), spaces removed",
    "PasswordResetConfirm.token": "never stored; compared with the stored SHA-256 of the code",
    "InvitationAccept.code": "never stored; compared with the stored SHA-256 of the code",
    "ApplicationsAction.application_ids": "admin form text, parsed into ids (parse_ids)",
    "ApplicationsScreen.application_ids": "admin form text, parsed into ids (parse_ids)",
    "BatchBuild.tranche_ids": "admin form text, parsed into ids (parse_ids)",
}


def _route_models() -> set[type[BaseModel]]:
    from app.site.asgi import create_app

    app = create_app(with_admin=False, manage_pool=False)
    found: set[type[BaseModel]] = set()
    for route in app.routes:
        for handler in getattr(route, "route_handlers", []):
            if isinstance(handler, HTTPRouteHandler) and "data" in handler.parsed_fn_signature.parameters:
                found |= set(_models_in(handler.parsed_fn_signature.parameters["data"].annotation))
    return found


def _admin_models() -> set[type[BaseModel]]:
    from app.admin import FORMS

    # The very list build_admin() mounts.
    return {form.pydantic_model for form in FORMS}


def _models_in(annotation: Any) -> Iterator[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        yield annotation
        for info in annotation.model_fields.values():
            yield from _models_in(info.annotation)
    for arg in typing.get_args(annotation):
        yield from _models_in(arg)


def _all_request_models() -> list[type[BaseModel]]:
    models: set[type[BaseModel]] = set()
    for model in _route_models() | _admin_models():
        models |= set(_models_in(model))
    return sorted(models, key=lambda m: m.__name__)


def _varchar_lengths(model: type[BaseModel]) -> dict[str, list[tuple[str, int]]]:
    """Varchar columns by name: of the tables the model is named after (FundSourceCreate → FundSource), else all."""
    tables = Finder().get_table_classes()
    own = [t for t in tables if model.__name__.startswith(t.__name__)]
    by_name: dict[str, list[tuple[str, int]]] = {}
    for table in own or tables:
        for column in table._meta.columns:
            if isinstance(column, Varchar):
                by_name.setdefault(column._meta.name, []).append((table.__name__, column.length))
    return by_name


def _is_text(annotation: Any) -> bool:
    if annotation is str:
        return True
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        return str in typing.get_args(annotation)
    return False


def _is_int(annotation: Any) -> bool:
    args = typing.get_args(annotation) if typing.get_origin(annotation) in (typing.Union, types.UnionType) else ()
    return annotation is int or int in args


ATTRIBUTE = {MaxLen: "max_length", Ge: "ge", Gt: "gt", Le: "le"}


def _bound(info: FieldInfo, kind: type[Any]) -> Any:
    return next((getattr(m, ATTRIBUTE[kind]) for m in info.metadata if isinstance(m, kind)), None)


MODELS = _all_request_models()


def test_the_walk_finds_the_schemas_that_used_to_overflow() -> None:
    names = {m.__name__ for m in MODELS}
    assert {"EligibilityOverride", "OfficerAction", "ClawbackCreate", "ObjectionResolve", "ApplicationsAction"} <= names
    assert len(MODELS) > 40


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_every_request_model_refuses_unknown_fields_and_nul(model: type[BaseModel]) -> None:
    assert issubclass(model, RequestModel), f"{model.__name__} should derive from app.types.RequestModel"


def _labelled_choice(info: Any) -> bool:
    """An admin form's labelled choice (app.admin.config_fields.choice): only its listed Chinese labels are accepted,
    and each is stored as the code behind it (``pick``), never as typed."""
    extra = info.json_schema_extra
    return isinstance(extra, dict) and isinstance(extra.get("enum"), list) and "choices" in (extra.get("extra") or {})


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_text_limits_fit_their_columns_and_the_audit_reason(model: type[BaseModel]) -> None:
    columns = _varchar_lengths(model)
    audit_limit = AuditEntry.reason.length
    for name, info in model.model_fields.items():
        if not _is_text(info.annotation):
            continue
        key = f"{model.__name__}.{name}"
        limit = _bound(info, MaxLen)
        assert limit is not None, f"{key} has no max_length"
        if key in NORMALISED or _labelled_choice(info):
            continue
        for table, length in columns.get(name, []):
            assert limit <= length, f"{key} accepts {limit} characters, {table}.{name} holds {length}"
        if key not in LONG_TEXT:
            # Reasons, findings and resolutions are copied into the audit log's reason column.
            assert limit <= audit_limit, f"{key} accepts {limit}, more than AuditEntry.reason ({audit_limit})"


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_ids_and_numbers_are_bounded(model: type[BaseModel]) -> None:
    for name, info in model.model_fields.items():
        key = f"{model.__name__}.{name}"
        annotation = info.annotation
        if typing.get_origin(annotation) is list:
            annotation = typing.get_args(annotation)[0]
            # list[Id]: the bounds sit on the item type
            info = FieldInfo.from_annotation(annotation)
        if not _is_int(annotation):
            continue
        if typing.get_origin(annotation) in (typing.Union, types.UnionType):
            inner = next(a for a in typing.get_args(annotation) if a is not type(None))
            info = FieldInfo.merge_field_infos(FieldInfo.from_annotation(inner), info)
        upper = _bound(info, Le)
        lower = _bound(info, Ge) if _bound(info, Ge) is not None else _bound(info, Gt)
        assert upper is not None and lower is not None, f"{key} is an unbounded integer"
        if name.endswith("_id") or name.endswith("_ids"):
            assert (lower, upper) == (1, ID_MAX), f"{key} should be app.types.Id (or FormId in admin forms)"
        else:
            assert upper <= 2**63 - 1, key
