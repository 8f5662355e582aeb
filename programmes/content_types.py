"""Attachment types: detection by content (magic bytes, OOXML parts), upload checks and safe filenames.

A round declares which kinds it accepts (``DECLARABLE``: pdf, docx, xlsx, jpeg, png). An upload is accepted only
when its *content* is one of those kinds and its extension, if any, agrees with the content. Other recognised
contents (executables, archives, legacy OLE Office files, macro-enabled OOXML, HEIC photos...) are identified only so
that the refusal can say what the file really is. Legacy ``.doc``/``.xls`` are not accepted: the OLE container
cannot be told apart cheaply and commonly carries VBA macros; every current office suite (WPS included) saves
.docx/.xlsx. See docs/attachments-and-exports.md.
"""

from __future__ import annotations

import io
import os
import re
import unicodedata
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import IO
from urllib.parse import quote

from app.errors import DomainError, FieldError

HEAD_SIZE = 1024
"""Bytes of a file's beginning that :func:`sniff` looks at."""

MAX_OOXML_ENTRIES = 10_000
"""A real .docx/.xlsx has a few hundred parts; more is treated as a plain ZIP (and never decompressed)."""

MAX_FILENAME_BYTES = 180
"""UTF-8 length cap for stored display names: well under the 255-byte filesystem limit and readable in a list."""

FALLBACK_STEM = "附件"


@dataclass(frozen=True)
class DetectedType:
    kind: str
    mime: str
    extensions: tuple[str, ...]  # lower case, without the dot; the first is canonical
    label_zh: str

    @property
    def declarable(self) -> bool:
        return self.kind in DECLARABLE

    @property
    def extension(self) -> str:
        return self.extensions[0] if self.extensions else ""


def _t(kind: str, mime: str, extensions: tuple[str, ...], label_zh: str) -> DetectedType:
    return DetectedType(kind, mime, extensions, label_zh)


_OOXML = "application/vnd.openxmlformats-officedocument"
TYPES: dict[str, DetectedType] = {
    t.kind: t
    for t in (
        _t("pdf", "application/pdf", ("pdf",), "PDF 文档"),
        _t("docx", f"{_OOXML}.wordprocessingml.document", ("docx",), "Word 文档（.docx）"),
        _t("xlsx", f"{_OOXML}.spreadsheetml.sheet", ("xlsx",), "Excel 表格（.xlsx）"),
        _t("jpeg", "image/jpeg", ("jpg", "jpeg"), "JPEG 图片"),
        _t("png", "image/png", ("png",), "PNG 图片"),
        # Recognised so that a refusal names what the file really is; never declarable.
        _t("pptx", f"{_OOXML}.presentationml.presentation", ("pptx",), "PowerPoint 演示文稿（.pptx）"),
        _t("ooxml_macro", "application/vnd.ms-office.macroenabled", ("docm", "xlsm", "pptm"), "含宏的 Office 文件"),
        _t("ole", "application/x-ole-storage", ("doc", "xls", "ppt"), "旧版 Office 文件（.doc/.xls/.ppt）"),
        _t("zip", "application/zip", ("zip",), "ZIP 压缩包"),
        _t("rar", "application/vnd.rar", ("rar",), "RAR 压缩包"),
        _t("7z", "application/x-7z-compressed", ("7z",), "7z 压缩包"),
        _t("gzip", "application/gzip", ("gz", "tgz"), "gzip 压缩包"),
        _t("exe", "application/x-msdownload", ("exe", "dll", "scr", "com"), "Windows 可执行程序"),
        _t("elf", "application/x-executable", (), "Linux 可执行程序"),
        _t("gif", "image/gif", ("gif",), "GIF 图片"),
        _t("webp", "image/webp", ("webp",), "WebP 图片"),
        _t("heic", "image/heic", ("heic", "heif"), "HEIC 图片（苹果手机照片格式）"),
    )
}

DECLARABLE: frozenset[str] = frozenset({"pdf", "docx", "xlsx", "jpeg", "png"})
_ALIASES = {"jpg": "jpeg", "jpe": "jpeg"}

_HINTS = {
    "ole": "请用 Office 或 WPS 另存为 .docx/.xlsx 或 PDF 后上传",
    "ooxml_macro": "请另存为不含宏的 .docx/.xlsx 后上传",
    "heic": "请在手机上将照片导出为 JPG 后上传",
    "pptx": "请导出为 PDF 后上传",
}

# (offset, signature, kind); checked in order, all at fixed offsets.
_MAGIC: tuple[tuple[int, bytes, str], ...] = (
    (0, b"\x89PNG\r\n\x1a\n", "png"),
    (0, b"\xff\xd8\xff", "jpeg"),
    (0, b"PK\x03\x04", "zip"),
    (0, b"PK\x05\x06", "zip"),  # empty archive
    (0, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "ole"),
    (0, b"MZ", "exe"),
    (0, b"\x7fELF", "elf"),
    (0, b"GIF87a", "gif"),
    (0, b"GIF89a", "gif"),
    (0, b"Rar!\x1a\x07", "rar"),
    (0, b"7z\xbc\xaf\x27\x1c", "7z"),
    (0, b"\x1f\x8b", "gzip"),
)
_HEIC_BRANDS = {b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"mif1", b"msf1"}


class AttachmentTypeError(DomainError):
    """An upload refused for its type; ``code`` is one of the ``attachment_*`` codes below."""


def _refuse(code: str, message: str) -> AttachmentTypeError:
    return AttachmentTypeError(code, message, 422, [FieldError("file", code, message)])


def normalise_declared(names: Iterable[str]) -> frozenset[str]:
    """A round's declared types as kinds: case, a leading dot and ``jpg`` are accepted; unknown names refused."""
    kinds: set[str] = set()
    for name in names:
        kind = name.strip().lower().lstrip(".")
        kind = _ALIASES.get(kind, kind)
        if kind not in DECLARABLE:
            message = f"不支持的附件类型“{name}”，可选：{'、'.join(sorted(DECLARABLE))}"
            code = "attachment_types_invalid"
            raise DomainError(code, message, 422, [FieldError("attachment_types", code, message)])
        kinds.add(kind)
    return frozenset(kinds)


def sniff(head: bytes) -> DetectedType | None:
    """The type named by a file's first bytes (:data:`HEAD_SIZE` suffice). ZIP-based Office files come back as
    ``zip``: telling .docx from .xlsx needs the central directory, see :func:`detect`."""
    for offset, signature, kind in _MAGIC:
        if head.startswith(signature, offset):
            return TYPES[kind]
    if head[4:8] == b"ftyp" and head[8:12] in _HEIC_BRANDS:
        return TYPES["heic"]
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return TYPES["webp"]
    # PDF readers accept the header anywhere in the first 1024 bytes.
    if b"%PDF-" in head[:HEAD_SIZE]:
        return TYPES["pdf"]
    return None


Source = bytes | bytearray | memoryview | os.PathLike[str] | IO[bytes]


def detect(source: Source) -> DetectedType | None:
    """The type of a whole file: bytes, a path, or a seekable binary file (its position is restored)."""
    if isinstance(source, bytes | bytearray | memoryview):
        return _detect_stream(io.BytesIO(bytes(source)))
    if isinstance(source, os.PathLike):
        with Path(source).open("rb") as stream:
            return _detect_stream(stream)
    position = source.tell()
    try:
        source.seek(0)
        return _detect_stream(source)
    finally:
        source.seek(position)


def _detect_stream(stream: IO[bytes]) -> DetectedType | None:
    head = stream.read(HEAD_SIZE)
    detected = sniff(head)
    if detected is None or detected.kind != "zip":
        return detected
    return _ooxml_kind(stream) or detected


def _ooxml_kind(stream: IO[bytes]) -> DetectedType | None:
    """docx/xlsx/pptx (or macro-enabled) by the part names in the central directory; nothing is decompressed."""
    if not _entry_count_plausible(stream):
        return None
    try:
        stream.seek(0)
        with zipfile.ZipFile(stream) as archive:
            names = archive.namelist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError):
        return None
    if "[Content_Types].xml" not in names:
        return None
    if any(name.lower().endswith("vbaproject.bin") for name in names):
        return TYPES["ooxml_macro"]
    for prefix, kind in (("word/", "docx"), ("xl/", "xlsx"), ("ppt/", "pptx")):
        if any(name.startswith(prefix) for name in names):
            return TYPES[kind]
    return None


def _entry_count_plausible(stream: IO[bytes]) -> bool:
    """Read the end-of-central-directory record ourselves, so that a crafted archive listing millions of entries
    is not loaded into memory by :mod:`zipfile`."""
    size = stream.seek(0, io.SEEK_END)
    tail_size = min(size, 22 + 0xFFFF)
    stream.seek(size - tail_size)
    tail = stream.read(tail_size)
    at = tail.rfind(b"PK\x05\x06")
    if at < 0 or len(tail) < at + 22:
        return False
    entries = int.from_bytes(tail[at + 10 : at + 12], "little")
    return 0 < entries <= MAX_OOXML_ENTRIES


def extension_of(filename: str) -> str:
    """The lower-case extension without the dot ('' if none)."""
    name = re.split(r"[\\/]", filename)[-1]
    stem, dot, ext = name.rpartition(".")
    return ext.strip().lower() if dot and ext.strip() else ""


def check_upload(filename: str, source: Source, declared_allowed: Iterable[str]) -> DetectedType:
    """Accept an upload whose content is a declared type and whose extension (if any) agrees with the content.

    Raises :class:`AttachmentTypeError` with code ``attachment_unknown_content``, ``attachment_type_mismatch``
    (the extension names another type: a disguised file) or ``attachment_type_not_allowed``, in that order.
    """
    allowed = normalise_declared(declared_allowed)
    allowed_zh = "、".join(TYPES[kind].label_zh for kind in sorted(allowed)) or "（本轮未开放附件上传）"
    detected = detect(source)
    if detected is None:
        raise _refuse(
            "attachment_unknown_content", f"无法识别文件内容，文件可能已损坏或类型不受支持；允许的类型：{allowed_zh}"
        )
    ext = extension_of(safe_filename(filename))
    if ext and ext not in detected.extensions:
        raise _refuse(
            "attachment_type_mismatch",
            f"文件扩展名为 .{ext}，但内容实际是{detected.label_zh}，与扩展名不符；请确认文件后重新上传",
        )
    if detected.kind not in allowed:
        hint = _HINTS.get(detected.kind)
        message = f"本轮申报不接受{detected.label_zh}；允许的类型：{allowed_zh}"
        raise _refuse("attachment_type_not_allowed", f"{message}。{hint}" if hint else message)
    return detected


_RESERVED_WINDOWS = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(10)), *(f"lpt{i}" for i in range(10))}
_UNSAFE_CHARS = re.compile(r'[<>:"|?*\x00-\x1f\x7f]')
_EXTENSION = re.compile(r"[A-Za-z0-9]{1,10}")
_SPACES = re.compile(" {2,}")
_DROP = {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"}


def _clean(text: str) -> str:
    # Tabs, line breaks and odd spaces become spaces; control, format (bidi overrides...) and unassigned go.
    text = "".join(" " if ch.isspace() else ch for ch in text if ch.isspace() or unicodedata.category(ch) not in _DROP)
    return unicodedata.normalize("NFC", _SPACES.sub(" ", _UNSAFE_CHARS.sub("_", text)))


def _truncate_utf8(text: str, limit: int) -> str:
    encoded = text.encode("utf-8")
    if len(encoded) <= limit:
        return text
    return encoded[:limit].decode("utf-8", errors="ignore")


def safe_filename(original: str, max_bytes: int = MAX_FILENAME_BYTES) -> str:
    """A display name safe to store and to offer in Content-Disposition; never used as a storage key.

    Directories (``/`` and ``\\``, drive letters, ``..``) are dropped, NUL/control/bidi-override characters removed,
    characters Windows forbids replaced by ``_``; Chinese and other letters are kept; leading dots and trailing
    dots/spaces are stripped; the stem is shortened to fit ``max_bytes`` (UTF-8) keeping the extension. Never empty.
    """
    segments = [_clean(part) for part in re.split(r"[\\/]", original)]
    segments = [part for part in segments if part.strip(" .")]
    name = segments[-1] if segments else ""
    stem, dot, ext = name.rpartition(".")
    if not dot or not _EXTENSION.fullmatch(ext):
        stem, ext = name, ""
    stem = stem.strip(" .")
    if stem.split(".")[0].lower() in _RESERVED_WINDOWS:
        stem = f"_{stem}"
    suffix = f".{ext}" if ext else ""
    stem = _truncate_utf8(stem, max(max_bytes - len(suffix.encode("utf-8")), 1)).rstrip(" .") or FALLBACK_STEM
    return f"{stem}{suffix}"


def filename_for(original: str, detected: DetectedType) -> str:
    """:func:`safe_filename`, with the detected type's canonical extension added when the name has none."""
    name = safe_filename(original)
    return name if extension_of(name) in detected.extensions else f"{name}.{detected.extension}"


def content_disposition(filename: str, disposition: str = "attachment") -> str:
    """RFC 6266 header value: an ASCII fallback plus the UTF-8 name (``filename*``) that browsers show."""
    name = safe_filename(filename)
    fallback = "".join(ch if 0x20 <= ord(ch) < 0x7F and ch not in '"\\%;' else "_" for ch in name)
    return f"{disposition}; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"
