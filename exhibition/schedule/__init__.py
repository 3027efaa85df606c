"""The programme: sessions, personal agenda, calendars, schedule import, session
pushes and reminders; the lobby, schedule and session pages."""


def register(app) -> None:
    from ..booths import models as _booths  # noqa: F401  (sessions link to booths)
    from . import models  # noqa: F401  (tables known to migrations)
    from .pages import bp as pages_bp
    from .views import bp as api_bp

    app.register_blueprint(api_bp)
    app.register_blueprint(pages_bp)
