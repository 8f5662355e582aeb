"""The app's response class: every JSON body leaves through one datetime serialiser (Beijing time, +08:00)."""

from __future__ import annotations

from typing import Any

from litestar import Response
from litestar.serialization import default_serializer
from litestar.types import Serializer
from pydantic import BaseModel

from app.timezone import in_beijing_time


class BeijingTimeResponse(Response[Any]):
    """Set as the app's ``response_class``: whatever a handler returns (a schema, a list, a dict) is rendered with
    its datetimes in Beijing time. msgspec writes datetimes natively, so a type encoder alone would never see them;
    converting the content just before encoding is the one place that sees every value."""

    def render(self, content: Any, media_type: str, enc_hook: Serializer = default_serializer) -> bytes:
        return super().render(in_beijing_time(content), media_type, enc_hook)


# For a model msgspec meets anyway (e.g. inside an explicit ``Response(...)``): the same conversion, not pydantic's
# JSON mode, which would write the UTC value as ``Z``.
TYPE_ENCODERS: dict[Any, Any] = {BaseModel: in_beijing_time}
