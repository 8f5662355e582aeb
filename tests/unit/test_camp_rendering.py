"""The camps' pure parts: the QR PNG, the certificate PDF (with a CJK font), the check-in window and the completion
rule."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from programmes.camps import attendance_rules as rules
from programmes.camps.certificate_pdf import CertificateFacts, cjk_font, render_certificate
from programmes.camps.qr import checkin_payload, checkin_qr_png

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def test_qr_is_a_png_and_deterministic() -> None:
    payload = checkin_payload(42, "012345", "http://seedbed.example/")
    assert payload == "http://seedbed.example/portal/camps/sessions/42/checkin?code=012345"
    assert checkin_payload(42, "012345") == "/portal/camps/sessions/42/checkin?code=012345"
    png = checkin_qr_png(payload)
    assert png.startswith(PNG_SIGNATURE)
    assert png == checkin_qr_png(payload)
    assert png != checkin_qr_png(checkin_payload(42, "012346"))


def test_qr_refuses_an_empty_payload() -> None:
    with pytest.raises(ValueError):
        checkin_qr_png("")


def _facts() -> CertificateFacts:
    return CertificateFacts(
        organisation="上海市静安区阳光社工服务社",
        participant="张三",
        camp="2026年品牌塑造营（第一期）",
        camp_kind="品牌塑造营",
        first_day=date(2026, 3, 2),
        last_day=date(2026, 3, 30),
        sessions_attended=4,
        sessions_total=5,
        verification_code="ABCD2345EFGH",
        verify_url="https://seedbed.example/certificates/ABCD2345EFGH",
        issued_on=date(2026, 4, 1),
    )


def test_certificate_is_a_pdf_with_an_embedded_cjk_font() -> None:
    pdf = render_certificate(_facts())
    assert pdf.startswith(b"%PDF-")
    assert pdf.rstrip().endswith(b"%%EOF")
    # The CJK face is embedded (a subset), not referenced: the PDF renders Chinese on a machine without the font.
    assert b"/FontFile2" in pdf or b"/FontFile3" in pdf
    assert b"NotoSansCJK" in pdf or b"Noto" in pdf or b"WenQuanYi" in pdf


def test_certificate_carries_the_verification_code() -> None:
    pdf = render_certificate(_facts())
    # The document title holds the code (a UTF-16 hex string in the info dictionary), so a reader can find it.
    title_hex = ("结业证书 ABCD2345EFGH").encode("utf-16-be").hex().encode()
    assert b"<feff" + title_hex + b">" in pdf


def test_a_cjk_font_is_installed() -> None:
    path, index = cjk_font()
    assert path and index >= 0


BASE = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)


def test_window_edges_are_in_and_one_second_outside_is_out() -> None:
    window = rules.checkin_window(BASE, BASE + timedelta(hours=2), margin_minutes=15)
    assert window.contains(BASE - timedelta(minutes=15))
    assert window.contains(BASE + timedelta(hours=2, minutes=15))
    assert not window.contains(BASE - timedelta(minutes=15, seconds=1))
    assert not window.contains(BASE + timedelta(hours=2, minutes=15, seconds=1))


def test_codes_are_six_digits_and_hashed_per_session() -> None:
    code = rules.new_code()
    assert len(code) == 6 and code.isdigit()
    stored = rules.hash_code(7, code)
    assert code not in stored
    assert rules.code_matches(7, code, stored)
    assert not rules.code_matches(8, code, stored)


@pytest.mark.parametrize(
    ("attended", "total", "percent", "expected"),
    [(4, 5, 80, True), (3, 5, 80, False), (0, 0, 80, False), (5, 5, 100, True), (1, 3, 33, True), (1, 3, 34, False)],
)
def test_completion_rule(attended: int, total: int, percent: int, expected: bool) -> None:
    assert rules.completes(attended, total, percent) is expected


def test_verification_codes_avoid_look_alikes() -> None:
    code = rules.new_verification_code()
    assert len(code) == 12
    assert not set(code) & set("01IO")
