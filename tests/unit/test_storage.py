"""Local attachment storage: server-made keys, atomic size-limited writes, streaming reads, scanning hook."""

from __future__ import annotations

import asyncio
import hashlib
import io
import re
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import anyio
import pytest
from litestar.datastructures import UploadFile

from programmes.content_types import check_upload, filename_for
from programmes.storage import (
    AttachmentInfected,
    AttachmentNotFound,
    AttachmentStorage,
    AttachmentTooLarge,
    InvalidKey,
    LocalFileStorage,
    NoopScanner,
    Payload,
    ScanResult,
    check_application_total,
    ensure_clean,
    format_size,
    new_key,
    spool_upload,
    validate_key,
)

PDF = b"%PDF-1.7\n" + "申报书正文".encode() * 5000 + b"\n%%EOF\n"


@pytest.fixture
def storage(tmp_path: Path) -> LocalFileStorage:
    return LocalFileStorage(tmp_path / "attachments", max_bytes=1024 * 1024)


def leftovers(storage: LocalFileStorage) -> list[Path]:
    tmp = storage.root / ".tmp"
    return list(tmp.iterdir()) if tmp.exists() else []


async def read_all(storage: AttachmentStorage, key: str, chunk_size: int = 64 * 1024) -> bytes:
    return b"".join([chunk async for chunk in await storage.open(key, chunk_size=chunk_size)])


async def chunks_of(data: bytes, size: int = 1000) -> AsyncIterator[bytes]:
    for start in range(0, len(data), size):
        await asyncio.sleep(0)
        yield data[start : start + size]


class FakeUpload:
    """An ``async read(size)`` object, like a web framework's upload."""

    def __init__(self, data: bytes) -> None:
        self.stream = io.BytesIO(data)
        self.reads = 0

    async def read(self, size: int = -1) -> bytes:
        self.reads += 1
        return self.stream.read(size)


def test_keys_are_server_made() -> None:
    first, second = new_key(42), new_key(42)
    assert re.fullmatch(r"applications/42/[0-9a-f]{32}", first)
    assert first != second
    assert new_key("ABC-1", prefix="exports").startswith("exports/abc-1/")


@pytest.mark.parametrize(
    "key",
    [
        "",
        "../etc/passwd",
        "applications/../../etc/passwd",
        "/etc/passwd",
        "applications/1/./x",
        "applications//x",
        "applications/1/",
        "Applications/1/x",
        ".tmp/x",
        "applications\\1\\x",
        "applications/1/x\x00",
        "applications/1/申报书.pdf",
        "a" * 300,
    ],
)
async def test_bad_keys_are_refused(storage: LocalFileStorage, key: str) -> None:
    with pytest.raises(InvalidKey):
        validate_key(key)
    with pytest.raises(InvalidKey):
        await storage.save(key, b"x")
    with pytest.raises(InvalidKey):
        await storage.open(key)
    with pytest.raises(InvalidKey):
        await storage.exists(key)
    with pytest.raises(InvalidKey):
        await storage.delete(key)
    assert not any(storage.root.parent.rglob("passwd"))


async def test_symlink_out_of_root_is_refused(storage: LocalFileStorage, tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    storage.root.mkdir(parents=True)
    (storage.root / "applications").symlink_to(outside, target_is_directory=True)
    with pytest.raises(InvalidKey):
        await storage.save("applications/1/x", b"x")
    assert list(outside.iterdir()) == []


async def test_save_open_delete_round_trip(storage: LocalFileStorage) -> None:
    key = new_key(7)
    assert not await storage.exists(key)
    stored = await storage.save(key, PDF)
    assert (stored.key, stored.size, stored.sha256) == (key, len(PDF), hashlib.sha256(PDF).hexdigest())
    assert await storage.exists(key)
    assert storage.path_for(key).read_bytes() == PDF
    chunks = [chunk async for chunk in await storage.open(key, chunk_size=4096)]
    assert max(len(chunk) for chunk in chunks) == 4096 and b"".join(chunks) == PDF
    await storage.delete(key)
    await storage.delete(key)  # idempotent
    assert not await storage.exists(key)
    assert leftovers(storage) == []


@pytest.mark.parametrize("kind", ["bytes", "bytearray", "async_iterable", "async_reader", "binary_file", "path"])
async def test_every_payload_kind(storage: LocalFileStorage, tmp_path: Path, kind: str) -> None:
    source = tmp_path / "source.pdf"
    source.write_bytes(PDF)
    payloads: dict[str, Callable[[], Payload]] = {
        "bytes": lambda: PDF,
        "bytearray": lambda: bytearray(PDF),
        "async_iterable": lambda: chunks_of(PDF),
        "async_reader": lambda: FakeUpload(PDF),
        "binary_file": lambda: io.BytesIO(PDF),
        "path": lambda: source,
    }
    stored = await storage.save(new_key(1), payloads[kind]())
    assert stored.size == len(PDF) and await read_all(storage, stored.key) == PDF


async def test_litestar_upload_file(storage: LocalFileStorage) -> None:
    upload = UploadFile(content_type="application/pdf", filename="申报书.pdf", file_data=PDF, max_spool_size=1024)
    stored = await storage.save(new_key(1), upload)
    assert stored.sha256 == hashlib.sha256(PDF).hexdigest()
    await upload.close()


async def test_missing_key_is_not_found(storage: LocalFileStorage) -> None:
    with pytest.raises(AttachmentNotFound) as caught:
        await storage.open(new_key(1))
    assert (caught.value.code, caught.value.status) == ("attachment_not_found", 404)


async def test_size_limit_exact_and_over(storage: LocalFileStorage) -> None:
    exact = await storage.save(new_key(1), b"x" * 1000, max_bytes=1000)
    assert exact.size == 1000
    key = new_key(1)
    with pytest.raises(AttachmentTooLarge) as caught:
        await storage.save(key, b"x" * 1001, max_bytes=1000)
    error = caught.value
    assert (error.code, error.status) == ("attachment_too_large", 413)
    assert "大小上限" in error.detail and "1000 B" in error.detail
    assert [(e.field, e.code) for e in error.errors] == [("file", "attachment_too_large")]
    assert not await storage.exists(key) and leftovers(storage) == []


async def test_default_limit_applies(storage: LocalFileStorage) -> None:
    with pytest.raises(AttachmentTooLarge) as caught:
        await storage.save(new_key(1), b"x" * (1024 * 1024 + 1))
    assert "1 MB" in caught.value.detail


async def test_oversize_stream_stops_reading_early(storage: LocalFileStorage) -> None:
    pulled = 0

    async def endless() -> AsyncIterator[bytes]:
        nonlocal pulled
        while True:
            pulled += 1
            yield b"\x00" * 65536

    with pytest.raises(AttachmentTooLarge):
        await storage.save(new_key(1), endless(), max_bytes=200_000)
    assert pulled == 4 and leftovers(storage) == []
    upload = FakeUpload(b"y" * 10_000_000)
    with pytest.raises(AttachmentTooLarge):
        await storage.save(new_key(1), upload, max_bytes=100_000)
    assert upload.reads <= 3


async def test_failed_overwrite_keeps_previous_content(storage: LocalFileStorage) -> None:
    key = new_key(1)
    await storage.save(key, b"first")

    async def broken() -> AsyncIterator[bytes]:
        yield b"second, half written"
        raise ConnectionResetError("client went away")

    with pytest.raises(ConnectionResetError):
        await storage.save(key, broken())
    assert await read_all(storage, key) == b"first"
    assert leftovers(storage) == []
    await storage.save(key, b"second")
    assert await read_all(storage, key) == b"second"


async def test_cancelled_upload_leaves_nothing(storage: LocalFileStorage) -> None:
    started = asyncio.Event()

    async def stalled() -> AsyncIterator[bytes]:
        yield b"partial"
        started.set()
        await asyncio.Event().wait()
        yield b"never"

    key = new_key(1)
    task = asyncio.create_task(storage.save(key, stalled()))
    await started.wait()
    await asyncio.sleep(0.05)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert not await storage.exists(key) and leftovers(storage) == []


async def test_spool_upload_is_removed_after_use(tmp_path: Path) -> None:
    async with spool_upload(chunks_of(PDF), max_bytes=len(PDF), directory=tmp_path) as spooled:
        assert spooled.path.read_bytes() == PDF
        assert (spooled.size, spooled.sha256) == (len(PDF), hashlib.sha256(PDF).hexdigest())
    assert not spooled.path.exists()
    with pytest.raises(RuntimeError):
        async with spool_upload(PDF, directory=tmp_path) as spooled:
            raise RuntimeError("check failed")
    assert not spooled.path.exists()
    with pytest.raises(AttachmentTooLarge):
        async with spool_upload(PDF, max_bytes=100, directory=tmp_path):
            pytest.fail("an oversize upload must not reach the body")
    assert listing(tmp_path) == []


def listing(directory: Path) -> list[Path]:
    return list(directory.iterdir())


class FlaggingScanner:
    async def scan(self, path: Path) -> ScanResult:
        infected = b"EICAR-STANDARD-ANTIVIRUS-TEST-FILE" in await anyio.Path(path).read_bytes()
        return ScanResult(clean=not infected, signature="Eicar-Test-Signature" if infected else None, engine="test")


async def test_scanner_hook(tmp_path: Path) -> None:
    clean = tmp_path / "clean.pdf"
    clean.write_bytes(PDF)
    infected = tmp_path / "infected.pdf"
    infected.write_bytes(b"%PDF-1.4 X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*")
    assert (await ensure_clean(NoopScanner(), infected)).clean
    assert (await ensure_clean(FlaggingScanner(), clean)).engine == "test"
    with pytest.raises(AttachmentInfected) as caught:
        await ensure_clean(FlaggingScanner(), infected)
    assert caught.value.code == "attachment_infected" and "病毒" in caught.value.detail


def test_application_total_limit() -> None:
    check_application_total(90 * 1024 * 1024, 10 * 1024 * 1024)
    with pytest.raises(AttachmentTooLarge) as caught:
        check_application_total(90 * 1024 * 1024, 10 * 1024 * 1024 + 1)
    assert caught.value.code == "attachment_total_too_large"
    assert "100 MB" in caught.value.detail and "90 MB" in caught.value.detail


@pytest.mark.parametrize(
    ("size", "shown"), [(0, "0 B"), (1023, "1023 B"), (10240, "10 KB"), (1572864, "1.5 MB"), (20 * 1024**2, "20 MB")]
)
def test_format_size(size: int, shown: str) -> None:
    assert format_size(size) == shown


async def test_upload_flow_end_to_end(storage: LocalFileStorage, tmp_path: Path) -> None:
    """The order a service uses: spool (size) -> check type -> scan -> store under a server key."""
    upload = UploadFile(content_type="application/pdf", filename="../../申报书（终稿）.pdf", file_data=PDF)
    async with spool_upload(upload, max_bytes=1024 * 1024, directory=tmp_path) as spooled:
        detected = check_upload(upload.filename, spooled.path, {"pdf", "docx"})
        await ensure_clean(NoopScanner(), spooled.path)
        stored = await storage.save(new_key(99), spooled.path)
    assert filename_for(upload.filename, detected) == "申报书（终稿）.pdf"
    assert (detected.mime, stored.size, stored.sha256) == ("application/pdf", spooled.size, spooled.sha256)
    assert "申报书" not in stored.key
    assert await read_all(storage, stored.key) == PDF
    await upload.close()
