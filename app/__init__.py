"""Seedbed's core: settings, database, auth, errors, audit, the house machinery — nothing programme-specific.

The composition (web app, worker, command line, demo) is `app.site`; the admin site is `app.admin`."""
