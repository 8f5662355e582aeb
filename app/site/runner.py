"""The supervisor behind ``make run``: services, migrations, demo data, web server and worker in one go."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Collection
from urllib.parse import urlsplit

from app.embedded import ResolvedServices, port_answers, resolve_services
from app.settings import Settings

STOP_TIMEOUT = 10.0
# What each child process runs: the site's web app, worker and command line.
WEB_APP = "app.site.asgi:app"
WORKER = "app.site.worker.WorkerSettings"
CLI = "app.site.cli"


def run(settings: Settings) -> int:
    if port_answers(settings.host, settings.port):
        print(f"seedbed: {settings.host}:{settings.port} is in use; set SEEDBED_PORT.", file=sys.stderr)
        return 1
    # SIGTERM (docker stop, systemd, kill) takes the same path as Ctrl-C, so embedded services get stopped.
    previous = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    for sig in previous:
        signal.signal(sig, signal.default_int_handler)
    children: dict[str, subprocess.Popen[bytes]] = {}
    services: ResolvedServices | None = None
    try:
        services = resolve_services(settings)
        env = {**os.environ, "SEEDBED_DATABASE_URL": services.database_url, "SEEDBED_REDIS_URL": services.redis_url}
        for step in ("migrate", "demo"):
            code = subprocess.call([sys.executable, "-m", CLI, step], env=env)  # noqa: S603
            if code != 0:
                print(f"seedbed: `seedbed {step}` failed (exit status {code}); see above.", file=sys.stderr)
                return 1
        children["web server"] = _spawn(server_command(settings), env)
        children["worker"] = _spawn(["arq", WORKER], env)
        announced = False
        while True:
            for name, child in children.items():
                if (status := child.poll()) is not None:
                    print(f"seedbed: the {name} exited unexpectedly ({status}); stopping.", file=sys.stderr)
                    return 1
            # Announce only once the server accepts connections, so the URLs are not a promise.
            if not announced and port_answers(settings.host, settings.port):
                _banner(settings, services)
                announced = True
            time.sleep(0.3)
    except KeyboardInterrupt:
        print("\nseedbed: stopping…", file=sys.stderr)
        return 0
    except RuntimeError as exc:  # the embedded default explains itself; a traceback would not
        print(f"seedbed: {exc}", file=sys.stderr)
        return 1
    finally:
        # A second Ctrl-C must not cut the clean-up short and leave PostgreSQL running.
        for sig in previous:
            signal.signal(sig, signal.SIG_IGN)
        _terminate(list(children.values()))
        if services is not None:
            services.stop()
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def web_workers(settings: Settings) -> int:
    """Web server processes: ``SEEDBED_WEB_WORKERS``, or one per CPU core when it is 0 (the default).

    One process runs one event loop on one core; the API keeps no per-process state that matters (sessions, rate
    limits and jobs live in PostgreSQL and Redis), so more processes simply use more cores.
    """
    return settings.web_workers or os.cpu_count() or 1


def server_command(settings: Settings) -> list[str]:
    """granian serving the site, as ``python -m`` arguments."""
    return [
        "granian",
        "--interface",
        "asgi",
        "--host",
        settings.host,
        "--port",
        str(settings.port),
        "--workers",
        str(web_workers(settings)),
        WEB_APP,
    ]


def _spawn(args: list[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
    # Own session: a Ctrl-C at the terminal reaches only us, and we stop the children in order.
    return subprocess.Popen([sys.executable, "-m", *args], env=env, start_new_session=True)  # noqa: S603


def _terminate(children: Collection[subprocess.Popen[bytes]]) -> None:
    alive = [child for child in children if child.poll() is None]
    for child in alive:
        child.terminate()
    deadline = time.monotonic() + STOP_TIMEOUT
    for child in alive:
        with contextlib.suppress(subprocess.TimeoutExpired):
            child.wait(max(0.0, deadline - time.monotonic()))
    for child in children:
        # Whatever is left of each process group goes now: a hung server, or granian workers
        # whose main process was killed from outside.
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(child.pid, signal.SIGKILL)
        child.wait()


def _banner(settings: Settings, services: ResolvedServices) -> None:
    base = f"http://{settings.host}:{settings.port}"
    embedded = "; ".join(services.embedded) or "nothing (using existing services)"
    print(
        f"\nSeedbed is running.\n"
        f"  API       {base}/\n"
        f"  OpenAPI   {base}/schema\n"
        f"  Admin     {base}/admin/\n"
        f"  Portal    {base}/portal/\n"
        f"  Database  {_redact(services.database_url)}\n"
        f"  Redis     {_redact(services.redis_url)}\n"
        f"  Embedded  {embedded}\n"
        f"Press Ctrl-C to stop.\n",
        flush=True,
    )


def _redact(url: str) -> str:
    parts = urlsplit(url)
    if parts.password is None:
        return url
    userinfo, _, hostport = parts.netloc.rpartition("@")
    return parts._replace(netloc=f"{userinfo.split(':', 1)[0]}:***@{hostport}").geturl()
