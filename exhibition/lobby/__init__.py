"""The lobby (/): what runs now and next, the booths of the moment, the latest news,
the lobby chat. It sits above the areas it shows."""
from flask import Flask

from exhibition.lobby import pages


def register(app: Flask) -> None:
    app.register_blueprint(pages.bp)
