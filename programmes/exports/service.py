"""xlsx export of a round's applications (answers flattened to zh-CN columns), produced by an arq job.

The officer asks for an export; the worker writes it in openpyxl's write-only mode, updating ``rows_done`` as it
goes; the officer polls the job and downloads the file when it is ``done``. Running the job twice rewrites the
same file, so a retry is harmless.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from anyio import to_thread

from app.access import load, protect
from app.auth.principal import Principal
from app.errors import DomainError, conflict, not_found
from app.timezone import now_utc
from app.uow import unit_of_work
from app.workflow.engine import Actor
from programmes.applications.repository import frozen_answers
from programmes.attachments.service import storage
from programmes.catalogue.access import ROUNDS  # noqa: F401 — declares the policy load() reads
from programmes.exports import money
from programmes.exports.schemas import ExportRead
from programmes.exports.tables import ExportJob
from programmes.form_columns import flatten_answers, repeat_counts
from programmes.ports import review_side
from programmes.storage import new_key, validate_key
from programmes.tables import Application, Round
from programmes.workflows import application_workflow
from programmes.xlsx_export import write_sheets_file, write_xlsx_file_async

FIXED_HEADERS = ["申报编号", "申报单位", "所在区", "赛道", "项目名称", "状态", "资格审查", "提交时间（北京时间）"]
# Staff in the job's district (the requester's scope when it was made) follow and download it.
EXPORTS = protect(ExportJob, "导出任务")
OUTCOME_ZH = {"not_screened": "未审查", "eligible": "通过", "ineligible": "未通过", "overridden": "人工认定通过"}


async def request_export(principal: Principal, round_id: int, kind: str = "applications") -> ExportRead:
    """Officer in scope asks for an export of a round (applications, scores, ranking or reviewer load)."""
    if kind not in _sheets():
        raise DomainError("export_kind_invalid", "不支持的导出类型", 422)
    round_row = await load(principal, Round, round_id, columns=(Round.id, Round.scope_district))
    return await _stage(principal, kind, round_row["scope_district"], "round", round_id, round_id=round_id)


async def request_money_summary(principal: Principal) -> ExportRead:
    """Staff ask for the fund summary; a district officer's covers their district only."""
    return await _stage(principal, "money_summary", money.money_summary_scope(principal), "export", None)


async def request_batch_payments(principal: Principal, batch_id: int) -> ExportRead:
    """Staff in scope ask for one payment batch's items (accounts masked)."""
    scope = await money.batch_payments_scope(principal, batch_id)
    return await _stage(
        principal, "batch_payments", scope, "payment_batch", batch_id, parameters={"payment_batch_id": batch_id}
    )


async def _stage(
    principal: Principal,
    kind: str,
    scope: str | None,
    object_type: str,
    object_id: int | None,
    *,
    round_id: int | None = None,
    parameters: dict[str, Any] | None = None,
) -> ExportRead:
    async with unit_of_work(Actor.of(principal)) as uow:
        rows = await ExportJob.insert(
            ExportJob(
                round=round_id,
                kind=kind,
                parameters=parameters or {},
                requested_by=principal.user_id,
                scope_district=scope,
            )
        ).returning(ExportJob.id)
        export_id = int(rows[0]["id"])
        await uow.audit(
            "export.request",
            object_type,
            object_id if object_id is not None else export_id,
            after={"export_id": export_id, "kind": kind, **(parameters or {})},
        )
        await uow.stage("produce_export", f"produce_export:{export_id}", export_id=export_id)
    return await read(export_id)


def _as_read(row: Mapping[str, Any]) -> ExportRead:
    return ExportRead(
        id=row["id"],
        round_id=row["round"],
        kind=row["kind"],
        parameters=row["parameters"] or {},
        state=row["state"],
        rows_done=row["rows_done"],
        rows_total=row["rows_total"],
        error=row["error"],
        created_at=row["created_at"],
        finished_at=row["finished_at"],
    )


async def read(export_id: int) -> ExportRead:
    row = await ExportJob.select().where(ExportJob.id == export_id).first().output(load_json=True)
    if row is None:
        raise not_found(EXPORTS.label_zh)
    return _as_read(row)


async def read_for(principal: Principal, export_id: int) -> ExportRead:
    return _as_read(await load(principal, ExportJob, export_id, load_json=True))


async def download(principal: Principal, export_id: int) -> tuple[str, AsyncIterator[bytes]]:
    row = await load(principal, ExportJob, export_id, load_json=True)
    if row["state"] != "done":
        raise conflict("export_not_ready", "导出尚未完成，请稍后再试")
    label = KIND_LABELS[row["kind"]]
    subject = f"-轮次{row['round']}" if row["round"] is not None else ""
    return f"{label}{subject}-{export_id}.xlsx", await storage().open(row["storage_key"])


async def applications_sheet(round_id: int) -> tuple[list[str], list[Sequence[Any]]]:
    round_row = (
        await Round.select(
            Round.form._.json_schema.as_alias("schema"), Round.edition._.programme._.kind.as_alias("kind")
        )
        .where(Round.id == round_id)
        .first()
        .output(load_json=True)
    )
    assert round_row is not None
    applications = (
        await Application.select(
            Application.id,
            Application.organisation._.name.as_alias("organisation_name"),
            Application.organisation_district,
            Application.track._.name.as_alias("track_name"),
            Application.title,
            Application.status,
            Application.eligibility_outcome,
            Application.submitted_at,
            Application.answers,
            Application.submitted_answers,
        )
        .where(Application.round == round_id)
        .order_by(Application.id)
        .output(load_json=True)
    )
    schema = round_row["schema"] or {"type": "object"}
    workflow = application_workflow(round_row["kind"])
    answer_sets = [frozen_answers(a) for a in applications]  # as submitted, like every staff read
    counts = repeat_counts(schema, answer_sets)
    answer_headers = list(flatten_answers(schema, {}, counts).keys())
    rows: list[Sequence[Any]] = []
    for application, answers in zip(applications, answer_sets, strict=True):
        flat = flatten_answers(schema, answers, counts)
        rows.append(
            [
                application["id"],
                application["organisation_name"],
                application["organisation_district"],
                application["track_name"],
                application["title"],
                workflow.states.get(application["status"], application["status"]),
                OUTCOME_ZH.get(application["eligibility_outcome"], application["eligibility_outcome"]),
                application["submitted_at"],
                *[_cell(flat.get(header)) for header in answer_headers],
            ]
        )
    return FIXED_HEADERS + answer_headers, rows


SHEETS: dict[str, Callable[[int], Awaitable[tuple[list[str], list[Sequence[Any]]]]]] = {
    "applications": applications_sheet,
}


def _sheets() -> dict[str, Callable[[int], Awaitable[tuple[list[str], list[Sequence[Any]]]]]]:
    """The applications sheet, and the review side's sheets (scores, ranking, load) through programmes.ports."""
    return {**SHEETS, **review_side().sheets}


KIND_LABELS = {
    "applications": "申报导出",
    "scores": "专家评分",
    "ranking": "排名（各方法对比）",
    "load": "评审工作量",
    "money_summary": "资金汇总",
    "batch_payments": "批次支付明细",
}


async def produce(export_id: int) -> int:
    """The job body. Returns the number of rows written."""
    job = await ExportJob.select().where(ExportJob.id == export_id).first().output(load_json=True)
    if job is None or job["state"] == "done":
        return 0  # already produced (a retry after success), or the request is gone
    key = job["storage_key"] or new_key(export_id, prefix="exports")
    if job["kind"] in money.MONEY_KINDS:
        written = await _produce_money(export_id, job, key)
    else:
        written = await _produce_round(export_id, job, key)
    await ExportJob.update(
        {
            ExportJob.state: "done",
            ExportJob.rows_done: written,
            ExportJob.storage_key: key,
            ExportJob.finished_at: now_utc(),
        }
    ).where(ExportJob.id == export_id)
    return written


async def _produce_round(export_id: int, job: dict[str, Any], key: str) -> int:
    headers, rows = await _sheets()[job["kind"]](job["round"])
    await ExportJob.update({ExportJob.state: "running", ExportJob.rows_total: len(rows), ExportJob.rows_done: 0}).where(
        ExportJob.id == export_id
    )

    async def progress(done: int) -> None:
        await ExportJob.update({ExportJob.rows_done: done}).where(ExportJob.id == export_id)

    return await write_xlsx_file_async(
        _path_for(key), headers, rows, KIND_LABELS[job["kind"]][:31], on_progress=progress, progress_every=500
    )


async def _produce_money(export_id: int, job: dict[str, Any], key: str) -> int:
    # Small (one row per budget line group or batch item): built in memory, written in a thread.
    sheets = await money.sheets_for(job["kind"], job["parameters"] or {}, job["scope_district"])
    total = sum(len(sheet.rows) for sheet in sheets)
    await ExportJob.update({ExportJob.state: "running", ExportJob.rows_total: total, ExportJob.rows_done: 0}).where(
        ExportJob.id == export_id
    )
    return await to_thread.run_sync(write_sheets_file, _path_for(key), sheets)


async def mark_failed(export_id: int, error: Exception) -> None:
    await ExportJob.update(
        {ExportJob.state: "failed", ExportJob.error: f"{type(error).__name__}: {error}"[:1000]}
    ).where(ExportJob.id == export_id)


def _path_for(key: str) -> Path:
    store = storage()
    path_for = getattr(store, "path_for", None)
    if path_for is None:  # a remote store: write locally first (not needed for LocalFileStorage)
        raise RuntimeError("exports need a storage backend with local paths")
    path: Path = path_for(validate_key(key))
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def _cell(value: Any) -> Any:
    if isinstance(value, list | dict):
        return ", ".join(map(str, value)) if isinstance(value, list) else str(value)
    return value
