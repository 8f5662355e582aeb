"""Expert review: assignments, reviews, aggregation and ranking (one Piccolo app)."""
