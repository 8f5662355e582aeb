from __future__ import annotations

from litestar import Controller, get, post
from litestar.di import Provide
from litestar.params import FromPath, JSONBody

from app.auth.principal import STAFF, CurrentPrincipal, provide_principal
from programmes.disbursements import drafts, service
from programmes.disbursements.schemas import BatchCreate, BatchDiscard, BatchRead, BatchTrancheRemoval


class DisbursementController(Controller):
    path = "/payment-batches"
    tags = ["money"]
    dependencies = {"principal": Provide(provide_principal)}

    @post("/", opt={"permission": STAFF}, summary="Build a payment batch from released tranches")
    async def create(self, principal: CurrentPrincipal, data: JSONBody[BatchCreate]) -> BatchRead:
        return await service.create_batch(principal, data)

    @post(
        "/{batch_id:int}/approve",
        opt={"permission": STAFF},
        summary="Approve a batch (an officer other than its builder); payment runs in the background after commit",
        status_code=200,
    )
    async def approve(self, principal: CurrentPrincipal, batch_id: FromPath[int]) -> BatchRead:
        return await service.approve_batch(principal, batch_id)

    @post(
        "/{batch_id:int}/discard",
        opt={"permission": STAFF},
        summary="Discard a draft batch; its tranches are payable again",
        status_code=200,
    )
    async def discard(
        self, principal: CurrentPrincipal, batch_id: FromPath[int], data: JSONBody[BatchDiscard]
    ) -> BatchRead:
        return await drafts.discard_batch(principal, batch_id, data.reason)

    @post(
        "/{batch_id:int}/tranches/{tranche_id:int}/remove",
        opt={"permission": STAFF},
        summary="Take a tranche out of a draft batch (then its award may be reduced or cancelled)",
        status_code=200,
    )
    async def remove_tranche(
        self,
        principal: CurrentPrincipal,
        batch_id: FromPath[int],
        tranche_id: FromPath[int],
        data: JSONBody[BatchTrancheRemoval],
    ) -> BatchRead:
        return await drafts.remove_tranche(principal, batch_id, tranche_id, data.reason)

    @post(
        "/{batch_id:int}/rerun",
        opt={"permission": STAFF},
        summary="Re-run the payment job of an approved batch with pending items (idempotent)",
        status_code=200,
    )
    async def rerun(self, principal: CurrentPrincipal, batch_id: FromPath[int]) -> BatchRead:
        return await service.rerun_batch(principal, batch_id)

    @get("/{batch_id:int}", opt={"permission": STAFF}, summary="Batch progress, item by item")
    async def read(self, principal: CurrentPrincipal, batch_id: FromPath[int]) -> BatchRead:
        return await service.read_batch_for(principal, batch_id)
