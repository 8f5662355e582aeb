"""Payment providers. Seedbed talks to a bank or treasury only through ``PaymentProvider``.

The simulated provider stands in for the bank: it keeps its own records in ``simulated_transfer`` on a separate
connection (outside Seedbed's transaction, as a real bank would be), and honours the idempotency key, so
asking it twice to pay the same tranche returns the first transfer instead of paying again.
"""

from __future__ import annotations

import importlib
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

import asyncpg

if TYPE_CHECKING:
    from app.settings import Settings


class PaymentRejected(Exception):
    """The provider refused this transfer for good (e.g. a closed account). Transient errors raise anything else
    and are retried by the job; a rejection marks the item and its tranche ``failed`` for an officer to act on."""


@dataclass(frozen=True)
class PayeeAccount:
    """Where the money goes: the payee's officer-verified bank account."""

    name: str  # 户名
    bank_name: str
    account_number: str


@dataclass(frozen=True)
class TransferReceipt:
    reference: str
    already_done: bool


class PaymentProvider(Protocol):
    async def transfer(self, *, idempotency_key: str, payee: PayeeAccount, amount_fen: int) -> TransferReceipt: ...


class SimulatedProvider:
    def __init__(self, dsn: str, rejected_payees: frozenset[str] = frozenset()) -> None:
        self._dsn = dsn
        # Payees this simulated bank refuses, so failure handling can be exercised end to end.
        self._rejected_payees = rejected_payees
        self._pool: asyncpg.Pool | None = None

    async def _connection_pool(self) -> asyncpg.Pool:
        if self._pool is None:
            self._pool = await asyncpg.create_pool(self._dsn, min_size=1, max_size=2)
        return self._pool

    async def transfer(self, *, idempotency_key: str, payee: PayeeAccount, amount_fen: int) -> TransferReceipt:
        if payee.name in self._rejected_payees:
            raise PaymentRejected(f"收款账户异常：{payee.name}")
        pool = await self._connection_pool()
        reference = f"SIM-{uuid.uuid4().hex[:12].upper()}"
        async with pool.acquire() as connection:
            inserted = await connection.fetchval(
                "INSERT INTO simulated_transfer"
                " (idempotency_key, payee_name, account_number, amount_fen, reference, created_at)"
                " VALUES ($1, $2, $3, $4, $5, now()) ON CONFLICT (idempotency_key) DO NOTHING RETURNING reference",
                idempotency_key,
                payee.name,
                payee.account_number,
                amount_fen,
                reference,
            )
            if inserted is not None:
                return TransferReceipt(str(inserted), already_done=False)
            existing = await connection.fetchval(
                "SELECT reference FROM simulated_transfer WHERE idempotency_key = $1", idempotency_key
            )
            return TransferReceipt(str(existing), already_done=True)

    async def close(self) -> None:
        if self._pool is not None:
            await self._pool.close()
            self._pool = None


class ProviderConfigError(RuntimeError):
    """``SEEDBED_PAYMENT_PROVIDER`` names no usable provider: the worker refuses to start rather than guess."""


def build_provider(settings: Settings) -> PaymentProvider:
    """The provider ``settings.payment_provider`` names: ``simulated``, or ``package.module:ClassName`` of a class
    constructed with the settings (it reads its own connection details from them or from its own environment)."""
    name = settings.payment_provider.strip()
    if name == "simulated":
        from app.db_roles import app_database_url

        # The simulated bank writes its own table, as the app role like everything else in the worker.
        return SimulatedProvider(app_database_url(settings))
    module_name, _, class_name = name.partition(":")
    if not module_name or not class_name:
        raise ProviderConfigError(
            f"SEEDBED_PAYMENT_PROVIDER={name!r}: expected 'simulated' or 'package.module:ClassName'"
        )
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise ProviderConfigError(f"SEEDBED_PAYMENT_PROVIDER={name!r}: cannot import {module_name}: {exc}") from exc
    factory = getattr(module, class_name, None)
    if factory is None or not callable(factory):
        raise ProviderConfigError(f"SEEDBED_PAYMENT_PROVIDER={name!r}: {module_name} has no class {class_name}")
    if not callable(getattr(factory, "transfer", None)):
        raise ProviderConfigError(f"SEEDBED_PAYMENT_PROVIDER={name!r}: {class_name} has no transfer() method")
    try:
        provider = factory(settings)
    except Exception as exc:
        raise ProviderConfigError(f"SEEDBED_PAYMENT_PROVIDER={name!r}: {class_name}(settings) failed: {exc}") from exc
    return provider  # type: ignore[no-any-return]
