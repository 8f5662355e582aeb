"""预警 before money is committed: applications in review, ranked, advanced/selected or on 公示 whose latest
screening no longer passes (a listing, an expired certificate or grade, a downgrade after submission).

Before this, only active awards were scanned, so a listing during review went unnoticed until money was committed.
The subject key carries the blocking codes, so a further finding on the same application is a new subject (and a
warning an officer dismissed for one finding does not hide the next).
"""

from __future__ import annotations

import hashlib
import json

from programmes.applications.gate import PASSING
from programmes.risk.finding import Finding
from programmes.risk.tables import RiskKind, RiskWarning
from programmes.workflows import APPLICATION, APPLICATION_WORKFLOWS

STATE_ZH = {state: label for w in APPLICATION_WORKFLOWS.values() for state, label in w.states.items()}


async def application_findings() -> list[Finding]:
    rows = await RiskWarning.raw(
        "SELECT app.id, app.title, app.status, app.organisation, app.scope_district, app.eligibility"
        " FROM application app WHERE app.eligibility_outcome <> ALL({})"
        " AND (app.status = ANY({}) OR EXISTS (SELECT 1 FROM publication p WHERE p.status = 'published'"
        " AND p.entries @> jsonb_build_array(jsonb_build_object('application_id', app.id)))) ORDER BY app.id",
        list(PASSING),
        APPLICATION.states_with("risk_watched"),
    )
    findings = []
    for row in rows:
        screening = json.loads(row["eligibility"]) if isinstance(row["eligibility"], str) else row["eligibility"]
        blocking = [f for f in (screening or {}).get("findings", []) if f.get("severity") != "warning"]
        codes = ",".join(sorted({f["code"] for f in blocking})) or "not_screened"
        digest = hashlib.sha256(codes.encode()).hexdigest()[:12]
        reasons = "；".join(f["reason"] for f in blocking) or "尚未通过资格审查"
        findings.append(
            Finding(
                RiskKind.application_ineligible.value,
                f"application:{row['id']}:ineligible:{digest}",
                None,
                row["organisation"],
                f"申报「{row['title']}」（编号 {row['id']}，{STATE_ZH.get(row['status'], '')}）"
                f"资格复查未通过：{reasons}",
                row["scope_district"],
            )
        )
    return findings
