"""Schemas of the results routes. A ranking row is ``programmes.catalogue.schemas.RankingRow``: closing a round
(programmes) answers the same rows."""

from __future__ import annotations

from pydantic import BaseModel


class ReliabilityRead(BaseModel):
    """Inter-rater reliability of a round's submitted reviews; only ``reviews`` and the ICCs without any."""

    reviews: int
    icc1: float | None
    icc1k: float | None
    applications: int | None = None
    raters_per_application: float | None = None
    global_mean: float | None = None
    global_sd: float | None = None
    uncalibrated_reviews: int | None = None
    outlier_reviews: int | None = None
