"""The state machinery every aggregate shares: workflows as data (``definition``), the table → workflow registry
(``registry``) and the one status engine (``engine``). Domain workflows are declared in their rooms and bound to
their tables there; this package knows no programme."""
