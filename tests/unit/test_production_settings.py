"""In production the API and the worker refuse to start with the development JWT secret or the simulated bank."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from app.settings import DEFAULT_JWT_SECRET, ProductionConfigError, Settings, get_settings
from app.site.asgi import create_app
from app.site.worker import startup


@pytest.fixture
def production() -> Iterator[Settings]:
    settings = get_settings()
    saved = (settings.production, settings.jwt_secret, settings.payment_provider)
    settings.production = True
    yield settings
    settings.production, settings.jwt_secret, settings.payment_provider = saved


def test_production_with_both_defaults_names_both_settings(production: Settings) -> None:
    assert production.jwt_secret == DEFAULT_JWT_SECRET and production.payment_provider == "simulated"
    with pytest.raises(ProductionConfigError) as refused:
        create_app(with_admin=False, manage_pool=False)
    message = str(refused.value)
    assert "SEEDBED_JWT_SECRET" in message and "SEEDBED_PAYMENT_PROVIDER" in message


@pytest.mark.parametrize(
    ("secret", "provider", "named"),
    [
        ("a-long-random-production-secret-0123456789", "simulated", "SEEDBED_PAYMENT_PROVIDER"),
        (DEFAULT_JWT_SECRET, "bank_connector.gateway:Gateway", "SEEDBED_JWT_SECRET"),
    ],
)
async def test_the_worker_refuses_before_touching_the_bank_or_the_database(
    production: Settings, secret: str, provider: str, named: str
) -> None:
    production.jwt_secret, production.payment_provider = secret, provider
    ctx: dict[str, object] = {}
    with pytest.raises(ProductionConfigError, match=named):
        await startup(ctx)
    assert "payment_provider" not in ctx  # refused before the provider was built or the pool opened
    with pytest.raises(ProductionConfigError, match=named):
        create_app(with_admin=False, manage_pool=False)


def test_production_starts_once_both_are_set(production: Settings) -> None:
    production.jwt_secret = "a-long-random-production-secret-0123456789"
    production.payment_provider = "bank_connector.gateway:Gateway"
    create_app(with_admin=False, manage_pool=False)  # the API does not load the connector; the worker does


def test_development_keeps_its_defaults() -> None:
    assert Settings(production=False).production_problems() == []
    assert len(Settings(production=True).production_problems()) == 2
