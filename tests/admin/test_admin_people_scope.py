"""District officers in Piccolo Admin: no city-wide account list; the experts they invite are their district's."""

from __future__ import annotations

import pytest

from app.auth.tables import Account, Role
from app.reference import District
from scoring.tables import ExpertProfile
from tests.factories.admin import AdminFactory
from tests.factories.admin_http import form_path, ok

pytestmark = pytest.mark.filterwarnings("ignore:If running sessions in production:UserWarning")


async def test_only_city_staff_list_accounts(admin_client: AdminFactory) -> None:
    changning = await admin_client(Role.officer, District.changning)
    city = await admin_client(Role.officer)
    admin = await admin_client(Role.admin)
    assert changning.user is not None
    own = await Account.select(Account.id).where(Account.user == changning.user.id).first()
    assert own is not None
    for path in ("tables/account/", "tables/account/count/", "tables/account/ids/", f"tables/account/{own['id']}/"):
        refused = await changning.get(path)
        assert refused.status_code == 403, (path, refused.text)
        assert "Account" not in refused.text and "officer" not in refused.text
    for staff in (city, admin):
        listed = ok(await staff.get("tables/account/?__page_size=100"))
        assert own["id"] in {r["id"] for r in listed["rows"]}


async def test_district_officers_invite_experts_of_their_district(admin_client: AdminFactory) -> None:
    changning = await admin_client(Role.officer, District.changning)
    city = await admin_client(Role.officer)
    invitation = {"display_name": "李老师", "initial_password": "secret-pass-1", "domains": "社区治理"}
    ok(await changning.post(form_path("邀请评审专家"), {**invitation, "username": "expert_li"}))
    ok(await city.post(form_path("邀请评审专家"), {**invitation, "username": "expert_zhao", "display_name": "赵老师"}))
    profiles = {
        r["expert.username"]: r["district"]
        for r in await ExpertProfile.select(ExpertProfile.expert.username, ExpertProfile.district)  # type: ignore[attr-defined]
    }
    assert profiles == {"expert_li": "changning", "expert_zhao": None}
