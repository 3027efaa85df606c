"""Chat: rooms, messages, presence, moderation, direct messages (SPEC §5)."""


def register(app) -> None:
    from ..booths import models as _booths  # noqa: F401  (booth rooms)
    from ..schedule import models as _schedule  # noqa: F401  (session rooms)
    from . import models  # noqa: F401  (tables known to migrations)
    from .events import register_events
    from .sending import init_app
    from .pages import bp as pages_bp
    from .views import bp as api_bp

    init_app(app)
    register_events()
    from .pages import panel_info
    app.add_template_global(panel_info, "chat_panel_info")
    app.register_blueprint(api_bp)
    app.register_blueprint(pages_bp)
