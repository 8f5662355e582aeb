"""Run every benchmark in tests/perf/ (``make bench``): each ``bench_*.py`` module's ``main([])``, in name order.

.venv/bin/python -m tests.perf.run_all             # all benchmarks
.venv/bin/python -m tests.perf.run_all servers     # only modules whose name contains "servers"
.venv/bin/python -m tests.perf.run_all scoring     # bench_scoring: assignment, fairness, aggregation
"""

from __future__ import annotations

import importlib
import pkgutil
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main(argv: list[str]) -> int:
    names = sorted(info.name for info in pkgutil.iter_modules([str(HERE)]) if info.name.startswith("bench_"))
    selected = [name for name in names if not argv or any(word in name for word in argv)]
    if not selected:
        print(f"no benchmark matches {argv}; available: {', '.join(names)}", file=sys.stderr)
        return 1
    failed = []
    for name in selected:
        print(f"\n=== tests.perf.{name}", flush=True)
        started = time.monotonic()
        module = importlib.import_module(f"tests.perf.{name}")
        try:
            status = module.main([])
        except Exception as exc:  # report and go on with the other benchmarks
            print(f"{name} failed: {exc!r}", file=sys.stderr)
            status = 1
        print(f"=== {name}: {'ok' if status == 0 else 'FAILED'} in {time.monotonic() - started:.0f} s", flush=True)
        if status != 0:
            failed.append(name)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
