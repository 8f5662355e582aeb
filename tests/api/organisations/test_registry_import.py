"""登记名录导入 (issue 11): xlsx and CSV (UTF-8, GBK) set verified facts by credit code, report every row that does
not match with its row number, are audited with source ``registry``, and a second import changes nothing."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
from openpyxl import Workbook

from app.audit import AuditEntry
from app.organisations import facts as facts_module
from app.organisations.tables import Organisation, OrganisationFactVerification, OrganisationType
from tests import factories
from tests.factories.http import ok, refused
from tests.factories.world import World, row_counts

HEADER = ["统一社会信用代码", "名称", "类型", "登记日期", "评估等级", "等级有效期", "证书有效期", "登记管理机关"]


async def registry_rows(world: World) -> list[list[Any]]:
    org = await Organisation.select().where(Organisation.id == world.org_id).first()
    other = await Organisation.select().where(Organisation.id == world.other_org_id).first()
    assert org is not None and other is not None
    foundation = factories.credit_code(600_001, OrganisationType.foundation)
    return [
        [
            org["credit_code"],
            org["name"],
            "民办非企业单位",
            "2016/4/1",
            "4A",
            "2029-12-31",
            "2030年6月30日",
            "长宁区民政局",
        ],
        [factories.credit_code(600_002), "不存在的机构", "民办非企业单位", "2016-04-01", "", "", "", ""],  # row 3
        [other["credit_code"], "改了名的机构", "民办非企业单位", "2016-04-01", "", "", "", ""],  # row 4
        [
            factories.wrong_check_character(other["credit_code"]),
            "坏代码",
            "基金会",
            "2016-04-01",
            "6A",
            "明年",
            "",
            "",
        ],  # row 5
        [foundation, "某基金会", "民办非企业单位", "", "", "", "", ""],  # row 6: code says 基金会
        [org["credit_code"], org["name"], "民办非企业单位", "", "", "", "", ""],  # row 7: repeated
    ]


def csv_bytes(rows: list[list[Any]], encoding: str) -> bytes:
    lines = [",".join(HEADER), *(",".join(str(c) for c in row) for row in rows)]
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


def xlsx_bytes(rows: list[list[Any]]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


async def upload(client: httpx.AsyncClient, world: World, content: bytes, name: str) -> httpx.Response:
    return await client.post(
        "/organisations/registry-import",
        files={"file": (name, content, "application/octet-stream")},
        headers=world.city_officer.headers,
    )


def problems(report: dict[str, Any]) -> list[tuple[int, str]]:
    return [(p["row"], p["code"]) for p in report["problems"]]


EXPECTED = [(3, "unknown_code"), (4, "name_mismatch"), (5, "bad_value"), (6, "type_mismatch"), (7, "duplicate_row")]


async def test_csv_import_sets_verified_facts_reports_rows_and_is_idempotent(
    client: httpx.AsyncClient, world: World
) -> None:
    changed: list[list[int]] = []

    async def listener(ids: list[int]) -> None:
        changed.append(ids)

    facts_module.LISTENERS.append(listener)
    try:
        rows = await registry_rows(world)
        report = ok(await upload(client, world, csv_bytes(rows, "gbk"), "名录.csv"))
        assert report["rows"] == 6 and report["updated"] == 1 and problems(report) == EXPECTED
        assert "第 5 行" not in report["problems"][2]["message"]  # the row is in ``row``; the message says what
        assert "评估等级" in report["problems"][2]["message"] and "等级有效期" in report["problems"][2]["message"]
        org = ok(await client.get(f"/organisations/{world.org_id}", headers=world.city_officer.headers))
        assert (org["registered_on"], org["evaluation_grade"], org["grade_valid_until"]) == (
            "2016-04-01",
            "4A",
            "2029-12-31",
        )
        assert org["certificate_expires_on"] == "2030-06-30"
        assert {v["source"] for v in org["verifications"]} == {"registry"}
        assert all("名录.csv 第 2 行" in v["reference"] for v in org["verifications"])
        [entry] = (
            await AuditEntry.select(AuditEntry.before, AuditEntry.after, AuditEntry.actor_id)
            .where(AuditEntry.action == "organisation.registry_import")
            .output(load_json=True)
        )
        assert entry["after"]["registered_on"] == "2016-04-01" and entry["before"]["registered_on"] is None
        assert entry["actor_id"] == world.city_officer.id
        assert changed == [[world.org_id]]
        # The other organisation (name mismatch) is untouched.
        other = await Organisation.select(Organisation.registered_on).where(Organisation.id == world.other_org_id)
        assert other == [{"registered_on": None}]

        before = await row_counts()
        stamps = await OrganisationFactVerification.select(OrganisationFactVerification.verified_at)
        again = ok(await upload(client, world, csv_bytes(rows, "utf-8"), "名录.csv"))
        assert again["updated"] == 0 and again["unchanged"] == 1 and problems(again) == EXPECTED
        assert await row_counts() == before
        assert await OrganisationFactVerification.select(OrganisationFactVerification.verified_at) == stamps
        assert changed == [[world.org_id]]
    finally:
        facts_module.LISTENERS.remove(listener)


async def test_xlsx_import_reads_dates_and_a_district_officer_sees_only_their_district(
    client: httpx.AsyncClient, world: World
) -> None:
    rows = await registry_rows(world)
    report = ok(await upload(client, world, xlsx_bytes(rows), "registry.xlsx"))
    assert report["updated"] == 1 and problems(report) == EXPECTED
    pudong = await client.post(
        "/organisations/registry-import",
        files={"file": ("r.csv", csv_bytes(rows[:1], "utf-8"), "text/csv")},
        headers=world.pudong_officer.headers,
    )
    # A changning organisation is out of a pudong officer's scope: reported like an unknown code, nothing changes.
    assert problems(ok(pudong)) == [(2, "unknown_code")]


async def test_an_unreadable_file_is_refused_and_changes_nothing(client: httpx.AsyncClient, world: World) -> None:
    before = await row_counts()
    for content, message in (
        (b"", "空"),
        ("名称,类型\n某机构,基金会\n".encode(), "统一社会信用代码"),
        (b"PK\x03\x04broken", "xlsx"),
        (b"\xff\xfe\x00\x00\xff", "编码"),
    ):
        response = await upload(client, world, content, "x.csv")
        refused(response, 422, "registry_file_invalid", "file")
        assert message in response.json()["detail"], response.text
    applicant = await client.post(
        "/organisations/registry-import",
        files={"file": ("r.csv", csv_bytes([], "utf-8"), "text/csv")},
        headers=world.applicant.headers,
    )
    assert applicant.status_code == 403
    assert await row_counts() == before


async def test_the_command_prints_unmatched_rows_and_exits_1(
    client: httpx.AsyncClient, world: World, tmp_path: Path
) -> None:
    path = tmp_path / "registry.csv"
    path.write_bytes(csv_bytes(await registry_rows(world), "gbk"))

    def command(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "app.site.cli", "import-registry", *args],
            env=dict(os.environ),
            capture_output=True,
            text=True,
            timeout=60,
        )

    first = command(str(path))
    assert first.returncode == 1, first.stdout + first.stderr
    assert "更新 1 个组织" in first.stdout and "第 3 行" in first.stdout and "第 7 行" in first.stdout
    second = command(str(path))
    assert "更新 0 个组织，1 个无变化" in second.stdout, second.stdout + second.stderr
    assert await AuditEntry.count().where(AuditEntry.action == "organisation.registry_import") == 1
    missing = command(str(tmp_path / "none.csv"))
    assert missing.returncode == 2 and "无法读取文件" in missing.stderr
