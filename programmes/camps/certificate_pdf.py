"""Certificates as PDF (pure: the facts in, bytes out): the camps' completion certificate (结业证书) here, and the
one page layout (``render_document``) other certificates share (the prizes' 获奖证书).

fpdf2 embeds a subset of a CJK font from Debian's fonts-noto-cjk (installed by `.ci/run` and the README's setup;
nothing is downloaded at run time). The certificate shows only what a paper certificate shows: the organisation,
the participant, the camp, the dates and the verification code and where to check it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from fpdf import FPDF

# Noto Sans CJK's collection: index 2 is the Simplified Chinese face (JP, KR, SC, TC, HK).
_FONT_CANDIDATES: tuple[tuple[str, int], ...] = (
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 2),
    ("/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc", 2),
    ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 0),
    ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 0),
)


class CertificateFontMissing(RuntimeError):
    """No CJK font is installed (apt-get install fonts-noto-cjk)."""


@dataclass(frozen=True)
class CertificateFacts:
    organisation: str
    participant: str
    camp: str
    camp_kind: str  # 品牌塑造营, 项目全能营, …
    first_day: date
    last_day: date
    sessions_attended: int
    sessions_total: int
    verification_code: str
    verify_url: str
    issued_on: date


def cjk_font() -> tuple[str, int]:
    """The first installed CJK font file and its index in the collection."""
    for path, index in _FONT_CANDIDATES:
        if Path(path).is_file():
            return path, index
    raise CertificateFontMissing("no CJK font: apt-get install fonts-noto-cjk")


def chinese_date(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def render_certificate(facts: CertificateFacts) -> bytes:
    """The completion certificate as PDF bytes (A4 landscape, one page)."""
    body = (
        f"{facts.organisation} {facts.participant}：\n"
        f"于{chinese_date(facts.first_day)}至{chinese_date(facts.last_day)}参加"
        f"「{facts.camp}」（{facts.camp_kind}），"
        f"出勤 {facts.sessions_attended}/{facts.sessions_total} 次课程，达到结业要求，特发此证。"
    )
    return render_document(
        CertificateText("结业证书", body, facts.issued_on, facts.verification_code, facts.verify_url)
    )


@dataclass(frozen=True)
class CertificateText:
    """What any certificate page shows: a heading, the body text, the date of issue, and how to check it."""

    heading: str  # 结业证书, 获奖证书, …
    body: str
    issued_on: date
    verification_code: str
    verify_url: str


def render_document(text: CertificateText) -> bytes:
    """A certificate as PDF bytes (A4 landscape, one page): the layout every certificate shares."""
    font_path, font_index = cjk_font()
    pdf = FPDF(orientation="L", unit="mm", format="A4")
    pdf.set_title(f"{text.heading} {text.verification_code}")
    pdf.set_creator("Seedbed")
    pdf.set_auto_page_break(False)
    pdf.add_page()
    pdf.add_font("cjk", fname=font_path, collection_font_number=font_index)
    width = pdf.w - 40

    pdf.set_draw_color(160, 30, 30)
    pdf.set_line_width(1.2)
    pdf.rect(10, 10, pdf.w - 20, pdf.h - 20)

    pdf.set_xy(20, 30)
    pdf.set_font("cjk", size=36)
    pdf.cell(width, 18, text.heading, align="C")

    pdf.set_xy(20, 62)
    pdf.set_font("cjk", size=16)
    pdf.multi_cell(width, 11, text.body, align="L")

    pdf.set_xy(20, pdf.h - 62)
    pdf.set_font("cjk", size=14)
    pdf.cell(width, 9, f"发证日期：{chinese_date(text.issued_on)}", align="R")

    pdf.set_xy(20, pdf.h - 42)
    pdf.set_font("cjk", size=11)
    pdf.cell(width, 7, f"验证码：{text.verification_code}", align="L")
    pdf.set_xy(20, pdf.h - 34)
    pdf.cell(width, 7, f"查验地址：{text.verify_url}", align="L")
    return bytes(pdf.output())
