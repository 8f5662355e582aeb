"""The officers' overview page (首页概览) at /admin/overview: figures in app.admin.overview.sections, HTML and
charts in .render, the ASGI route in .page."""
