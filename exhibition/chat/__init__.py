"""Chat: rooms, messages, presence, moderation, direct messages (docs/api/socketio.md)."""
from flask import Flask

from exhibition.chat import events, models, pages, senders, sending, services, views  # noqa: F401  (models: tables)
from exhibition.realtime import server


def register(app: Flask) -> None:
    senders.init_app(app)
    server.on_connected(senders.remember)  # a send then costs no query for the sender's name
    sending.init_app(app)
    services.register_rooms()
    events.register_events()
    app.add_template_global(pages.panel_info, "chat_panel_info")
    app.register_blueprint(views.bp)
    app.register_blueprint(pages.bp)
