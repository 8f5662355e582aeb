"""The prize forms over the admin's HTTP API: confirming an edition's prizes (with a tie decided in the form) and
introducing a winner to an offer; the same rules and scope as the API."""

from __future__ import annotations

import httpx
import pytest

from app.auth.tables import Role
from app.reference import District
from programmes.prizes.tables import Prize
from programmes.resources.tables import ResourceIntroduction
from programmes.tables import Award
from tests.factories.admin import AdminFactory
from tests.factories.admin_http import form_path, ok, refused
from tests.factories.http import ok as api_ok
from tests.factories.prizes import final_round, offer_body, set_tiers, tiers

pytestmark = pytest.mark.filterwarnings("ignore:If running sessions in production:UserWarning")

CONFIRM = form_path("确定奖项")
INTRODUCE = form_path("引荐获奖项目对接资源")


async def test_confirm_prizes_and_introduce_a_winner(client: httpx.AsyncClient, admin_client: AdminFactory) -> None:
    final = await final_round(client, [90, 80, 80])
    await set_tiers(client, final, tiers(final.line_id, honour=0))
    city = await admin_client(Role.officer)
    pudong = await admin_client(Role.officer, District.pudong)
    assert await refused(pudong, CONFIRM, {"edition_id": final.edition_id}) == "届次不存在或无权访问"
    assert "并列" in await refused(city, CONFIRM, {"edition_id": final.edition_id})
    assert "格式" in await refused(city, CONFIRM, {"edition_id": final.edition_id, "tie_decisions": "2:*:2 无理由"})
    assert await Prize.count() == 0
    preview = api_ok(
        await client.post(f"/editions/{final.edition_id}/prizes/preview", json={}, headers=final.officer.headers)
    )
    tie = preview["ties"][0]["key"]
    chosen = final.apps[2]
    done = ok(
        await city.post(CONFIRM, {"edition_id": final.edition_id, "tie_decisions": f"{tie}={chosen};路演得分更高"})
    )
    assert "2 个获奖项目，2 项资助" in done["custom_form_success"]
    assert await Prize.count() == 2 and await Award.count() == 2
    assert await Prize.count().where((Prize.application == chosen) & (Prize.tie_reason == "路演得分更高")) == 1

    partner = api_ok(
        await client.post(
            "/resource-partners", json={"name": "某企业", "kind": "enterprise"}, headers=final.officer.headers
        ),
        201,
    )
    offer = api_ok(
        await client.post(
            f"/resource-partners/{partner['id']}/offers", json=offer_body(), headers=final.officer.headers
        ),
        201,
    )
    prize = await Prize.select(Prize.id).where(Prize.application == chosen).first()
    assert prize is not None
    body = {"offer_id": offer["id"], "prize_id": prize["id"], "note": "已电话介绍"}
    assert await refused(pudong, INTRODUCE, body) == "资源不存在或无权访问"
    assert "引荐至资源" in ok(await city.post(INTRODUCE, body))["custom_form_success"]
    assert await refused(city, INTRODUCE, body) == "该获奖项目已对接过此资源"
    assert await ResourceIntroduction.count() == 1
