"""Networking: the people directory, interest matches, one-to-one meetings."""


def register(app) -> None:
    from ..booths import models as _booths  # noqa: F401  (meetings refer to booths)
    from ..schedule import models as _schedule  # noqa: F401  (clash warnings read favourites)
    from . import models  # noqa: F401  (tables known to migrations)
    from .pages import bp as pages_bp
    from .views import bp as api_bp

    app.register_blueprint(api_bp)
    app.register_blueprint(pages_bp)
