"""Who may see or act on a payment batch: staff whose district covers it (404 ``支付批次不存在或无权访问``)."""

from __future__ import annotations

from app.access import protect
from programmes.tables import PaymentBatch

BATCHES = protect(PaymentBatch, "支付批次")
