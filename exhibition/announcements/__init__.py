"""Announcements: organisers broadcast short notes to everyone online."""


def register(app) -> None:
    from . import models  # noqa: F401  (tables known to migrations)
    from .views import bp as api_bp

    app.register_blueprint(api_bp)
