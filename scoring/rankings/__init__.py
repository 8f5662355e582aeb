"""Reading a round's results: the ranking (with its cut-line ties) and the reviews' reliability. Computing the
ranking is ``scoring.ranking``; the pure maths ``scoring.aggregation`` and ``scoring.reliability``."""
