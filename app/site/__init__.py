"""The site: where the rooms are put together into the running product.

The web app (``app.site.asgi:app``: the route list, the admin mount), the worker
(``app.site.worker.WorkerSettings``), the ``seedbed`` command line (``app.site.cli``), the ``make run`` supervisor
and the demo world. It is the one place outside the admin allowed to import every room; app core below it imports
no domain module (the import-linter contracts in pyproject.toml).
"""
