"""Attachment type detection by content, upload checks (disguised files) and filename safety."""

from __future__ import annotations

import io
import struct
import tempfile
import zipfile
import zlib
from pathlib import Path
from urllib.parse import unquote

import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import Workbook

from app.errors import DomainError
from programmes.content_types import (
    DECLARABLE,
    MAX_FILENAME_BYTES,
    AttachmentTypeError,
    check_upload,
    content_disposition,
    detect,
    extension_of,
    filename_for,
    normalise_declared,
    safe_filename,
    sniff,
)

ALL = {"pdf", "docx", "xlsx", "jpg", "png"}


def make_png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\x00\x00")
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")


PNG = make_png()
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x00" * 64 + b"\xff\xd9"
PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + b"\x00" * 200 + b"This program cannot be run in DOS mode."
OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504


def make_ooxml(main: str, extra: dict[str, bytes] | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        archive.writestr("_rels/.rels", '<?xml version="1.0"?><Relationships/>')
        archive.writestr(main, '<?xml version="1.0"?><document>申报书</document>')
        for name, data in (extra or {}).items():
            archive.writestr(name, data)
    return buffer.getvalue()


def make_xlsx() -> bytes:
    workbook = Workbook()
    workbook.active.append(["预算科目", "金额"])  # type: ignore[union-attr]
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def make_zip(count: int = 1) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for index in range(count):
            archive.writestr(f"f{index}.txt", "")
    return buffer.getvalue()


DOCX = make_ooxml("word/document.xml")
XLSX = make_xlsx()
PPTX = make_ooxml("ppt/presentation.xml")
DOCM = make_ooxml("word/document.xml", {"word/vbaProject.bin": b"\x00" * 32})


@pytest.mark.parametrize(
    ("content", "kind"),
    [
        (PDF, "pdf"),
        (b"\xef\xbb\xbf\r\n%PDF-1.4\n", "pdf"),  # readers accept the header within the first 1024 bytes
        (PNG, "png"),
        (JPEG, "jpeg"),
        (DOCX, "docx"),
        (XLSX, "xlsx"),
        (PPTX, "pptx"),
        (DOCM, "ooxml_macro"),
        (make_zip(), "zip"),
        (OLE, "ole"),
        (EXE, "exe"),
        (EXE + DOCX, "exe"),  # a self-extracting archive is an executable, not a document
        (b"\x7fELF\x02\x01\x01", "elf"),
        (b"GIF89a\x01\x00", "gif"),
        (b"Rar!\x1a\x07\x01\x00", "rar"),
        (b"7z\xbc\xaf\x27\x1c\x00\x04", "7z"),
        (b"\x1f\x8b\x08\x00", "gzip"),
        (b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00", "heic"),
        (b"RIFF\x24\x00\x00\x00WEBPVP8 ", "webp"),
    ],
)
def test_detect_by_content(content: bytes, kind: str) -> None:
    detected = detect(content)
    assert detected is not None and detected.kind == kind
    assert detected.declarable == (kind in DECLARABLE)


@pytest.mark.parametrize("content", [b"", b"hello, world", "纯文本申报书".encode(), b"<html><body>x</body></html>"])
def test_unknown_content(content: bytes) -> None:
    assert detect(content) is None


def test_sniff_sees_only_the_head() -> None:
    sniffed = sniff(DOCX[:1024])
    assert sniffed is not None and sniffed.kind == "zip"  # the central directory is at the end
    assert sniff(PNG[:16]) == detect(PNG)


def test_detect_from_path_and_file_keeps_position(tmp_path: Path) -> None:
    path = tmp_path / "upload.bin"
    path.write_bytes(DOCX)
    assert detect(path) == detect(DOCX)
    stream = io.BytesIO(XLSX)
    stream.seek(7)
    detected = detect(stream)
    assert detected is not None and detected.kind == "xlsx"
    assert stream.tell() == 7
    with tempfile.SpooledTemporaryFile(max_size=10) as spooled:  # what Litestar's UploadFile holds
        spooled.write(PDF)
        detected = detect(spooled)
        assert detected is not None and detected.kind == "pdf"


def test_damaged_or_huge_zip_is_not_office() -> None:
    truncated = DOCX[: len(DOCX) - 30]  # end-of-central-directory record cut off
    detected = detect(truncated)
    assert detected is not None and detected.kind == "zip"
    many = make_ooxml("word/document.xml", {f"word/media/{i}.bin": b"" for i in range(10_001)})
    detected = detect(many)
    assert detected is not None and detected.kind == "zip"


@pytest.mark.parametrize(
    ("filename", "content", "allowed", "kind"),
    [
        ("申报书.pdf", PDF, {"pdf"}, "pdf"),
        ("项目计划书.DOCX", DOCX, ALL, "docx"),
        ("预算表.xlsx", XLSX, {"xlsx"}, "xlsx"),
        ("现场照片.JPG", JPEG, {"jpg"}, "jpeg"),
        ("现场照片.jpeg", JPEG, {"jpeg"}, "jpeg"),
        ("logo.png", PNG, {".PNG"}, "png"),
        ("扫描件", PDF, {"pdf"}, "pdf"),  # no extension: the content decides
        ("../../申报书.pdf", PDF, {"pdf"}, "pdf"),
    ],
)
def test_accepted_uploads(filename: str, content: bytes, allowed: set[str], kind: str) -> None:
    assert check_upload(filename, content, allowed).kind == kind


@pytest.mark.parametrize(
    ("filename", "content", "shown"),
    [
        ("申报书.pdf", PNG, "PNG 图片"),
        ("申报书.pdf", EXE, "Windows 可执行程序"),
        ("申报书.pdf.", EXE, "Windows 可执行程序"),  # Windows drops the trailing dot
        ("照片.jpg", PNG, "PNG 图片"),
        ("计划书.docx", XLSX, "Excel"),
        ("计划书.docx", make_zip(), "ZIP 压缩包"),
        ("计划书.docx", OLE, "旧版 Office"),  # a renamed .doc
        ("计划书.docx", DOCM, "含宏"),
        ("预算表.xlsx", EXE, "可执行程序"),
        ("说明.txt", PDF, "PDF"),
        ("payload.exe\x00.pdf", EXE, "可执行程序"),
    ],
)
def test_disguised_by_extension(filename: str, content: bytes, shown: str) -> None:
    with pytest.raises(AttachmentTypeError) as caught:
        check_upload(filename, content, ALL)
    error = caught.value
    assert error.code == "attachment_type_mismatch"
    assert error.status == 422
    assert shown in error.detail and "扩展名" in error.detail
    assert [(e.field, e.code) for e in error.errors] == [("file", "attachment_type_mismatch")]


@pytest.mark.parametrize(
    ("filename", "content", "allowed", "hint"),
    [
        ("照片.png", PNG, {"pdf"}, "PDF 文档"),
        ("setup.exe", EXE, ALL, "Windows 可执行程序"),
        ("旧版申报书.doc", OLE, ALL, "另存为"),
        ("计划书.docm", DOCM, ALL, "不含宏"),
        ("IMG_0001.HEIC", b"\x00\x00\x00\x18ftypheic" + b"\x00" * 16, ALL, "JPG"),
        ("申报书.pdf", PDF, set(), "未开放"),
    ],
)
def test_type_not_declared_for_round(filename: str, content: bytes, allowed: set[str], hint: str) -> None:
    with pytest.raises(AttachmentTypeError) as caught:
        check_upload(filename, content, allowed)
    assert caught.value.code == "attachment_type_not_allowed"
    assert "本轮申报不接受" in caught.value.detail and hint in caught.value.detail


def test_unknown_content_is_refused() -> None:
    with pytest.raises(AttachmentTypeError) as caught:
        check_upload("申报书.pdf", "这不是PDF".encode(), {"pdf", "docx"})
    assert caught.value.code == "attachment_unknown_content"
    assert "PDF 文档" in caught.value.detail and "Word" in caught.value.detail


def test_declared_types_are_normalised() -> None:
    assert normalise_declared(["PDF", ".png", "jpg", " Docx "]) == {"pdf", "png", "jpeg", "docx"}
    with pytest.raises(DomainError) as caught:
        normalise_declared(["pdf", "exe"])
    assert caught.value.code == "attachment_types_invalid" and "exe" in caught.value.detail


@pytest.mark.parametrize(
    ("original", "expected"),
    [
        ("../../etc/passwd", "passwd"),
        ("..\\..\\win.ini", "win.ini"),
        ("/etc/shadow", "shadow"),
        ("C:\\Users\\张三\\Desktop\\申报书.docx", "申报书.docx"),
        ("C:evil.pdf", "C_evil.pdf"),
        ("\\\\server\\share\\预算表.xlsx", "预算表.xlsx"),
        ("uploads/../../../申报书.pdf", "申报书.pdf"),
        ("a\x00b.pdf", "ab.pdf"),
        ("报告\x07\x1b\r\n.pdf", "报告.pdf"),
        ("invoice\u202etxt.exe", "invoicetxt.exe"),  # right-to-left override trick
        ('a<b>c:d"e|f?g*h.pdf', "a_b_c_d_e_f_g_h.pdf"),
        ("2026年度  社区\t服务项目申报书（终稿）.docx", "2026年度 社区 服务项目申报书（终稿）.docx"),
        ("🌟星耀计划.png", "🌟星耀计划.png"),
        ("con.txt", "_con.txt"),
        ("LPT1", "_LPT1"),
        (".pdf", "附件.pdf"),
        (".htaccess", "附件.htaccess"),
        ("report.", "report"),
        ("...", "附件"),
        ("..", "附件"),
        ("../", "附件"),
        ("", "附件"),
        ("   ", "附件"),
        ("\x00\x01", "附件"),
        ("v1.2 说明.final.PDF", "v1.2 说明.final.PDF"),
        ("e\u0301.pdf", "\u00e9.pdf"),  # NFC
    ],
)
def test_safe_filename(original: str, expected: str) -> None:
    assert safe_filename(original) == expected


def test_long_names_keep_their_extension() -> None:
    name = safe_filename("项" * 300 + ".docx")
    assert name.endswith(".docx") and name.startswith("项")
    assert len(name.encode()) <= MAX_FILENAME_BYTES
    assert set(name.removesuffix(".docx")) == {"项"}  # cut on a character boundary
    odd = safe_filename("a." + "b" * 400)  # not an extension: one long stem
    assert len(odd.encode()) <= MAX_FILENAME_BYTES and odd.startswith("a.b")


@given(st.text(max_size=400))
def test_safe_filename_properties(original: str) -> None:
    name = safe_filename(original)
    assert name and name not in {".", ".."}
    assert not name.startswith((".", " ")) and not name.endswith((".", " "))
    assert not any(ch in name for ch in '/\\:*?"<>|\x00')
    assert all(ord(ch) >= 0x20 and ord(ch) != 0x7F for ch in name)
    assert len(name.encode("utf-8")) <= MAX_FILENAME_BYTES
    assert safe_filename(name) == name  # idempotent


def test_extension_helpers() -> None:
    assert extension_of("a/b.c/申报书.PDF") == "pdf"
    assert extension_of("申报书") == "" and extension_of("dir.d/file") == ""
    pdf = detect(PDF)
    assert pdf is not None
    assert filename_for("扫描件", pdf) == "扫描件.pdf"
    assert filename_for("../扫描件.PDF", pdf) == "扫描件.PDF"
    assert filename_for("扫描件.txt", pdf) == "扫描件.txt.pdf"


def test_content_disposition_carries_chinese_name() -> None:
    header = content_disposition('../申报书 "终稿".pdf')
    assert header.startswith('attachment; filename="')
    ascii_part, utf8_part = header.split("; filename*=UTF-8''")
    assert ascii_part.isascii() and '"终稿"' not in ascii_part
    assert unquote(utf8_part) == "申报书 _终稿_.pdf"
    assert "/" not in unquote(utf8_part)
