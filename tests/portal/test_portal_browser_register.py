"""On a phone (375 px), Chromium: a filed community group registers choosing district → street → custodian after the
live check caught a wrong check character (and the page's check agrees with the server's on many codes); an
applicant reads a call's rules and its pre-check; someone who forgot their password resets it by the e-mailed code.
Screenshots in .seedbed/test/portal/, the axe check on every page."""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest
from piccolo.apps.user.tables import BaseUser

from app.auth.tables import Role
from app.organisations import credit_code
from app.organisations.tables import Organisation, OrganisationType
from tests import factories
from tests.factories.browser import browser, server  # noqa: F401 — pytest fixtures
from tests.factories.portal_browser import PHONE, SHOTS
from tests.factories.portal_browser import checked as _checked
from tests.factories.smtp import ADDRESS, FakeSMTP, reset_code, smtp, smtp_settings  # noqa: F401 — pytest fixtures

pytestmark = pytest.mark.browser

TYPES = ["", *credit_code.TYPE_CHARACTER]


def _codes(seed: int = 32100) -> list[str]:
    """Valid codes, each with a wrong check character, bad characters, wrong lengths, lower case and full width."""
    pick = random.Random(seed)
    alphabet = credit_code.ALPHABET
    codes = []
    for _ in range(60):
        head = pick.choice("5591Y") + pick.choice("12339") + "".join(pick.choice(alphabet) for _ in range(15))
        valid = head + credit_code.check_character(head)
        codes += [valid, factories.wrong_check_character(valid), valid.lower(), f"  {valid} ", valid[:17], valid + "0"]
        codes.append(valid[:5] + pick.choice("IOSVZ*-") + valid[6:])
        codes.append("".join(chr(ord(c) + 0xFEE0) for c in valid))  # full-width digits and letters
    return codes + ["", "5", "52310105MJ0000001"]


def _python_problem(raw: str, org_type: str) -> dict[str, str] | None:
    code = credit_code.normalise(raw)
    found = credit_code.problem_with(code) or (credit_code.type_problem(code, org_type) if org_type else None)
    return {"code": found.code, "message": found.message} if found else None


async def test_a_filed_group_registers_and_an_applicant_reads_a_calls_precheck(
    server: str,  # noqa: F811
    browser: Any,  # noqa: F811
) -> None:
    from playwright.async_api import expect

    centre_id, centre_member = await factories.organisation(name="新华路街道社会组织服务中心")
    await factories.designate_centre(centre_id, "新华路街道")
    officer = await factories.user(Role.officer)
    call = await factories.contest_round(
        officer,
        closes_in=timedelta(days=12, hours=1),
        eligibility_rules={"allowed_types": ["social_service_institution"], "allowed_districts": ["changning"]},
        tracks=[{"name": "社区治理", "quota": 10}],
    )
    SHOTS.mkdir(parents=True, exist_ok=True)
    context = await browser.new_context(locale="zh-CN", viewport=PHONE)
    page = await context.new_page()
    page.set_default_timeout(20_000)
    expect.set_options(timeout=20_000)
    try:
        await page.goto(f"{server}/portal/register")
        cases = [(raw, org_type) for raw in _codes() for org_type in TYPES]
        in_page = await page.evaluate(
            "cases => cases.map(([raw, type]) => window.seedbedCreditCode.problem(raw, type))", cases
        )
        assert in_page == [_python_problem(raw, org_type) for raw, org_type in cases]

        await page.select_option("#org_type", label="社会服务机构（民办非企业单位）")
        await page.fill("#credit_code", factories.wrong_check_character(factories.credit_code(9401)))
        await expect(page.locator("#credit_code-live")).to_have_text(credit_code.MESSAGES["credit_code_check"])
        await expect(page.locator("#credit_code")).to_have_attribute("aria-invalid", "true")
        await expect(page.locator("#custodian_id")).to_be_hidden()
        await _checked(page, "register-live-check.png")

        await page.select_option("#org_type", label="备案类社区群众活动团队")
        await expect(page.locator("#credit_code")).to_be_hidden()
        await page.fill("#name", "新华路银龄合唱队")
        await page.select_option("#district", label="长宁区")
        await expect(page.locator("#street option", has_text="江苏路街道")).to_have_count(1)
        await page.select_option("#street", label="新华路街道")
        await expect(page.locator("#custodian_id option", has_text="新华路街道社会组织服务中心")).to_have_count(1)
        await page.select_option("#custodian_id", value=str(centre_id))
        await page.fill("#username", "xinhua-choir")
        await page.fill("#password", "a-long-secret")
        await page.fill("#email", "choir@example.org")
        await page.fill("#mobile", "13800138002")
        await _checked(page, "register-filed-group.png")
        await page.get_by_role("button", name="注册并登录").click()
        await expect(page.get_by_role("status")).to_have_text("注册成功，欢迎新华路银龄合唱队")
        await _checked(page)
        row = await Organisation.select().where(Organisation.name == "新华路银龄合唱队").first()
        assert row is not None and row["custodian"] == centre_id and row["street"] == "新华路街道"
        assert row["org_type"] == OrganisationType.filed_community_group.value
    finally:
        await context.close()

    # The centre's member reads the call: its rules, and a pre-check for the centre and the group in its custody.
    context = await browser.new_context(locale="zh-CN", viewport=PHONE)
    page = await context.new_page()
    page.set_default_timeout(20_000)
    try:
        await page.goto(f"{server}/portal/login?next_page=/portal/calls/{call['id']}")
        await page.fill("#username", centre_member.principal.username)
        await page.fill("#password", "password-123")
        await page.get_by_role("button", name="登录").click()
        await expect(page.get_by_role("heading", name="资格预检")).to_be_visible()
        await expect(page.get_by_text("还剩 12 天")).to_be_visible()
        await expect(page.locator(".precheck.pass h3")).to_have_text("新华路街道社会组织服务中心")
        await expect(page.locator(".precheck.fail h3")).to_have_text("新华路银龄合唱队")
        await _checked(page, "call-precheck.png")
    finally:
        await context.close()


@pytest.fixture
async def mail(smtp: FakeSMTP, smtp_settings: None, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[FakeSMTP]:  # noqa: F811
    """The fake SMTP for the server process too (it reads its settings from the environment at start)."""
    monkeypatch.setenv("SEEDBED_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("SEEDBED_SMTP_PORT", str(smtp.port))
    monkeypatch.setenv("SEEDBED_SMTP_STARTTLS", "false")
    yield smtp


async def _code_when_sent(mailbox: FakeSMTP) -> str:
    # The server looks the account up after it has answered: wait for its e-mail to be staged.
    for _ in range(100):
        if await _staged():
            break
        await asyncio.sleep(0.2)
    return await reset_code(mailbox)


async def _staged() -> bool:
    from app.notifications import Notification

    return bool(await Notification.count().where(Notification.kind == "password_reset"))


async def test_someone_who_forgot_the_password_resets_it_on_a_phone(
    mail: FakeSMTP,
    server: str,  # noqa: F811
    browser: Any,  # noqa: F811
) -> None:
    from playwright.async_api import expect

    _, member = await factories.organisation()
    await BaseUser.update({BaseUser.email: ADDRESS}).where(BaseUser.id == member.id)
    SHOTS.mkdir(parents=True, exist_ok=True)
    context = await browser.new_context(locale="zh-CN", viewport=PHONE)
    page = await context.new_page()
    page.set_default_timeout(20_000)
    expect.set_options(timeout=20_000)
    try:
        await page.goto(f"{server}/portal/login")
        await page.get_by_role("link", name="忘记密码？").click()
        await expect(page.get_by_role("heading", name="忘记密码")).to_be_visible()
        await _checked(page)
        await page.fill("#account", ADDRESS)
        await page.get_by_role("button", name="发送重置码").click()
        await expect(page.get_by_role("heading", name="重置密码")).to_be_visible()
        await expect(page.get_by_role("status")).to_contain_text("重置码已发送到该邮箱")
        code = await _code_when_sent(mail)

        await page.fill("#token", code)
        await page.fill("#new_password", "short")
        await page.get_by_role("button", name="重置密码").click()
        await expect(page.locator("#new_password-error")).to_have_text("至少 8 个字符")
        await _checked(page, "password-reset-error.png")
        await page.fill("#new_password", "reset-on-phone-7")
        await page.get_by_role("button", name="重置密码").click()
        await expect(page.get_by_role("status")).to_contain_text("密码已重置")
        await page.fill("#username", member.principal.username)
        await page.fill("#password", "reset-on-phone-7")
        await page.get_by_role("button", name="登录").click()
        await expect(page.get_by_role("heading", name=f"您好，{member.principal.username}")).to_be_visible()
    finally:
        await context.close()
