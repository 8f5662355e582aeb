"""Fixtures of the 聚力计划 API tests."""

from tests.factories.matching_demand import demand_world  # noqa: F401 — pytest fixture
