"""获奖证书: every prize winner's PDF, and the public check of its code, reveal only organisation, project, prize and
edition; the 公益创业训练营 for winners (camps' audience "contest winners") admits prize winners."""

from __future__ import annotations

import re

import httpx
import pytest

from app.organisations.tables import Organisation
from programmes.camps.certificate_pdf import CertificateFontMissing, cjk_font
from tests.factories.camps import open_camp, registration_body
from tests.factories.http import ok, problem, refused
from tests.factories.prizes import confirmed, final_round, set_tiers, tiers

PHONE = re.compile(r"1[3-9]\d{9}")


def _no_cjk_font() -> bool:
    try:
        cjk_font()
    except CertificateFontMissing:
        return True
    return False


# The PDF embeds Debian's fonts-noto-cjk (.ci/run installs it; tests/unit/test_camp_rendering.py fails without it).
needs_font = pytest.mark.skipif(_no_cjk_font(), reason="no CJK font installed (apt-get install fonts-noto-cjk)")


async def test_every_winner_has_a_code_checked_in_public(client: httpx.AsyncClient) -> None:
    final = await final_round(client, [90, 80, 70, 60])
    await set_tiers(client, final, tiers(final.line_id))
    done = await confirmed(client, final)
    assert len(done["prizes"]) == 3 and len({p["verification_code"] for p in done["prizes"]}) == 3
    honour = done["prizes"][2]  # 优秀奖: no money, still a certificate

    check = ok(await client.get(f"/award-certificates/{honour['verification_code'].lower()}"))  # no login
    org = await Organisation.select().where(Organisation.id == final.orgs[honour["application_id"]]).first()
    assert org is not None
    assert check == {
        "valid": True,
        "verification_code": honour["verification_code"],
        "organisation_name": org["name"],
        "project_title": honour["title"],
        "prize": "优秀奖",
        "edition": "公益创新创业大赛（2026）",
    }
    text = str(check)
    assert not PHONE.search(text) and "@" not in text and org["credit_code"] not in text

    for code in ("AAAAAAAAAAAA", "x" * 40, "%20"):
        problem(await client.get(f"/award-certificates/{code}"), 404, "not_found")


async def test_the_certificate_pdf_is_for_the_winner_and_staff_only(client: httpx.AsyncClient) -> None:
    final = await final_round(client, [90, 80])
    body = {"tiers": [{"name": "优秀奖", "position": 1, "places": [{"track": None, "count": 1, "amount_fen": 0}]}]}
    await set_tiers(client, final, body)
    [prize] = (await confirmed(client, final))["prizes"]
    loser = final.members[final.apps[1]]
    problem(await client.get(prize["certificate_url"], headers=loser.headers), 404, "not_found")
    assert (await client.get(prize["certificate_url"])).status_code == 401
    problem(await client.get("/prizes/999999/certificate.pdf", headers=final.officer.headers), 404, "not_found")


@needs_font
async def test_the_certificate_pdf_names_only_the_code(client: httpx.AsyncClient) -> None:
    final = await final_round(client, [90])
    body = {"tiers": [{"name": "优秀奖", "position": 1, "places": [{"track": None, "count": 1, "amount_fen": 0}]}]}
    await set_tiers(client, final, body)
    [prize] = (await confirmed(client, final))["prizes"]
    member = final.members[prize["application_id"]]
    pdf = await client.get(prize["certificate_url"], headers=member.headers)
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert pdf.headers["content-type"].startswith("application/pdf")
    disposition = pdf.headers["content-disposition"]
    assert f"award-certificate-{prize['verification_code']}.pdf" in disposition
    assert str(prize["application_id"]) not in disposition.replace(prize["verification_code"], "")
    staff = await client.get(prize["certificate_url"], headers=final.officer.headers)  # staff in scope
    assert staff.status_code == 200 and staff.content.startswith(b"%PDF")


async def test_the_winners_camp_admits_prize_winners(client: httpx.AsyncClient) -> None:
    final = await final_round(client, [90, 80])
    # Only an honour (优秀奖, no money, so no award): a prize winner all the same.
    body = {"tiers": [{"name": "优秀奖", "position": 1, "places": [{"track": None, "count": 1, "amount_fen": 0}]}]}
    await set_tiers(client, final, body)
    camp = await open_camp(client, final.officer, kind="venture", audience="contest_winners")
    winner, other = final.apps
    url = f"/camps/{camp['id']}/registrations"
    loser_body = registration_body(final.orgs[other])
    refused(await client.post(url, json=loser_body, headers=final.members[other].headers), 422, "audience_winners_only")
    before = registration_body(final.orgs[winner])
    refused(await client.post(url, json=before, headers=final.members[winner].headers), 422, "audience_winners_only")
    done = await confirmed(client, final)
    assert done["awards"] == 0
    ok(await client.post(url, json=before, headers=final.members[winner].headers), 201)
    refused(await client.post(url, json=loser_body, headers=final.members[other].headers), 422, "audience_winners_only")
