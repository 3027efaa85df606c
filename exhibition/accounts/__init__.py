"""Accounts: people, roles, login."""
from flask import Flask

from exhibition.accounts import models, pages, views  # noqa: F401  (models: tables)
from exhibition.extensions import db
from exhibition.realtime import server


def register(app: Flask) -> None:
    server.set_person_loader(lambda user_id: db.session.get(models.User, user_id))
    app.register_blueprint(views.bp)
    app.register_blueprint(pages.bp)
