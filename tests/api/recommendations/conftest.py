from tests.factories.recommendation import stages  # noqa: F401 — pytest fixture
