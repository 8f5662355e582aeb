"""Seedbed's shell: settings, wiring, auth, errors, audit — nothing programme-specific."""
