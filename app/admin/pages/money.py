"""资金管理, ``/admin/money``: the money of the officer's scope per edition (budget / obligated / paid / available) and
the queues of money work waiting for an officer, each with its count and a link to the page that does it.

The per-edition figures are the 资金汇总 export's own 「按项目」 sheet (``money_summary_sheets``, the overview's
source too), so the page, the overview and the export never disagree. Every count is one query filtered by
``staff_filter``: a district officer counts their district's rows only.
"""

from __future__ import annotations

from piccolo.columns.combination import WhereRaw
from piccolo.custom_types import Combinable
from starlette.responses import Response

from app.access import staff_filter
from app.admin.pages.html import esc, page
from app.admin.pages.money_common import cells, table
from app.admin.pages.routing import PageRequest, PageRoute
from app.auth.principal import Principal
from app.money import yuan
from programmes.agreements.tables import Agreement
from programmes.exports.money import MEASURES_ZH, money_summary_scope, money_summary_sheets
from programmes.payees.tables import BankAccount
from programmes.risk.tables import RiskWarning
from programmes.tables import Application, Award, Clawback, PaymentBatch, Tranche
from programmes.workflows.agreements import BANK_ACCOUNT
from programmes.workflows.disbursement import PAYMENT_BATCH
from programmes.workflows.supervision import CLAWBACK, RISK_WARNING

MONEY_URL = "/admin/money"
AWARDABLE_STATES = ("ranked", "advanced", "selected")  # the states the workflows' 「确定资助」 step starts from
# The 公示 gate (scoring/publication/notice_gate.py) as a filter: a round without a notice, or listed in its notice
# whose period has ended with no objection about it still open. The award service checks it again under its lock.
_NOTICE_PASSED = WhereRaw(
    "(NOT EXISTS (SELECT 1 FROM publication p WHERE p.round = application.round)"
    " OR EXISTS (SELECT 1 FROM publication p WHERE p.round = application.round AND p.ends_at <= now()"
    " AND p.entries @> jsonb_build_array(jsonb_build_object('application_id', application.id))"
    " AND NOT EXISTS (SELECT 1 FROM objection o WHERE o.publication = p.id AND o.application = application.id"
    " AND o.status = 'open')))"
)
COUNTERSIGNABLE_STATES = ("signed", "countersigning")
PAYABLE_STATES = ("released", "failed")  # a failed payment may go into a new batch


def awardable(principal: Principal) -> list[Combinable]:
    """Winners the officer may award now: in an awardable state, past the 公示 gate, no award yet, in scope."""
    return [
        Application.status.is_in(list(AWARDABLE_STATES)),
        Application.id.not_in(Award.select(Award.application)),
        _NOTICE_PASSED,
        *staff_filter(principal, Application.scope_district),
    ]


async def queue_counts(principal: Principal) -> list[tuple[str, str, int]]:
    """(label, link, count) of each queue, in the order money moves."""
    scoped = staff_filter
    counts = [
        (
            "待确定资助（已排名、晋级或入选，公示期满，尚无资助）",
            f"{MONEY_URL}/awards",
            await Application.count().where(*awardable(principal)),
        ),
        (
            "待会签资助协议",
            f"{MONEY_URL}/agreements",
            await Agreement.count().where(
                Agreement.status.is_in(list(COUNTERSIGNABLE_STATES)), *scoped(principal, Agreement.scope_district)
            ),
        ),
        (
            "待核验银行账户",
            f"{MONEY_URL}/accounts",
            await BankAccount.count().where(
                BankAccount.status == BANK_ACCOUNT.initial, *scoped(principal, BankAccount.scope_district)
            ),
        ),
        (
            "可支付款项（尚未列入支付批次）",
            f"{MONEY_URL}/payable",
            await Tranche.count().where(
                Tranche.status.is_in(list(PAYABLE_STATES)), *scoped(principal, Tranche.scope_district)
            ),
        ),
        (
            "待审批支付批次",
            f"{MONEY_URL}/batches",
            await PaymentBatch.count().where(
                PaymentBatch.status == PAYMENT_BATCH.initial, *scoped(principal, PaymentBatch.scope_district)
            ),
        ),
        (
            "进行中的追回",
            f"{MONEY_URL}/clawbacks",
            await Clawback.count().where(
                Clawback.status == CLAWBACK.initial, *scoped(principal, Clawback.scope_district)
            ),
        ),
        (
            "待处理风险预警",
            f"{MONEY_URL}/warnings",
            await RiskWarning.count().where(
                RiskWarning.status == RISK_WARNING.initial, *scoped(principal, RiskWarning.scope_district)
            ),
        ),
    ]
    return [(label, link, int(n)) for label, link, n in counts]


async def _editions(principal: Principal) -> str:
    by_edition = (await money_summary_sheets(money_summary_scope(principal)))[2]
    measures = len(MEASURES_ZH)
    rows = []
    for row in by_edition.rows:
        fen = [int(str(v)) for v in row[-measures:]]
        label = [esc(row[0]), esc(row[1])]
        rows.append(cells(*label, *(yuan(v) for v in fen)))
    return table(
        "各届次资金（元；已承诺 = 资助承诺 − 冲回 − 追回退款，可用余额 = 预算 − 已承诺）",
        ["项目", "届次", *MEASURES_ZH],
        rows,
    )


async def money_home(request: PageRequest) -> Response:
    queues = await queue_counts(request.principal)
    items = "".join(
        f'<li><a href="{link}">{esc(label)}</a>：<strong>{count}</strong></li>' for label, link, count in queues
    )
    links = f'<p><a href="{MONEY_URL}/batches">全部支付批次</a> · <a href="{MONEY_URL}/reconciliation">对账结果</a></p>'
    body = (
        f"<section aria-labelledby='m-queues'><h2 id='m-queues'>待办</h2><ul>{items}</ul>{links}</section>"
        f"<section aria-labelledby='m-editions'><h2 id='m-editions'>预算与拨付</h2>{await _editions(request.principal)}"
        "</section>"
    )
    return page("资金管理", body)


MONEY_HOME_ROUTES = [PageRoute(r"/money", money_home)]
