"""区级推荐 (district recommendation): a district officer recommends its district's entries of a city-level round at
the ``district_recommendation`` stage, up to the district's quota, and may withdraw a recommendation until the city
forwards the round's recommendations (programmes.recommendations)."""

from __future__ import annotations

from enum import StrEnum

from app.workflow.definition import ADMIN, OFFICER, SYSTEM, Workflow, step


class RecommendationStatus(StrEnum):
    recommended = "recommended"
    withdrawn = "withdrawn"
    forwarded = "forwarded"


DISTRICT_RECOMMENDATION = Workflow(
    name="district_recommendation",
    status=RecommendationStatus,
    initial="recommended",
    states={"recommended": "已推荐", "withdrawn": "已撤回推荐", "forwarded": "已推荐晋级"},
    transitions=(
        # Only the recommending district's officers reach the row (programmes.recommendations.access).
        step("withdraw", "recommended", "withdrawn", [OFFICER], "撤回推荐", requires_reason=True),
        step("forward", "recommended", "forwarded", [OFFICER, ADMIN, SYSTEM], "市级推荐晋级"),
    ),
    # ``live``: takes one of the district's places and stands for the entry (one live recommendation per entry).
    capabilities={"live": ["recommended", "forwarded"]},
)
