"""区级推荐 (district recommendation): in a city-level round at the ``district_recommendation`` stage, district
officers see their district's entries and recommend up to their district's quota; the city sees the recommended
ones and forwards them into the next stage (docs/workflows/contest.md#区级推荐)."""
