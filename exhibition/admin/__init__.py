"""The organiser console: agenda, booths, staff, announcements; the event's figures."""


def register(app) -> None:
    from ..booths import models as _booths  # noqa: F401  (figures read booths, visits, leads)
    from ..chat import models as _chat  # noqa: F401  (figures count booth chat messages)
    from ..schedule import models as _schedule  # noqa: F401  (figures count favourites)
    from . import models  # noqa: F401  (tables known to migrations)
    from .pages import bp as pages_bp
    from .views import bp as api_bp

    app.register_blueprint(api_bp)
    app.register_blueprint(pages_bp)
