"""The ``seedbed`` command line: migrations, accounts, demo data, and the local runner."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections.abc import Awaitable, Callable
from typing import Any

import asyncpg
import typer

os.environ.setdefault("PICCOLO_CONF", "app.piccolo_conf")

cli = typer.Typer(help="Seedbed 社会组织项目管理", no_args_is_help=True, add_completion=False)


def _with_pool(work: Callable[[], Awaitable[Any]]) -> Any:
    async def runner() -> Any:
        from app.db import close_pool, open_pool

        await open_pool(1, 2)
        try:
            return await work()
        finally:
            await close_pool()

    return asyncio.run(runner())


@cli.command()
def migrate() -> None:
    """Apply every pending Piccolo migration (all apps) as the owner, then create and grant the app's role."""
    from app.db_roles import RoleSetupError, provision_app_role
    from app.settings import get_settings

    result = subprocess.run(  # noqa: S603 — fixed argv, our own interpreter
        [sys.executable, "-m", "piccolo.main", "migrations", "forwards", "all"],
        env={**os.environ, "PICCOLO_CONF": "app.piccolo_conf_owner"},
        capture_output=True,
        text=True,
    )
    if result.returncode != 0 or "Error" in result.stdout:
        typer.echo(result.stdout + result.stderr, err=True)
        raise typer.Exit(1)
    typer.echo("migrations applied")
    try:
        role = asyncio.run(provision_app_role(get_settings()))
    except (RoleSetupError, OSError, asyncpg.PostgresError) as exc:
        typer.echo(f"database role setup failed: {exc}", err=True)
        raise typer.Exit(1) from exc
    typer.echo(f"app role {role} granted" if role else "app connects as the owner (SEEDBED_APP_DB_ROLE empty)")


EMAIL_OPTION = typer.Option(None, help="e-mail for notices and password resets")
MOBILE_OPTION = typer.Option(None, help="CN mobile, 11 digits")


def _create(
    role: str, username: str, password: str, district: str | None, email: str | None = None, mobile: str | None = None
) -> None:
    from pydantic import TypeAdapter, ValidationError

    from app.auth.contact import Email, Mobile
    from app.auth.service import create_account
    from app.auth.tables import Role
    from app.errors import DomainError
    from app.reference import District
    from app.validation_messages import pydantic_error

    try:  # the same validation as registration and the API
        email = TypeAdapter(Email | None).validate_python(email)
        mobile = TypeAdapter(Mobile | None).validate_python(mobile)
    except ValidationError as exc:
        problem = pydantic_error(exc.errors()[0])  # the API's words, chosen by error type
        typer.echo(f"invalid contact details: {problem['message']}", err=True)
        raise typer.Exit(1) from exc

    async def work() -> int:
        return await create_account(
            username=username,
            password=password,
            role=Role(role),
            district=District(district) if district else None,
            email=email,
            mobile=mobile,
        )

    try:
        user_id = _with_pool(work)
    except DomainError as exc:
        typer.echo(f"{exc.code}: {exc.detail}", err=True)
        raise typer.Exit(1) from exc
    typer.echo(f"created {role} {username} (user id {user_id})")


@cli.command("create-admin")
def create_admin(
    username: str,
    password: str = typer.Option(..., prompt=True, hide_input=True),
    email: str | None = EMAIL_OPTION,
    mobile: str | None = MOBILE_OPTION,
) -> None:
    """Create a system administrator (admin panel superuser)."""
    _create("admin", username, password, None, email, mobile)


@cli.command("create-officer")
def create_officer(
    username: str,
    password: str = typer.Option(..., prompt=True, hide_input=True),
    district: str | None = typer.Option(None, help="区 slug (e.g. changning); omit for a city-level officer"),
    email: str | None = EMAIL_OPTION,
    mobile: str | None = MOBILE_OPTION,
) -> None:
    """Create a programme officer (city-level, or scoped to one district)."""
    _create("officer", username, password, district, email, mobile)


@cli.command("create-expert")
def create_expert(
    username: str,
    password: str = typer.Option(..., prompt=True, hide_input=True),
    email: str | None = EMAIL_OPTION,
    mobile: str | None = MOBILE_OPTION,
) -> None:
    """Create an expert judge (评审专家)."""
    _create("expert", username, password, None, email, mobile)


@cli.command()
def demo() -> None:
    """Load demo data into an empty database and print the logins."""
    from app.site.demo import DEMO_LOGINS, load_demo

    loaded = _with_pool(load_demo)
    typer.echo("demo data loaded" if loaded else "database not empty: demo data left as it is")
    for role, username, password in DEMO_LOGINS:
        typer.echo(f"  {role:<10} {username:<12} {password}")


@cli.command()
def run() -> None:
    """Serve API + admin + worker (embedded PostgreSQL/Redis when none is configured or running)."""
    from app.settings import get_settings
    from app.site.runner import run as run_all

    raise typer.Exit(run_all(get_settings()))


@cli.command()
def reconcile() -> None:
    """Reconcile ledger, tranches and the payment provider's records (对账); exit code 1 on any discrepancy."""
    from programmes.disbursements.reconciliation import ReconciliationReport
    from programmes.disbursements.reconciliation import reconcile as run_reconciliation

    report: ReconciliationReport = _with_pool(run_reconciliation)
    typer.echo(report.summary())
    for line in report.lines():
        typer.echo(line)
    if not report.ok:
        raise typer.Exit(1)


@cli.command("import-registry")
def import_registry(
    file: str = typer.Argument(..., help="登记名录 xlsx 或 CSV（UTF-8/GBK）；列见 docs/operations.md"),
) -> None:
    """Import the 社会组织 registry: set verified facts by credit code, list rows that don't match (exit 1 if any)."""
    from pathlib import Path

    from app.organisations.registry_file import RegistryFileError
    from app.organisations.registry_import import ImportReport
    from app.organisations.registry_import import import_registry as run_import

    path = Path(file)
    try:
        content = path.read_bytes()
    except OSError as exc:
        typer.echo(f"无法读取文件 {file}：{exc.strerror}", err=True)
        raise typer.Exit(2) from exc

    async def work() -> ImportReport:
        return await run_import(content, source_name=path.name)

    try:
        report: ImportReport = _with_pool(work)
    except RegistryFileError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2) from exc
    for line in report.lines():
        typer.echo(line)
    if report.problems:
        raise typer.Exit(1)


def main() -> None:
    cli()


if __name__ == "__main__":
    main()
