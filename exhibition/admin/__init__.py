"""The organiser console: agenda, booths, staff, announcements; the event's figures."""
from flask import Flask

from exhibition.admin import cli, models, pages, sampler, views  # noqa: F401  (models: tables)
from exhibition.runtime.startup import add_background_task


def register(app: Flask) -> None:
    add_background_task(app, sampler.start_sampler)  # "people online over time" for the figures
    app.cli.add_command(cli.users_cli)
    app.register_blueprint(views.bp)
    app.register_blueprint(pages.bp)
