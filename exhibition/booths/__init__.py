"""Booths: the hall, booth pages, staff, leads, figures."""


def register(app) -> None:
    from . import models  # noqa: F401  (tables known to migrations)
    from .pages import bp as pages_bp
    from .views import bp as api_bp

    app.register_blueprint(api_bp)
    app.register_blueprint(pages_bp)
