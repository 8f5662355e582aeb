"""沪社星耀 incubation: cohorts, the supported project's plan and progress, graduation and replication."""
