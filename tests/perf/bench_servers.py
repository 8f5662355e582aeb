"""Granian vs uvicorn on this machine: which ASGI server should serve Seedbed?

    .venv/bin/python -m tests.perf.bench_servers [--seconds 5] [--concurrency 64] [--repeats 3] [--no-record]

For each target (a hello-world Litestar app, and Seedbed's own ``/health/live``) both servers are started as one
worker process each on free ports of 127.0.0.1, with access logs off. Load comes from ``wrk`` when it is installed
(``apt-get install -y wrk``), otherwise from a small keep-alive HTTP/1.1 client written on asyncio streams (slower:
on a small machine it measures the client as much as the server). Runs alternate between the servers so that drift
on the machine hits both; the median run counts. The table shows requests per second and the ratio
granian / uvicorn; one entry per (target, server) is appended to tests/perf/results.json.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import importlib.metadata
import importlib.util
import json
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
RESULTS = Path(__file__).resolve().parent / "results.json"
HOST = "127.0.0.1"
BASELINE = "uvicorn"


@dataclass(frozen=True)
class Target:
    name: str
    factory: str  # module:callable returning an ASGI app
    path: str


TARGETS = (
    Target("hello_world", "tests.perf.apps:hello_world", "/"),
    Target("seedbed_health_live", "tests.perf.apps:seedbed", "/health/live"),
)

# One worker process each, access log off, factory targets; otherwise each server's defaults.
SERVERS: dict[str, Callable[[str, int], list[str]]] = {
    "granian": lambda factory, port: [
        *("-m", "granian", "--interface", "asgi", "--host", HOST, "--port", str(port)),
        *("--workers", "1", "--log-level", "warning", "--no-access-log", "--factory", factory),
    ],
    "uvicorn": lambda factory, port: [
        *("-m", "uvicorn", "--host", HOST, "--port", str(port)),
        *("--workers", "1", "--log-level", "warning", "--no-access-log", "--factory", factory),
    ],
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        port: int = sock.getsockname()[1]
        return port


def _status_of(port: int, path: str) -> int | None:
    try:
        with socket.create_connection((HOST, port), timeout=1) as sock:
            sock.sendall(f"GET {path} HTTP/1.1\r\nHost: {HOST}\r\nConnection: close\r\n\r\n".encode())
            head = sock.recv(64).decode("latin-1")
    except OSError:
        return None
    match = re.match(r"HTTP/1\.[01] (\d{3})", head)
    return int(match.group(1)) if match else None


class Server:
    """One server process (in its own process group, so its workers go with it)."""

    def __init__(self, name: str, target: Target) -> None:
        self.name, self.target, self.port = name, target, free_port()
        env = {**os.environ, "SEEDBED_LOG_LEVEL": "WARNING"}
        self.process = subprocess.Popen(
            [sys.executable, *SERVERS[name](target.factory, self.port)],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}{self.target.path}"

    def wait_ready(self, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                stderr = self.process.stderr.read().decode(errors="replace") if self.process.stderr else ""
                raise RuntimeError(f"{self.name} exited ({self.process.returncode}):\n{stderr}")
            status = _status_of(self.port, self.target.path)
            if status == 200:
                return
            if status is not None:
                raise RuntimeError(f"{self.name} answers {self.target.path} with {status}, not 200")
            time.sleep(0.1)
        raise RuntimeError(f"{self.name} did not answer on port {self.port} within {timeout:.0f} s")

    def stop(self) -> None:
        if self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        if self.process.stderr:
            self.process.stderr.close()


# --- load generators -------------------------------------------------------------------------------------------


def wrk_load(url: str, seconds: float, concurrency: int, threads: int) -> float:
    command = ["wrk", f"-t{threads}", f"-c{concurrency}", f"-d{max(1, round(seconds))}s", url]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    if bad:
        raise RuntimeError(f"{url}: {bad.group(1)} non-2xx responses; not measuring an error page\n{output}")
    match = re.search(r"Requests/sec:\s+([\d.]+)", output)
    if match is None:
        raise RuntimeError(f"could not read wrk's output:\n{output}")
    return float(match.group(1))


async def _python_client(port: int, path: str, stop_at: float, counts: list[int]) -> None:
    reader, writer = await asyncio.open_connection(HOST, port)
    request = f"GET {path} HTTP/1.1\r\nHost: {HOST}\r\n\r\n".encode()
    done = 0
    try:
        while time.monotonic() < stop_at:
            writer.write(request)
            head = await reader.readuntil(b"\r\n\r\n")
            if not head.startswith((b"HTTP/1.1 200", b"HTTP/1.0 200")):
                raise RuntimeError(f"non-200 response: {head[:40]!r}")
            length = re.search(rb"(?i)\r\ncontent-length:\s*(\d+)", head)
            if length is None:
                raise RuntimeError("response without content-length; use wrk")
            await reader.readexactly(int(length.group(1)))
            done += 1
    finally:
        counts.append(done)
        writer.close()
        with contextlib.suppress(OSError):
            await writer.wait_closed()


def python_load(url: str, seconds: float, concurrency: int, threads: int) -> float:
    del threads  # one event loop
    match = re.match(r"http://[^:/]+:(\d+)(/.*)", url)
    assert match is not None
    port, path = int(match.group(1)), match.group(2)

    async def run() -> float:
        counts: list[int] = []
        started = time.monotonic()
        stop_at = started + seconds
        await asyncio.gather(*(_python_client(port, path, stop_at, counts) for _ in range(concurrency)))
        return sum(counts) / (time.monotonic() - started)

    return asyncio.run(run())


# --- the benchmark -----------------------------------------------------------------------------------------------


def _version(distribution: str) -> str:
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


def environment(loadgen: str) -> str:
    uvicorn_http = "httptools" if importlib.util.find_spec("httptools") else "h11"
    loop = "uvloop" if importlib.util.find_spec("uvloop") else "asyncio"
    return (
        f"{platform.node()}: {os.cpu_count()} CPUs, Python {platform.python_version()}, "
        f"granian {_version('granian')}, uvicorn {_version('uvicorn')} (http={uvicorn_http}, loop={loop}), "
        f"litestar {_version('litestar')}, load generator: {loadgen}"
    )


def bench_target(
    target: Target,
    servers: list[str],
    load: Callable[[str, float, int, int], float],
    *,
    seconds: float,
    concurrency: int,
    repeats: int,
    threads: int,
) -> dict[str, list[float]]:
    running = [Server(name, target) for name in servers]
    try:
        for server in running:
            server.wait_ready()
            load(server.url, 1.0, concurrency, threads)  # warm-up, not counted
        runs: dict[str, list[float]] = {name: [] for name in servers}
        for repeat in range(repeats):
            # Alternate the order so that slow drift on the machine does not favour one server.
            for server in running if repeat % 2 == 0 else reversed(running):
                runs[server.name].append(load(server.url, seconds, concurrency, threads))
        return runs
    finally:
        for server in running:
            server.stop()


def record(entries: list[dict[str, object]], path: Path) -> None:
    existing: list[dict[str, object]] = []
    if path.exists():
        loaded = json.loads(path.read_text(encoding="utf-8") or "[]")
        existing = loaded if isinstance(loaded, list) else []
    temporary = path.with_suffix(".json.tmp")
    temporary.write_text(json.dumps(existing + entries, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    temporary.replace(path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.perf.bench_servers", description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=5.0, help="length of each measured run (default 5)")
    parser.add_argument("--concurrency", type=int, default=64, help="open keep-alive connections (default 64)")
    parser.add_argument("--repeats", type=int, default=3, help="measured runs per server; the median counts")
    parser.add_argument("--threads", type=int, default=1, help="wrk threads (default 1: leaves a core to the server)")
    parser.add_argument("--loadgen", choices=["auto", "wrk", "python"], default="auto")
    parser.add_argument("--target", action="append", choices=[t.name for t in TARGETS], help="default: all")
    parser.add_argument("--results", type=Path, default=RESULTS, help="JSON list to append to")
    parser.add_argument("--no-record", action="store_true", help="print only; do not touch results.json")
    args = parser.parse_args(argv)

    loadgen = "wrk" if args.loadgen == "auto" and shutil.which("wrk") else args.loadgen
    loadgen = "python" if loadgen == "auto" else loadgen
    load = wrk_load if loadgen == "wrk" else python_load
    servers = [name for name in SERVERS if name != BASELINE] + [BASELINE]
    targets = [t for t in TARGETS if not args.target or t.name in args.target]

    print(environment(loadgen))
    print(f"{args.concurrency} connections, {args.seconds:g} s per run, median of {args.repeats} runs\n")
    header = f"{'target':<22} {'server':<9} {'req/s':>10}  {'runs':<30} {'ratio':>6}"
    print(header)
    print("-" * len(header))
    entries: list[dict[str, object]] = []
    for target in targets:
        runs = bench_target(
            target,
            servers,
            load,
            seconds=args.seconds,
            concurrency=args.concurrency,
            repeats=args.repeats,
            threads=args.threads,
        )
        medians = {name: statistics.median(values) for name, values in runs.items()}
        baseline_name = f"servers/{target.name}/{BASELINE}"
        for name in servers:
            ratio = medians[name] / medians[BASELINE]
            shown_runs = ", ".join(f"{value:.0f}" for value in runs[name])
            print(f"{target.name:<22} {name:<9} {medians[name]:>10.0f}  {shown_runs:<30} {ratio:>6.2f}")
            entries.append(
                {
                    "name": f"servers/{target.name}/{name}",
                    "seconds": args.seconds,
                    "size": args.concurrency,
                    "requests_per_second": round(medians[name], 1),
                    "ratio": round(ratio, 3),
                    "baseline": baseline_name,
                }
            )
    print("\nratio = requests per second / uvicorn's on the same target")
    if not args.no_record:
        record(entries, args.results)
        print(f"appended {len(entries)} entries to {args.results}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
