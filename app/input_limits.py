"""Limits applied to every request before a handler sees it: path ids, query strings, JSON nesting, multipart parts.

Each of these used to reach a 500 (asyncpg int32 overflow, PostgreSQL refusing NUL, ``RecursionError`` in the JSON
decoder, ``StopIteration`` in Litestar's multipart extractor). They are enforced here once for all routes; per-field
rules stay in the schemas (``app.types``).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Annotated, Any

from litestar import Request
from litestar.connection import ASGIConnection
from litestar.datastructures import UploadFile
from litestar.enums import RequestEncodingType, ScopeType
from litestar.handlers import BaseRouteHandler
from litestar.params import Body
from litestar.types import ASGIApp, HTTPRequestEvent, Receive, ReceiveMessage, Scope, Send

from app.errors import GENERIC, PROBLEM_JSON, DomainError, FieldError
from app.problems import problem
from app.types import ID_MAX, ID_MIN

# Deeper than any form schema, answers or report we accept; msgspec would recurse ~1,000 levels and crash.
MAX_JSON_DEPTH = 64

_ESCAPES = re.compile(rb"\\.", re.DOTALL)
_STRINGS = re.compile(rb'"[^"]*"')
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")


def json_too_deep(body: bytes, limit: int = MAX_JSON_DEPTH) -> bool:
    """True if ``body`` nests arrays/objects more than ``limit`` levels (or its brackets do not balance).

    Linear and in C: escapes are dropped first, so strings no longer contain quotes or brackets; what is left of
    the document is its brackets, and each round of removing innermost pairs lowers every branch by one level.
    """
    brackets = _STRINGS.sub(b"", _ESCAPES.sub(b"", body)).translate(None, _NOT_BRACKETS)
    nested = brackets.replace(b"{", b"[").replace(b"}", b"]")
    for _ in range(limit):
        if not nested:
            return False
        shorter = nested.replace(b"[]", b"")
        if len(shorter) == len(nested):
            return True  # unbalanced: invalid JSON, refused before the decoder can recurse on it
        nested = shorter
    return bool(nested)


def _too_deep() -> DomainError:
    return DomainError(
        "json_too_deep",
        f"JSON 嵌套层级过深（最多 {MAX_JSON_DEPTH} 层）或括号不匹配",
        400,
        [FieldError("body", "json_too_deep", f"最多 {MAX_JSON_DEPTH} 层嵌套")],
    )


class BoundedRequest(Request[Any, Any, Any]):
    """The app's request class: JSON bodies are checked for nesting depth before they are decoded.

    The body size is already bounded by ``request_max_body_size`` (→ 413) when ``body()`` reads it.
    """

    async def json(self) -> Any:
        # body() is cached, and the scan is linear in C: checking again on a second json() call costs little.
        if json_too_deep(await self.body()):
            raise _too_deep()
        return await super().json()


def limit_json_bodies(app: ASGIApp, max_bytes: int) -> ASGIApp:
    """The same size and depth limits for a mounted ASGI app that parses JSON itself (Piccolo Admin's FastAPI,
    whose ``json.loads`` raises RecursionError → 500 on a deep body). The body is read, checked, then replayed.
    """

    async def guarded(scope: Scope, receive: Receive, send: Send) -> None:
        content_type = dict(scope.get("headers") or []).get(b"content-type", b"")
        if scope["type"] != ScopeType.HTTP or b"json" not in content_type.lower():
            await app(scope, receive, send)
            return
        body = bytearray()
        more = True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            body += chunk if isinstance(chunk, bytes) else b""
            more = bool(message.get("more_body", False))
            if len(body) > max_bytes:
                code, detail = GENERIC[413]
                await _send_problem(send, 413, code, detail, scope)
                return
        if json_too_deep(bytes(body)):
            error = _too_deep()
            await _send_problem(send, 400, error.code, error.detail, scope, [e.as_dict() for e in error.errors])
            return
        replayed = False

        async def replay() -> ReceiveMessage:
            nonlocal replayed
            if replayed:
                return await receive()
            replayed = True
            whole: HTTPRequestEvent = {"type": "http.request", "body": bytes(body), "more_body": False}
            return whole

        await app(scope, replay, send)

    return guarded


async def _send_problem(
    send: Send, status: int, code: str, detail: str, scope: Scope, errors: list[dict[str, str]] | None = None
) -> None:
    payload = json.dumps(problem(status, code, detail, errors, scope.get("path", "")).content, ensure_ascii=False)
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", PROBLEM_JSON.encode()),
                (b"content-length", str(len(payload.encode())).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": payload.encode(), "more_body": False})


async def bound_request_parameters(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    """App-wide guard, before authentication: ids in the path fit the ``integer`` column; no NUL in the query.

    Every ``{x:int}`` path parameter is a row id, so an id out of range names no row: 404, as any missing id.
    """
    for value in connection.path_params.values():
        if isinstance(value, int) and not ID_MIN <= value <= ID_MAX:
            raise DomainError("not_found", "资源不存在或无权访问", 404)
    for key, value in connection.query_params.items():
        if "\x00" in key or "\x00" in str(value):
            message = "不能包含空字符 (U+0000)"
            raise DomainError(
                "validation_failed", "提交的数据未通过校验", 422, [FieldError(key, "string_nul", message)]
            )


@dataclass
class FileUpload:
    """A multipart body with one file in the part named ``file``."""

    file: UploadFile


# Litestar's extractor for a bare ``UploadFile`` takes the first file part of any name and raises StopIteration
# (→ 500) when there is none; a named field makes a missing part a validation error naming ``file``.
FileUploadBody = Annotated[FileUpload, Body(media_type=RequestEncodingType.MULTI_PART)]
