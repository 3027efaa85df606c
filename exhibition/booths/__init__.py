"""Booths: the hall, booth pages, staff, leads, figures."""
from flask import Flask

from exhibition.booths import models, pages, services, views  # noqa: F401  (models: tables)


def register(app: Flask) -> None:
    services.register_rooms()
    app.register_blueprint(views.bp)
    app.register_blueprint(pages.bp)
