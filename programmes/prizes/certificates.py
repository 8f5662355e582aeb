"""获奖证书: every prize has one, made when the prizes are confirmed (its verification code is on the prize row).

The PDF (for the organisation's members or staff in scope) and the public check at ``GET /award-certificates/{code}``
show only the organisation, the project, the prize and the edition; the file is named after the code alone.
"""

from __future__ import annotations

from typing import Any

from app.access import load
from app.auth.principal import Principal
from app.errors import not_found
from app.timezone import shown
from programmes.camps.certificate_pdf import CertificateText, render_document
from programmes.prizes.access import PRIZES
from programmes.prizes.schemas import AwardCertificateCheck
from programmes.prizes.tables import Prize

LABEL = "获奖证书"


async def _facts(where: Any) -> dict[str, Any] | None:
    row = (
        await Prize.select(
            Prize.verification_code,
            Prize.created_at,
            Prize.organisation.name.as_alias("organisation_name"),
            Prize.application.title.as_alias("project_title"),
            Prize.tier.name.as_alias("prize"),
            Prize.confirmation._.edition._.title.as_alias("edition_title"),
            Prize.confirmation._.edition._.programme._.name.as_alias("programme_name"),
        )
        .where(where)
        .first()
    )
    return dict(row) if row is not None else None


def _check(facts: dict[str, Any]) -> AwardCertificateCheck:
    return AwardCertificateCheck(
        valid=True,
        verification_code=facts["verification_code"],
        organisation_name=facts["organisation_name"],
        project_title=facts["project_title"],
        prize=facts["prize"],
        edition=f"{facts['programme_name']}（{facts['edition_title']}）",
    )


async def verify(code: str) -> AwardCertificateCheck:
    """The public check of a verification code (anyone, no login)."""
    wanted = code.strip().upper()
    # Any text that is not a stored code is the same "not found", whatever its length.
    facts = await _facts(Prize.verification_code == wanted) if 0 < len(wanted) <= 32 else None
    if facts is None:
        raise not_found(LABEL)
    return _check(facts)


async def certificate_pdf(principal: Principal, prize_id: int, base_url: str) -> tuple[str, bytes]:
    await load(principal, PRIZES.table, prize_id, "party", columns=(Prize.organisation, Prize.scope_district))
    facts = await _facts(Prize.id == prize_id)
    assert facts is not None  # just loaded
    check = _check(facts)
    body = (
        f"{check.organisation_name}：\n"
        f"贵单位的项目「{check.project_title}」在{check.edition}中荣获{check.prize}，特发此证，以资鼓励。"
    )
    pdf = render_document(
        CertificateText(
            heading=LABEL,
            body=body,
            issued_on=shown(facts["created_at"]).date(),
            verification_code=check.verification_code,
            verify_url=f"{base_url.rstrip('/')}/award-certificates/{check.verification_code}",
        )
    )
    return f"award-certificate-{check.verification_code}.pdf", pdf
