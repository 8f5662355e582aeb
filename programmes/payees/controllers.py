from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.di import Provide
from litestar.params import FromPath, JSONBody

from app.auth.principal import APPLICANTS, APPLICANTS_AND_STAFF, STAFF, CurrentPrincipal, provide_principal
from app.paging import Paging, page_response
from programmes.payees import service
from programmes.payees.schemas import BankAccountCreate, BankAccountDecision, BankAccountRead


class BankAccountController(Controller):
    tags = ["money"]
    dependencies = {"principal": Provide(provide_principal)}

    @post(
        "/organisations/{organisation_id:int}/bank-accounts",
        opt={"permission": APPLICANTS},
        summary="Ask for a (new) receiving account; an officer verifies it (收款账户申请)",
    )
    async def submit(
        self, principal: CurrentPrincipal, organisation_id: FromPath[int], data: JSONBody[BankAccountCreate]
    ) -> BankAccountRead:
        return await service.submit(principal, organisation_id, data)

    @get(
        "/organisations/{organisation_id:int}/bank-accounts",
        opt={"permission": APPLICANTS_AND_STAFF},
        summary="An organisation's accounts (its members, or staff in scope)",
    )
    async def list_accounts(
        self,
        principal: CurrentPrincipal,
        organisation_id: FromPath[int],
        paging: Paging,
        request: Request[Any, Any, Any],
    ) -> Response[list[BankAccountRead]]:
        return page_response(await service.list_for(principal, organisation_id, paging), request)

    @get("/bank-accounts/{account_id:int}", opt={"permission": APPLICANTS_AND_STAFF}, summary="One account")
    async def read(self, principal: CurrentPrincipal, account_id: FromPath[int]) -> BankAccountRead:
        return await service.read_for(principal, account_id)

    @post(
        "/bank-accounts/{account_id:int}/verify",
        opt={"permission": STAFF},
        summary="Verify a pending account; the previous verified account is superseded",
        status_code=200,
    )
    async def verify(self, principal: CurrentPrincipal, account_id: FromPath[int]) -> BankAccountRead:
        return await service.verify(principal, account_id)

    @post(
        "/bank-accounts/{account_id:int}/reject",
        opt={"permission": STAFF},
        summary="Refuse a pending account",
        status_code=200,
    )
    async def reject(
        self, principal: CurrentPrincipal, account_id: FromPath[int], data: JSONBody[BankAccountDecision]
    ) -> BankAccountRead:
        return await service.reject(principal, account_id, data.reason)

    @post(
        "/bank-accounts/{account_id:int}/revoke",
        opt={"permission": STAFF},
        summary="Withdraw a verified account (closed, frozen or wrong): nothing is paid to it any more",
        status_code=200,
    )
    async def revoke(
        self, principal: CurrentPrincipal, account_id: FromPath[int], data: JSONBody[BankAccountDecision]
    ) -> BankAccountRead:
        return await service.revoke(principal, account_id, data.reason)
