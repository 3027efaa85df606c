"""Announcements: organisers broadcast short notes to everyone online."""
from flask import Flask

from exhibition.announcements import models, views  # noqa: F401  (models: tables)


def register(app: Flask) -> None:
    app.register_blueprint(views.bp)
