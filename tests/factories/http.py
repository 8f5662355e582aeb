"""Assertions on HTTP answers shared by the API tests: a JSON body, a problem document, a refusal."""

from __future__ import annotations

from typing import Any

import httpx


def ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


def problem(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = response.json()
    assert body["code"] == code and body["detail"], body
    return body


def refused(response: httpx.Response, status: int, code: str, field: str | None = None) -> None:
    assert response.status_code == status, response.text
    body = response.json()
    assert body["code"] == code or any(e["code"] == code for e in body["errors"]), body
    if field is not None:
        assert any(e["field"].split(".")[0] == field for e in body["errors"]), body


def assert_problem(response: httpx.Response, status: int | None = None) -> dict[str, Any]:
    assert 400 <= response.status_code < 500, response.text
    if status is not None:
        assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert {"type", "title", "status", "detail", "code", "errors"} <= body.keys()
    assert body["status"] == response.status_code
    assert any("\u4e00" <= ch <= "\u9fff" for ch in body["detail"]), body["detail"]  # zh-CN text
    return body
