"""Registration's lists and the filed group's custodian: streets from the district's list (plus any designated
centre's street), the custodian from the street's service centres, the API's errors next to each field, nothing
created on any error, and the no-script refresh that refills the lists without registering."""

from __future__ import annotations

import httpx

from app.organisations.credit_code import MESSAGES
from app.organisations.tables import Organisation, OrganisationType
from app.portal.session import SESSION_COOKIE
from app.reference import District
from tests import factories
from tests.factories.portal import csrf_token
from tests.factories.world import row_counts

GROUP = {
    "org_type": OrganisationType.filed_community_group.value,
    "credit_code": "",
    "name": "新华路银龄合唱队",
    "district": "changning",
    "username": "choir",
    "password": "a-long-secret",
    "email": "choir@example.org",
    "mobile": "13800138001",
}


async def _post(client: httpx.AsyncClient, **fields: str) -> httpx.Response:
    token = await csrf_token(client, "/portal/register")
    return await client.post("/portal/register", data={"csrf_token": token, **fields})


async def _centre(district: District = District.changning) -> tuple[int, str]:
    centre_id, _ = await factories.organisation(district=district, name="长宁区新华路街道社会组织服务中心")
    return centre_id, await factories.designate_centre(centre_id)


async def test_refreshing_without_script_lists_the_districts_streets_and_its_centres(
    client: httpx.AsyncClient,
) -> None:
    centre_id, street = await _centre()
    before = await row_counts()
    page = await _post(client, **{**GROUP, "street": "", "custodian_id": ""}, refresh="1")

    assert page.status_code == 200 and await row_counts() == before
    assert '<option value="新华路街道">新华路街道</option>' in page.text
    assert '<option value="新泾镇">新泾镇</option>' in page.text and "陆家嘴街道" not in page.text
    assert f'<option value="{street}">{street}</option>' in page.text  # a designated street joins the list
    assert f'<option value="{centre_id}">长宁区新华路街道社会组织服务中心（{street}）</option>' in page.text
    assert 'id="custodian-group" hidden' not in page.text and 'id="credit-code-group" hidden' in page.text
    assert 'value="a-long-secret"' not in page.text  # the password is never written back


async def test_a_registered_type_does_not_see_the_custodian_field(client: httpx.AsyncClient) -> None:
    page = await _post(client, **{**GROUP, "org_type": "social_association", "street": ""}, refresh="1")
    assert 'id="custodian-group" hidden' in page.text and 'id="credit-code-group" hidden' not in page.text


async def test_a_filed_group_registers_with_the_custodian_of_its_street(client: httpx.AsyncClient) -> None:
    centre_id, street = await _centre()
    response = await _post(client, **GROUP, street=street, custodian_id=str(centre_id))

    assert response.status_code == 303, response.text
    assert client.cookies.get(SESSION_COOKIE)
    row = await Organisation.select().where(Organisation.name == GROUP["name"]).first()
    assert row is not None and row["custodian"] == centre_id and row["street"] == street
    assert row["credit_code"] is None


async def test_the_custodians_errors_are_the_apis_next_to_their_fields_and_nothing_is_created(
    client: httpx.AsyncClient,
) -> None:
    centre_id, street = await _centre()
    elsewhere_id, _ = await _centre(District.pudong)
    before = await row_counts()

    missing = await _post(client, **GROUP, street=street, custodian_id="")
    assert (
        missing.status_code == 422
        and 'id="custodian_id-error">备案类社区群众活动团队须由街镇社会组织服务中心' in missing.text
    )
    other_district = await _post(client, **GROUP, street="", custodian_id=str(elsewhere_id))
    assert 'id="custodian_id-error">财务代管单位须与团队位于同一区<' in other_district.text
    other_street = await _post(client, **GROUP, street="江苏路街道", custodian_id=str(centre_id))
    assert other_street.status_code == 422
    assert f'id="street-error">所选服务中心负责「{street}」，与团队所在街镇不一致<' in other_street.text
    not_a_number = await _post(client, **GROUP, street="", custodian_id="abc")
    assert not_a_number.status_code == 422 and 'id="custodian_id-error">应为整数<' in not_a_number.text
    with_code = await _post(
        client, **{**GROUP, "credit_code": factories.credit_code(9301)}, street="", custodian_id=str(centre_id)
    )
    assert 'id="credit_code-error">备案类社区群众活动团队没有统一社会信用代码<' in with_code.text

    assert await row_counts() == before and not client.cookies.get(SESSION_COOKIE)


async def test_a_wrong_check_character_is_the_servers_message_too(client: httpx.AsyncClient) -> None:
    before = await row_counts()
    wrong = factories.wrong_check_character(factories.credit_code(9302))
    response = await _post(
        client, **{**GROUP, "org_type": "social_service_institution", "credit_code": wrong}, street="", custodian_id=""
    )
    assert response.status_code == 422
    assert f'id="credit_code-error">{MESSAGES["credit_code_check"]}<' in response.text
    assert 'src="/portal/static/register.js"' in response.text and 'id="register-data"' in response.text
    assert await row_counts() == before


async def test_the_script_is_served_from_the_app(client: httpx.AsyncClient) -> None:
    script = await client.get("/portal/static/register.js")
    assert script.status_code == 200 and "seedbedCreditCode" in script.text
