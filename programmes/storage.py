"""Attachment storage: a small async interface, the local-filesystem default, upload spooling and a virus-scan hook.

Keys are made by the server (:func:`new_key`), never from a user's filename; the display name is kept in the
database (see :func:`programmes.content_types.safe_filename`). Blocking file IO runs in worker threads. Other
back ends (S3, Aliyun OSS, ...) implement :class:`AttachmentStorage`; a virus scanner (e.g. ClamAV through clamd)
implements :class:`VirusScanner`. See docs/attachments-and-exports.md.
"""

from __future__ import annotations

import hashlib
import inspect
import os
import re
import tempfile
import uuid
from collections.abc import AsyncGenerator, AsyncIterable, AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Protocol, cast

from anyio import to_thread

from app.errors import DomainError, FieldError

CHUNK_SIZE = 64 * 1024
DEFAULT_MAX_FILE_BYTES = 20 * 1024 * 1024
DEFAULT_MAX_APPLICATION_BYTES = 100 * 1024 * 1024
MAX_KEY_LENGTH = 255

_KEY = re.compile(r"[a-z0-9][a-z0-9_-]{0,127}(/[a-z0-9][a-z0-9_-]{0,127}){0,15}")
_TMP_DIR = ".tmp"  # inside the root, so that os.replace stays on one filesystem; never a valid key segment


class AsyncReadable(Protocol):
    """Anything with ``async read(size)``, such as Litestar's ``UploadFile``."""

    async def read(self, size: int = -1) -> bytes: ...


Payload = bytes | bytearray | memoryview | os.PathLike[str] | IO[bytes] | AsyncReadable | AsyncIterable[bytes]


@dataclass(frozen=True)
class StoredObject:
    key: str
    size: int
    sha256: str  # hex


class AttachmentTooLarge(DomainError):
    """``attachment_too_large`` (one file) or ``attachment_total_too_large`` (an application's files together)."""


class AttachmentNotFound(DomainError):
    """``attachment_not_found``."""


class AttachmentInfected(DomainError):
    """``attachment_infected``: the virus scanner flagged the file."""


class InvalidKey(ValueError):
    """A key that is not server-made or would leave the storage root: a programming error, never user input."""


def format_size(size: int) -> str:
    for unit, factor in (("GB", 1024**3), ("MB", 1024**2), ("KB", 1024)):
        if size >= factor:
            return f"{size / factor:.1f}".removesuffix(".0") + f" {unit}"
    return f"{size} B"


def too_large(limit: int) -> AttachmentTooLarge:
    message = f"文件超过大小上限（{format_size(limit)}），请压缩或拆分后上传"
    return AttachmentTooLarge(
        "attachment_too_large", message, 413, [FieldError("file", "attachment_too_large", message)]
    )


def check_application_total(existing_bytes: int, new_bytes: int, limit: int = DEFAULT_MAX_APPLICATION_BYTES) -> None:
    """Refuse a file that would take an application's attachments past ``limit`` bytes together."""
    if existing_bytes + new_bytes > limit:
        code = "attachment_total_too_large"
        message = f"本申报的附件总大小不能超过 {format_size(limit)}（已上传 {format_size(existing_bytes)}）"
        raise AttachmentTooLarge(code, message, 413, [FieldError("file", code, message)])


def new_key(application_id: int | str, prefix: str = "applications") -> str:
    """A fresh server-side key, ``applications/<application_id>/<uuid4 hex>``."""
    return validate_key(f"{prefix}/{str(application_id).lower()}/{uuid.uuid4().hex}")


def validate_key(key: str) -> str:
    """Keys are lower-case ``[a-z0-9_-]`` segments joined by ``/``: no dots, so no ``..``, no absolute paths."""
    if len(key) > MAX_KEY_LENGTH or not _KEY.fullmatch(key):
        raise InvalidKey(f"invalid storage key: {key!r}")
    return key


async def iter_payload(data: Payload, chunk_size: int = CHUNK_SIZE) -> AsyncGenerator[bytes, None]:
    """Chunks of bytes, a path, a binary file (read in a thread), an async reader or an async iterable."""
    if isinstance(data, bytes | bytearray | memoryview):
        view = memoryview(data)
        for start in range(0, len(view), chunk_size):
            yield bytes(view[start : start + chunk_size])
    elif isinstance(data, os.PathLike):
        stream = await to_thread.run_sync(Path(data).open, "rb")
        try:
            while chunk := await to_thread.run_sync(stream.read, chunk_size):
                yield chunk
        finally:
            stream.close()
    elif isinstance(data, AsyncIterable):
        async for chunk in data:
            if chunk:
                yield bytes(chunk)
    elif inspect.iscoroutinefunction(data.read):
        reader = cast(AsyncReadable, data)
        while chunk := await reader.read(chunk_size):
            yield chunk
    else:
        binary = cast(IO[bytes], data)
        while chunk := await to_thread.run_sync(binary.read, chunk_size):
            yield chunk


async def _copy_limited(data: Payload, target: IO[bytes], max_bytes: int | None) -> tuple[int, str]:
    """Write ``data`` to ``target``; stop with ``attachment_too_large`` as soon as more than ``max_bytes`` arrive."""
    digest = hashlib.sha256()
    size = 0
    chunks = iter_payload(data)
    try:
        async for chunk in chunks:
            size += len(chunk)
            if max_bytes is not None and size > max_bytes:
                raise too_large(max_bytes)
            digest.update(chunk)
            await to_thread.run_sync(target.write, chunk)
        await to_thread.run_sync(_flush_and_sync, target)
    finally:
        await chunks.aclose()
    return size, digest.hexdigest()


def _flush_and_sync(stream: IO[bytes]) -> None:
    stream.flush()
    os.fsync(stream.fileno())


def _make_dirs(*directories: Path) -> None:
    for directory in directories:
        directory.mkdir(parents=True, exist_ok=True)


def _discard(stream: IO[bytes], path: Path) -> None:
    # Synchronous on purpose: it must also run when the task is being cancelled.
    stream.close()
    path.unlink(missing_ok=True)


class AttachmentStorage(Protocol):
    """Where attachment bytes live. Implementations must be safe to share between concurrent requests."""

    async def save(self, key: str, data: Payload, *, max_bytes: int | None = None) -> StoredObject:
        """Store ``data`` under ``key`` all-or-nothing (no partial object on error or when over ``max_bytes``)."""
        ...

    async def open(self, key: str, *, chunk_size: int = CHUNK_SIZE) -> AsyncIterator[bytes]:
        """Raises ``attachment_not_found`` now if missing; the returned iterator streams the content."""
        ...

    async def delete(self, key: str) -> None:
        """Idempotent: deleting a missing key is not an error."""
        ...

    async def exists(self, key: str) -> bool: ...


class LocalFileStorage:
    """Files under ``root``, one per key; writes go to ``root/.tmp`` and are moved into place with ``os.replace``."""

    def __init__(self, root: Path, *, max_bytes: int | None = DEFAULT_MAX_FILE_BYTES) -> None:
        self.root = Path(root).resolve()
        self.max_bytes = max_bytes

    def path_for(self, key: str) -> Path:
        path = (self.root / validate_key(key)).resolve()
        if not path.is_relative_to(self.root) or path == self.root:
            raise InvalidKey(f"storage key escapes the root: {key!r}")
        return path

    async def save(self, key: str, data: Payload, *, max_bytes: int | None = None) -> StoredObject:
        path = await to_thread.run_sync(self.path_for, key)  # resolve() touches the filesystem
        limit = max_bytes if max_bytes is not None else self.max_bytes
        tmp_dir = self.root / _TMP_DIR
        await to_thread.run_sync(_make_dirs, tmp_dir, path.parent)
        tmp = tmp_dir / f"{uuid.uuid4().hex}.part"
        stream = await to_thread.run_sync(tmp.open, "xb")
        try:
            size, sha256 = await _copy_limited(data, stream, limit)
            stream.close()
            await to_thread.run_sync(os.replace, tmp, path)
        except BaseException:
            _discard(stream, tmp)
            raise
        return StoredObject(key, size, sha256)

    async def open(self, key: str, *, chunk_size: int = CHUNK_SIZE) -> AsyncIterator[bytes]:
        path = await to_thread.run_sync(self.path_for, key)
        if not await to_thread.run_sync(path.is_file):
            raise AttachmentNotFound("attachment_not_found", "附件不存在或无权访问", 404)
        return iter_payload(path, chunk_size)

    async def delete(self, key: str) -> None:
        await to_thread.run_sync(lambda: self.path_for(key).unlink(missing_ok=True))

    async def exists(self, key: str) -> bool:
        return await to_thread.run_sync(lambda: self.path_for(key).is_file())


@dataclass(frozen=True)
class SpooledUpload:
    path: Path
    size: int
    sha256: str


@asynccontextmanager
async def spool_upload(
    data: Payload, *, max_bytes: int | None = DEFAULT_MAX_FILE_BYTES, directory: Path | None = None
) -> AsyncIterator[SpooledUpload]:
    """Receive an upload into a temporary file (size-limited, hashed), removed on exit.

    The file is what :func:`programmes.content_types.check_upload` and a :class:`VirusScanner` look at before the
    upload is handed to :meth:`AttachmentStorage.save`.
    """
    descriptor, name = await to_thread.run_sync(
        lambda: tempfile.mkstemp(prefix="upload-", suffix=".part", dir=directory)
    )
    path = Path(name)
    stream = os.fdopen(descriptor, "wb")
    try:
        size, sha256 = await _copy_limited(data, stream, max_bytes)
        stream.close()
        yield SpooledUpload(path, size, sha256)
    finally:
        _discard(stream, path)


@dataclass(frozen=True)
class ScanResult:
    clean: bool
    signature: str | None = None  # what the scanner found, e.g. "Eicar-Test-Signature"
    engine: str = ""


class VirusScanner(Protocol):
    """Extension point: scan a local file before it is stored. Raise on scanner failure (the upload then fails
    closed); return ``ScanResult(clean=False, signature=...)`` for an infected file."""

    async def scan(self, path: Path) -> ScanResult: ...


class NoopScanner:
    """The default: accepts everything. Replace with a real scanner (e.g. clamd's INSTREAM) in production."""

    async def scan(self, path: Path) -> ScanResult:
        return ScanResult(clean=True, engine="noop")


async def ensure_clean(scanner: VirusScanner, path: Path) -> ScanResult:
    """Scan ``path``; raise ``attachment_infected`` if the scanner flags it."""
    result = await scanner.scan(path)
    if not result.clean:
        message = "文件未通过病毒扫描，已拒绝上传"
        raise AttachmentInfected(
            "attachment_infected", message, 422, [FieldError("file", "attachment_infected", message)]
        )
    return result
