"""The web interface (Litestar + htmx): controllers, templates, static files."""
