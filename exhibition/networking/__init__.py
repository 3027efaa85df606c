"""Networking: the people directory, interest matches, one-to-one meetings."""
from flask import Flask

from exhibition.networking import calendar, models, pages, views  # noqa: F401  (models: tables)


def register(app: Flask) -> None:
    calendar.register()
    app.register_blueprint(views.bp)
    app.register_blueprint(pages.bp)
