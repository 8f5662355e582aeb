"""Mentors (导师) for supported 沪社星耀 projects: from the expert pool, assigned with the reviewer solver."""
