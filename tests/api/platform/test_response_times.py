"""Every datetime in every response is Beijing time (+08:00), whichever route, schema or plain dict carries it."""

from __future__ import annotations

import json
import re
import typing
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from litestar import Litestar
from litestar.handlers import HTTPRouteHandler
from litestar.serialization import get_serializer
from polyfactory.factories.pydantic_factory import ModelFactory
from pydantic import BaseModel

from app.site.demo import DEMO_LOGINS

ISO_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")
MOMENT = datetime(2026, 12, 1, 2, 30, tzinfo=UTC)  # as asyncpg hands back a timestamptz


def _types_in(annotation: Any) -> Iterator[Any]:
    yield annotation
    for argument in typing.get_args(annotation):
        yield from _types_in(argument)


def _models_in(annotation: Any) -> set[type[BaseModel]]:
    return {t for t in _types_in(annotation) if isinstance(t, type) and issubclass(t, BaseModel)}


def _datetime_paths(
    model: type[BaseModel], prefix: tuple[str, ...] = (), inside: tuple[type[BaseModel], ...] = ()
) -> set[tuple[str, ...]]:
    """Every path to a datetime; a model met again inside itself (a lineage tree) is not walked twice."""
    paths: set[tuple[str, ...]] = set()
    for name, field in model.model_fields.items():
        for kind in _types_in(field.annotation):
            if kind is datetime:
                paths.add((*prefix, name))
            elif isinstance(kind, type) and issubclass(kind, BaseModel) and kind not in (*inside, model):
                paths |= _datetime_paths(kind, (*prefix, name), (*inside, model))
    return paths


def _contains_itself(model: type[BaseModel], inside: tuple[type[BaseModel], ...] = ()) -> bool:
    for field in model.model_fields.values():
        for kind in _types_in(field.annotation):
            if isinstance(kind, type) and issubclass(kind, BaseModel):
                if kind in (*inside, model) or _contains_itself(kind, (*inside, model)):
                    return True
    return False


def _datetime_values(value: Any, prefix: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], str]]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _datetime_values(item, (*prefix, str(key)))
    elif isinstance(value, list):
        for item in value:
            yield from _datetime_values(item, prefix)
    elif isinstance(value, str) and ISO_DATETIME.match(value):
        yield prefix, value


def _response_models(app: Litestar) -> dict[type[BaseModel], HTTPRouteHandler]:
    models: dict[type[BaseModel], HTTPRouteHandler] = {}
    for route in app.routes:
        for handler in getattr(route, "route_handlers", []):
            if isinstance(handler, HTTPRouteHandler):
                for model in _models_in(handler.parsed_fn_signature.return_type.annotation):
                    models.setdefault(model, handler)
    return models


def _example(model: type[BaseModel], min_items: int = 1, max_items: int = 2) -> BaseModel:
    """An instance with every optional field and at least one list item filled, every datetime the UTC ``MOMENT``.
    A model that contains itself (a lineage tree) cannot have an item in every list: it gets 0 or 1 per list."""
    factory = type(
        f"{model.__name__}Factory",
        (ModelFactory,),
        {
            "__model__": model,
            "__allow_none_optionals__": False,
            "__randomize_collection_length__": True,
            "__min_collection_length__": min_items,
            "__max_collection_length__": max_items,
            "get_provider_map": classmethod(lambda cls: {**ModelFactory.get_provider_map(), datetime: lambda: MOMENT}),
        },
    )
    try:
        return typing.cast(BaseModel, factory.build())
    except RecursionError:
        if min_items == 0:
            raise
        return _example(model, 0, 1)


def test_every_datetime_field_of_every_response_model_is_beijing_time(app: Litestar) -> None:
    models = _response_models(app)
    checked: list[str] = []
    for model, handler in models.items():
        expected = _datetime_paths(model)
        if not expected:
            continue
        # Rendered exactly as a route renders it: the handler's response class and type encoders.
        example = _example(model)
        response = handler.resolve_response_class()(example)
        body = response.render(example, "application/json", get_serializer(handler.resolve_type_encoders()))
        found = dict(_datetime_values(json.loads(body)))
        if _contains_itself(model):
            # A tree's example has 0 or 1 items per list, so its nested levels vary: every datetime it has must still
            # be in Beijing time (checked below), and the top-level ones are all there.
            assert {path for path in expected if len(path) == 1} <= set(found), (model.__name__, found, expected)
        else:
            assert set(found) == expected, (model.__name__, found, expected)
        for path, text in found.items():
            assert text == "2026-12-01T10:30:00+08:00", (model.__name__, path, text)
        checked.append(model.__name__)
    # The fields the issue saw in UTC are among them (review, agreement, bank account, conflict).
    assert {"ExpertAssignmentView", "AgreementRead", "BankAccountRead", "ConflictRead"} <= set(checked), checked
    assert len(checked) >= 15, checked


def test_plain_dict_responses_are_converted_too(app: Litestar) -> None:
    from app.responses import BeijingTimeResponse

    nested = {"drawn_at": MOMENT, "items": [{"at": MOMENT.replace(tzinfo=None)}], "tuple": (MOMENT,)}
    body = json.loads(BeijingTimeResponse(nested).render(nested, "application/json"))
    assert body == {
        "drawn_at": "2026-12-01T10:30:00+08:00",
        "items": [{"at": "2026-12-01T10:30:00+08:00"}],
        "tuple": ["2026-12-01T10:30:00+08:00"],
    }
    handlers = [h for r in app.routes for h in getattr(r, "route_handlers", []) if isinstance(h, HTTPRouteHandler)]
    assert {h.resolve_response_class() for h in handlers} == {BeijingTimeResponse}


def _route_tables() -> dict[str, Any]:
    from app.organisations.tables import Organisation
    from programmes.agreements.tables import Agreement
    from programmes.attachments.tables import Attachment
    from programmes.exports.tables import ExportJob
    from programmes.payees.tables import BankAccount
    from programmes.reports.tables import ProgressReport
    from programmes.tables import Application, Award, Clawback, PaymentBatch, Round
    from scoring.tables import ReviewAssignment

    return {
        "agreement_id": Agreement,
        "application_id": Application,
        "attachment_id": Attachment,
        "award_id": Award,
        "account_id": BankAccount,
        "round_id": Round,
        "clawback_id": Clawback,
        "export_id": ExportJob,
        "organisation_id": Organisation,
        "batch_id": PaymentBatch,
        "report_id": ProgressReport,
        "assignment_id": ReviewAssignment,
    }


async def _login(client: httpx.AsyncClient, username: str, password: str) -> dict[str, str]:
    response = await client.post("/auth/login", json={"username": username, "password": password})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


@pytest.mark.usefixtures("db")
async def test_a_live_sample_of_responses_shows_beijing_time(app: Litestar, client: httpx.AsyncClient) -> None:
    from app.organisations.tables import Organisation
    from app.site.demo import load_demo

    assert await load_demo()
    headers = {u: await _login(client, u, p) for _, u, p in DEMO_LOGINS}
    officer = headers["officer"]
    # A conflict of interest, recorded and revoked, so its times are in the sample too.
    expert_id = (await client.get("/experts", headers=officer)).json()[0]["expert_id"]
    org = await Organisation.select(Organisation.id).first()
    assert org is not None
    conflict = await client.post(
        "/conflicts", headers=officer, json={"expert_id": expert_id, "organisation_id": org["id"], "reason": "曾任理事"}
    )
    assert conflict.status_code == 201, conflict.text
    revoke = f"/conflicts/{conflict.json()['id']}/revoke"
    revoked = await client.post(revoke, headers=officer, json={"reason": "已离任"})
    assert revoked.status_code == 200, revoked.text
    bodies: list[tuple[str, Any]] = [("POST /conflicts/revoke", revoked.json())]

    tables = _route_tables()
    ids = {}
    for name, table in tables.items():
        row = await table.select(table.id).order_by(table.id, ascending=False).first()
        if row is not None:
            ids[name] = row["id"]
    for route in app.routes:
        handlers = getattr(route, "route_handlers", [])
        if not any(isinstance(h, HTTPRouteHandler) and "GET" in h.http_methods for h in handlers):
            continue
        if route.path.startswith("/schema") or not set(route.path_parameters) <= ids.keys():
            continue
        path = re.sub(r"\{(\w+):\w+\}", lambda m: str(ids[m.group(1)]), route.path)
        for who in headers.values():
            response = await client.get(path, headers=who)
            if response.status_code == 200 and response.headers["content-type"].startswith("application/json"):
                bodies.append((path, response.json()))

    seen: dict[str, list[str]] = {}
    for path, body in bodies:
        for field, text in _datetime_values(body):
            assert text.endswith("+08:00"), (path, field, text)
            seen.setdefault(field[-1], []).append(path)
    expected = {"submitted_at", "signed_at", "countersigned_at", "verified_at", "created_at", "revoked_at", "opens_at"}
    assert expected <= seen.keys(), sorted(seen)
