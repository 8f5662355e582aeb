"""Fixtures of the 沪社星耀 incubation and camps API tests."""

from tests.factories.camps import camp_world  # noqa: F401 — pytest fixture
