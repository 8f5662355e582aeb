"""One list convention: every list endpoint pages.

A list route takes ``limit`` (default 50, at most 200) and ``offset`` through the ``paging`` dependency, orders by
a stable key ending in the primary key, and answers the page as a JSON array (so a client that reads the first
page sees exactly what it saw before paging existed) with the rest in headers:

- ``X-Total-Count``: how many rows match the filters;
- ``X-Has-More``: ``true`` when another page follows;
- ``Link: <…?offset=…&limit=…>; rel="next"`` when it does.

Services take a ``PageParams`` and return a ``Page``; controllers hand that to ``page_response``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Annotated, Any, Generic, TypeVar
from urllib.parse import urlencode

from litestar import Request
from litestar.di import NamedDependency
from litestar.params import Parameter
from piccolo.custom_types import Combinable
from piccolo.query import Select
from piccolo.table import Table

from app.responses import BeijingTimeResponse

DEFAULT_LIMIT = 50
MAX_LIMIT = 200
MAX_OFFSET = 1_000_000

T = TypeVar("T")


@dataclass(frozen=True)
class PageParams:
    limit: int = DEFAULT_LIMIT
    offset: int = 0

    def window(self, query: Select[Any]) -> Select[Any]:
        """Apply the page to an already ordered query."""
        return query.limit(self.limit).offset(self.offset)


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    total: int
    params: PageParams

    @property
    def has_more(self) -> bool:
        return self.params.offset + len(self.items) < self.total

    def map(self, items: Sequence[Any]) -> Page[Any]:
        """The same page holding other items (e.g. rows turned into read models)."""
        return Page(list(items), self.total, self.params)


async def provide_paging(
    limit: Annotated[int, Parameter(ge=1, le=MAX_LIMIT, description=f"每页条数（最多 {MAX_LIMIT}）")] = DEFAULT_LIMIT,
    offset: Annotated[int, Parameter(ge=0, le=MAX_OFFSET, description="跳过的条数")] = 0,
) -> PageParams:
    return PageParams(limit, offset)


async def fetch_page(
    table: type[Table], query: Select[Any], params: PageParams, *where: Combinable
) -> Page[dict[str, Any]]:
    """One page of an ordered ``query`` filtered by ``where``, plus the filtered total: two queries, whatever the
    page size. Read related rows for the whole page in one query afterwards, never one per row."""
    for condition in where:
        query = query.where(condition)
    rows = await params.window(query)
    total = await table.count().where(*where) if where else await table.count()
    return Page([dict(row) for row in rows], int(total), params)


def page_of(items: Sequence[T], params: PageParams) -> Page[T]:
    """Page a list already in memory (small, bounded collections such as a round's tracks)."""
    window = list(items[params.offset : params.offset + params.limit])
    return Page(window, len(items), params)


def page_headers(page: Page[Any], request: Request[Any, Any, Any]) -> dict[str, str]:
    """``X-Total-Count``, ``X-Has-More`` and (when another page follows) ``Link rel=next`` for ``page``."""
    headers = {"X-Total-Count": str(page.total), "X-Has-More": "true" if page.has_more else "false"}
    if page.has_more:
        query = {**dict(request.query_params), "offset": str(page.params.offset + page.params.limit)}
        following = request.url.with_replacements(query=urlencode(query))
        headers["Link"] = f'<{following}>; rel="next"'
    return headers


def page_response(page: Page[Any], request: Request[Any, Any, Any]) -> BeijingTimeResponse:
    return BeijingTimeResponse(content=page.items, headers=page_headers(page, request))


# Handlers declare ``paging: Paging``; the app provides it (app.site.asgi) from ``limit`` and ``offset``.
Paging = NamedDependency[PageParams]
