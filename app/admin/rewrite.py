"""Rewriting a wrapped admin answer's body: the one buffer every ASGI wrapper that changes Piccolo's answers uses.

Masking (app.admin.masking), the Chinese labels (app.admin.localised) and the list export's script tag
(app.admin.list_export_button) each change a whole body. This holds the body until its last chunk, hands it to the
wrapper's transform and sends it on with a ``content-length`` that fits; other messages pass through unchanged.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

# (the response's start message, the whole body) → the body to send
BodyTransform = Callable[[dict[str, Any], bytes], Awaitable[bytes]]
_LENGTH = frozenset({b"content-length"})


def content_type(start: dict[str, Any]) -> bytes:
    return next((v for k, v in start.get("headers", []) if k.lower() == b"content-type"), b"")


async def rewrite_body(
    admin_app: Any,
    scope: dict[str, Any],
    receive: Any,
    send: Any,
    transform: BodyTransform,
    *,
    dropped: frozenset[bytes] = _LENGTH,
) -> None:
    """Run ``admin_app`` with its body rewritten by ``transform``; ``dropped`` headers (always the length) go."""
    start: dict[str, Any] = {}
    body: list[bytes] = []
    drop = dropped | _LENGTH

    async def capture(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            start.update(message)
            return
        if message["type"] != "http.response.body":
            await send(message)
            return
        body.append(message.get("body", b""))
        if message.get("more_body"):
            return
        data = await transform(start, b"".join(body))
        headers = [(k, v) for k, v in start.get("headers", []) if k.lower() not in drop]
        await send({**start, "headers": [*headers, (b"content-length", str(len(data)).encode())]})
        await send({"type": "http.response.body", "body": data})

    await admin_app(scope, receive, capture)
