"""The programme: sessions, personal agenda, calendars, schedule import, session
pushes and reminders; the schedule and session pages."""
from flask import Flask

from exhibition.runtime.startup import add_background_task
from exhibition.schedule import models, pages, reminders, services, views  # noqa: F401  (models: tables)


def register(app: Flask) -> None:
    services.register_rooms()
    add_background_task(app, reminders.start_scheduler)  # session_starting, ~5 minutes before
    app.register_blueprint(views.bp)
    app.register_blueprint(pages.bp)
