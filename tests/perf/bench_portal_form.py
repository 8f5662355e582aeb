"""The portal's application form page with 60 fields: server time to render it, against serialising the same schema and
answers as JSON (what the API's GET would cost to encode) in the same run.

    .venv/bin/python -m tests.perf.bench_portal_form [--repeats 200] [--no-record]

The form (tests/factories/forms.py ``sixty_field_form``): 40 plain fields cycling through text, textarea, number,
money, select, radio, date and email, each with a help text, and a repeatable group of 4 fields shown with 5 items
(60 answerable inputs, plus the group's template for the script). Cases, each warmed up once, then ``--repeats``
runs alternating; the median counts:

- ``portal_form/60/page``: ``app.portal.forms.render_form`` and the page template ``applications/edit.html`` in the
  portal's Jinja environment — the server's whole work for ``GET /portal/applications/{id}/edit`` but the session
  lookup and the two row reads. Target: < 100 ms.
- ``portal_form/60/json``: the baseline, ``json.dumps({"schema": ..., "answers": ...})``.

``ratio`` = baseline seconds / page seconds (below 1: slower than the JSON). Appended to tests/perf/results.json.
Never run as a timed test.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from tests.perf.bench_servers import RESULTS, record

TARGET_SECONDS = 0.100


def _page_renderer() -> Callable[[], str]:
    from jinja2 import Environment, FileSystemLoader, select_autoescape

    from app.portal.forms import render_form
    from app.portal.frame import beijing
    from app.portal.routes import HERE
    from tests.factories.forms import sixty_field_answers, sixty_field_form

    environment = Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=select_autoescape())
    environment.globals["beijing"] = beijing
    template = environment.get_template("applications/edit.html")
    schema, answers = sixty_field_form(), sixty_field_answers()
    application = SimpleNamespace(id=1, title="社区睦邻计划")

    def page() -> str:
        return template.render(
            principal=SimpleNamespace(username="org1"),
            csrf_field="csrf_token",
            csrf_token="x" * 43,
            notice=None,
            title="填写申报表",
            application=application,
            application_title=application.title,
            title_field="__title",
            title_error="",
            action_field="__action",
            form_html=render_form(schema, answers),
            message="",
        )

    return page


def _json_encoder() -> Callable[[], str]:
    from tests.factories.forms import sixty_field_answers, sixty_field_form

    schema, answers = sixty_field_form(), sixty_field_answers()
    return lambda: json.dumps({"schema": schema, "answers": answers}, ensure_ascii=False)


def _timed(run: Callable[[], str]) -> float:
    started = time.perf_counter()
    run()
    return time.perf_counter() - started


def measure(repeats: int) -> dict[str, Any]:
    page, encode = _page_renderer(), _json_encoder()
    html = page()
    inputs = html.split("<template>")[0].count(' name="') - html.split("<template>")[0].count('name="__')
    assert inputs >= 60 + 1, inputs  # the 60 fields (the group's 20 outside its template) and the CSRF field
    encode()
    page_runs: list[float] = []
    json_runs: list[float] = []
    for _ in range(repeats):
        page_runs.append(_timed(page))
        json_runs.append(_timed(encode))
    return {
        "page": statistics.median(page_runs),
        "json": statistics.median(json_runs),
        "html_bytes": len(html.encode()),
        "inputs": inputs,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.perf.bench_portal_form", description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=200, help="alternating runs per case; the median counts")
    parser.add_argument("--results", type=Path, default=RESULTS, help="JSON list to append to")
    parser.add_argument("--no-record", action="store_true", help="print only; do not touch results.json")
    args = parser.parse_args(argv)
    found = measure(args.repeats)
    ratio = found["json"] / found["page"]
    print(f"{'case':<24} {'ms':>9} {'target ms':>10} {'ratio':>7}")
    print(f"{'portal_form/60/page':<24} {found['page'] * 1000:>9.3f} {TARGET_SECONDS * 1000:>10.0f} {ratio:>7.4f}")
    print(f"{'portal_form/60/json':<24} {found['json'] * 1000:>9.3f} {'':>10} {1.0:>7.4f}")
    print(f"page: {found['html_bytes']} bytes of HTML, {found['inputs']} named inputs")
    if not args.no_record:
        base = {"size": 60, "baseline": "portal_form/60/json"}
        record(
            [
                {"name": "portal_form/60/page", "seconds": found["page"], "ratio": ratio, **base},
                {"name": "portal_form/60/json", "seconds": found["json"], "ratio": 1.0, **base},
            ],
            args.results,
        )
    if found["page"] >= TARGET_SECONDS:
        print(f"target missed: {found['page'] * 1000:.1f} ms >= {TARGET_SECONDS * 1000:.0f} ms", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
