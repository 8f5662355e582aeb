"""Reconciliation (对账): a clean slice reconciles with nothing to report; every injected discrepancy is found.

The ledger is append-only (a trigger refuses UPDATE and DELETE), so discrepancies are injected the way a bug or a
careless manual fix would make them: by inserting rows, or by updating tranche, batch item, award, budget line and
transfer rows behind the services' back.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta

import asyncpg
import httpx
import pytest

from app.db import engine
from app.settings import get_settings
from programmes.awards.changes import cancel_award, reduce_award
from programmes.awards.schemas import AwardCreate
from programmes.disbursements.jobs import pay_batch
from programmes.disbursements.provider import PayeeAccount, SimulatedProvider
from programmes.disbursements.reconciliation import StatementLine, reconcile, simulated_statement
from programmes.disbursements.schemas import BatchCreate
from programmes.disbursements.service import approve_batch, create_batch
from programmes.ledger.tables import LedgerEntry
from programmes.tables import BudgetLine
from tests import factories
from tests.factories.money import budget_line, ranked_world
from tests.factories.owner import as_owner
from tests.factories.world import World


@dataclass
class Slice:
    line_id: int
    paid_award: int
    paid_tranche: int
    released_award: int
    released_tranche: int
    reduced_award: int
    cancelled_award: int
    paid_then_cancelled_award: int
    batch_id: int


async def build_slice(world: World) -> Slice:
    """Five awards on one budget line: paid, released, reduced, cancelled, and paid then cancelled."""
    ids = await ranked_world(world, extra_applications=4)
    officer = world.city_officer.principal
    line_id = await budget_line(world, 2_000_000)

    async def award(application_id: int, amount_fen: int) -> dict[str, int]:
        made = await factories.payable_award(
            officer, AwardCreate(application_id=application_id, budget_line_id=line_id, amount_fen=amount_fen)
        )
        return {"id": made["id"], "tranche": made["tranches"][0]["id"]}

    paid = await award(ids[0], 300_000)
    released = await award(ids[1], 200_000)
    reduced = await award(ids[2], 150_000)
    cancelled = await award(ids[3], 50_000)
    paid_then_cancelled = await award(ids[4], 80_000)
    await reduce_award(officer, reduced["id"], 100_000, "预算调整")
    await cancel_award(officer, cancelled["id"], "项目终止")
    batch = await create_batch(
        officer, BatchCreate(title="第一批", tranche_ids=[paid["tranche"], paid_then_cancelled["tranche"]])
    )
    await approve_batch(await factories.second_officer(officer), batch.id)
    provider = SimulatedProvider(get_settings().effective_database_url)
    try:
        assert await pay_batch(batch.id, provider) == {"paid": 2}
    finally:
        await provider.close()
    await cancel_award(officer, paid_then_cancelled["id"], "验收不合格，余款不再拨付")
    return Slice(
        line_id=line_id,
        paid_award=paid["id"],
        paid_tranche=paid["tranche"],
        released_award=released["id"],
        released_tranche=released["tranche"],
        reduced_award=reduced["id"],
        cancelled_award=cancelled["id"],
        paid_then_cancelled_award=paid_then_cancelled["id"],
        batch_id=batch.id,
    )


async def sql(statement: str, *args: object) -> None:
    await engine().run_ddl(statement.format(*args))


async def without_trigger(table: str, trigger: str, statement: str, *args: object) -> None:
    # Only the owner may disable a trigger; the app role cannot (which is the point of it).
    await as_owner(
        f"ALTER TABLE {table} DISABLE TRIGGER {trigger}",
        statement.format(*args),
        f"ALTER TABLE {table} ENABLE TRIGGER {trigger}",
    )


async def transfer(key: str, amount_fen: int, reference: str) -> None:
    await sql(
        "INSERT INTO simulated_transfer (idempotency_key, payee_name, amount_fen, reference, created_at)"
        " VALUES ('{}', '某某公司', {}, '{}', now())",
        key,
        amount_fen,
        reference,
    )


async def ledger(kind: str, award_id: int, line_id: int, tranche_id: int | None, amount_fen: int, key: str) -> None:
    await sql(
        "INSERT INTO ledger_entry (kind, award, budget_line, tranche, amount_fen, idempotency_key, created_at)"
        " VALUES ('{}', {}, {}, {}, {}, '{}', now())",
        kind,
        award_id,
        line_id,
        "NULL" if tranche_id is None else tranche_id,
        amount_fen,
        key,
    )


# Each injection and exactly the codes it must produce (subjects in brackets where it matters).
INJECTIONS: dict[str, tuple[Callable[[Slice], Awaitable[None]], list[str]]] = {
    "transfer_without_any_tranche": (
        lambda s: transfer("tranche:999999999", 12_345, "SIM-STRAY"),
        ["transfer_without_tranche"],
    ),
    "transfer_for_an_unpaid_tranche": (
        lambda s: transfer(f"tranche:{s.released_tranche}", 200_000, "SIM-EARLY"),
        ["transfer_without_paid_tranche"],
    ),
    "tranche_marked_paid_by_hand": (
        lambda s: sql("UPDATE tranche SET status = 'paid' WHERE id = {}", s.released_tranche),
        ["paid_tranche_without_disbursement", "paid_tranche_without_paid_item", "paid_tranche_without_transfer"],
    ),
    "bank_paid_a_different_amount": (
        lambda s: sql(
            "UPDATE simulated_transfer SET amount_fen = amount_fen + 1 WHERE idempotency_key = 'tranche:{}'",
            s.paid_tranche,
        ),
        ["transfer_amount_mismatch"],
    ),
    "tranche_amount_edited_after_payment": (
        lambda s: sql("UPDATE tranche SET amount_fen = 1 WHERE id = {}", s.paid_tranche),
        ["disbursement_amount_mismatch", "tranches_not_award_amount", "transfer_amount_mismatch"],
    ),
    "disbursement_written_for_an_unpaid_tranche": (
        lambda s: ledger("disbursement", s.released_award, s.line_id, s.released_tranche, 200_000, "manual:1"),
        ["disbursement_without_paid_tranche"],
    ),
    "disbursement_without_tranche_overpays_the_award": (
        lambda s: ledger("disbursement", s.paid_award, s.line_id, None, 1, "manual:2"),
        ["award_overdisbursed", "disbursement_without_paid_tranche"],
    ),
    "paid_tranche_put_back_in_batch": (
        lambda s: sql("UPDATE tranche SET status = 'in_batch' WHERE id = {}", s.paid_tranche),
        ["disbursement_without_paid_tranche", "paid_item_tranche_not_paid", "transfer_without_paid_tranche"],
    ),
    "batch_item_reference_edited": (
        lambda s: sql("UPDATE payment_batch_item SET provider_reference = 'SIM-OTHER' WHERE batch = {}", s.batch_id),
        ["item_reference_mismatch", "item_reference_mismatch"],
    ),
    "batch_item_failed_after_payment": (
        lambda s: sql(
            "UPDATE payment_batch_item SET status = 'failed' WHERE tranche = {}",
            s.paid_tranche,
        ),
        ["paid_tranche_without_paid_item"],
    ),
    "award_amount_edited": (
        lambda s: sql("UPDATE award SET amount_fen = 250000 WHERE id = {}", s.released_award),
        ["obligation_amount_mismatch", "tranches_not_award_amount"],
    ),
    "reversal_without_award_change": (
        lambda s: ledger("reversal", s.released_award, s.line_id, None, 1_000, "manual:3"),
        ["obligation_amount_mismatch"],
    ),
    "second_obligation": (
        lambda s: ledger("obligation", s.released_award, s.line_id, None, 1_000, "manual:4"),
        ["duplicate_obligation", "obligation_amount_mismatch"],
    ),
    "cancelled_award_keeps_its_money": (
        lambda s: sql("UPDATE award SET status = 'cancelled' WHERE id = {}", s.released_award),
        ["cancelled_award_not_released"],
    ),
    "budget_line_cut_below_obligations": (
        # The database refuses this cut (trigger budget_line_guard, tested below); reconciliation is the second
        # line of defence, so the injection goes around the trigger the way a superuser's manual fix could.
        lambda s: without_trigger(
            "budget_line", "budget_line_guard", "UPDATE budget_line SET amount_fen = 1000 WHERE id = {}", s.line_id
        ),
        ["budget_line_overobligated"],
    ),
}


async def test_a_clean_slice_reconciles(client: httpx.AsyncClient, world: World) -> None:
    slice_ = await build_slice(world)
    report = await reconcile()
    assert report.ok, report.lines()
    assert report.totals == {
        "paid_tranches": 2,
        "paid_fen": 380_000,
        "disbursed_fen": 380_000,
        "transfers": 2,
        "transferred_fen": 380_000,
        "awards": 5,
        "orders": 0,
        # 300,000 paid + 200,000 released + 100,000 after the reduction + 80,000 paid before the cancel
        "obligated_fen": 680_000,
        "refunded_fen": 0,
        "budget_lines": 1,
    }
    assert "对账无差异" in report.summary()
    assert report.as_dict()["discrepancies"] == []
    assert slice_.cancelled_award != slice_.paid_then_cancelled_award


@pytest.mark.parametrize("name", sorted(INJECTIONS))
async def test_an_injected_discrepancy_is_found(client: httpx.AsyncClient, world: World, name: str) -> None:
    slice_ = await build_slice(world)
    assert (await reconcile()).ok
    inject, expected = INJECTIONS[name]
    await inject(slice_)
    report = await reconcile()
    assert sorted(report.codes()) == sorted(expected), report.lines()
    assert all(d.message and d.subject for d in report.discrepancies)


async def test_a_payment_the_job_did_not_record_yet_is_reported_and_repaired_by_a_rerun(
    client: httpx.AsyncClient, world: World
) -> None:
    """The bank paid, the worker died before committing: reported as ``transfer_not_recorded``; the rerun records
    the bank's first transfer (same reference) and the books agree again."""
    slice_ = await build_slice(world)
    officer = world.city_officer.principal
    batch = await create_batch(officer, BatchCreate(title="第二批", tranche_ids=[slice_.released_tranche]))
    await approve_batch(await factories.second_officer(officer), batch.id)
    provider = SimulatedProvider(get_settings().effective_database_url)
    try:
        receipt = await provider.transfer(
            idempotency_key=f"tranche:{slice_.released_tranche}",
            payee=PayeeAccount("收款单位", "测试银行", "6222000000000001"),
            amount_fen=200_000,
        )
        report = await reconcile()
        assert report.codes() == ["transfer_not_recorded"]
        assert report.discrepancies[0].subject == f"tranche:{slice_.released_tranche}"
        assert receipt.reference in report.discrepancies[0].message
        assert await pay_batch(batch.id, provider) == {"paid": 1}
    finally:
        await provider.close()
    assert (await reconcile()).ok
    from programmes.disbursements.service import read_batch

    [item] = (await read_batch(batch.id)).items
    assert item.provider_reference == receipt.reference


async def test_a_batch_left_approved_with_pending_items_is_reported(client: httpx.AsyncClient, world: World) -> None:
    """A payment job that died for good (or failed) leaves its batch approved and its tranches unpaid."""
    slice_ = await build_slice(world)
    officer = world.city_officer.principal
    batch = await create_batch(officer, BatchCreate(title="无人支付的批次", tranche_ids=[slice_.released_tranche]))
    await approve_batch(await factories.second_officer(officer), batch.id)
    assert (await reconcile()).ok  # just approved: the job may still be on its way
    await sql("UPDATE payment_batch SET approved_at = now() - interval '2 hours' WHERE id = {}", batch.id)
    report = await reconcile()
    assert report.codes() == ["batch_stalled"]
    assert report.discrepancies[0].subject == f"payment_batch:{batch.id}"
    assert (await reconcile(stalled_after=timedelta(hours=3))).ok


async def test_a_real_bank_statement_plugs_in(client: httpx.AsyncClient, world: World) -> None:
    """Any async function returning ``StatementLine``s can stand for the bank; a duplicate payment shows up."""
    slice_ = await build_slice(world)
    lines = await simulated_statement()

    async def bank_statement() -> list[StatementLine]:
        duplicated = next(line for line in lines if line.idempotency_key == f"tranche:{slice_.paid_tranche}")
        return [*lines, StatementLine(duplicated.idempotency_key, duplicated.amount_fen, "BANK-0002")]

    report = await reconcile(bank_statement)
    assert report.codes() == ["duplicate_transfer"]
    assert "BANK-0002" in report.discrepancies[0].message

    async def empty_statement() -> list[StatementLine]:
        return []

    missing = await reconcile(empty_statement)
    assert missing.codes() == ["paid_tranche_without_transfer"] * 2


async def test_the_command_exits_1_and_prints_discrepancies(client: httpx.AsyncClient, world: World) -> None:
    slice_ = await build_slice(world)

    def command() -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "app.site.cli", "reconcile"],
            env=dict(os.environ),
            capture_output=True,
            text=True,
            timeout=60,
        )

    clean = command()
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert "对账无差异" in clean.stdout
    await transfer("tranche:999999998", 500, "SIM-STRAY")
    await sql("UPDATE tranche SET status = 'paid' WHERE id = {}", slice_.released_tranche)
    dirty = command()
    assert dirty.returncode == 1, dirty.stdout + dirty.stderr
    assert "[transfer_without_tranche] transfer:SIM-STRAY" in dirty.stdout
    assert f"[paid_tranche_without_disbursement] tranche:{slice_.released_tranche}" in dirty.stdout
    assert "发现 4 处差异" in dirty.stdout


async def test_the_daily_job_logs_an_error_with_the_report(
    client: httpx.AsyncClient, world: World, caplog: pytest.LogCaptureFixture
) -> None:
    from app.site.worker import WorkerSettings, reconcile_payments

    assert any(job.coroutine is reconcile_payments for job in WorkerSettings.cron_jobs)
    await build_slice(world)
    with caplog.at_level(logging.INFO, logger="app.site.worker"):
        clean = await reconcile_payments({})
    assert clean["ok"] is True
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    await transfer("tranche:999999997", 500, "SIM-STRAY")
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="app.site.worker"):
        dirty = await reconcile_payments({})
        again = await reconcile_payments({})  # read-only: a second run reports the same and changes nothing
    assert dirty["ok"] is False and [d["code"] for d in dirty["discrepancies"]] == ["transfer_without_tranche"]
    assert again["discrepancies"] == dirty["discrepancies"]
    errors = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert len(errors) == 2 and "[transfer_without_tranche] transfer:SIM-STRAY" in errors[0].getMessage()


async def test_the_database_refuses_overdrawing_a_budget_line(client: httpx.AsyncClient, world: World) -> None:
    """Behind the services' back: an obligation beyond the line, or a cut below its obligations, is refused by
    PostgreSQL itself (trigger guards), whatever code writes it."""
    slice_ = await build_slice(world)
    line = await BudgetLine.select(BudgetLine.amount_fen).where(BudgetLine.id == slice_.line_id).first()
    assert line is not None
    before = await LedgerEntry.count()
    with pytest.raises(asyncpg.exceptions.CheckViolationError, match="over-obligated"):
        await ledger("obligation", slice_.released_award, slice_.line_id, None, line["amount_fen"], "manual:overdraw")
    with pytest.raises(asyncpg.exceptions.CheckViolationError, match="cut below its obligations"):
        await sql("UPDATE budget_line SET amount_fen = 1000 WHERE id = {}", slice_.line_id)
    assert await LedgerEntry.count() == before
    assert (await reconcile()).ok
