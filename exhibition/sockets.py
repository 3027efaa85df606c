"""Socket.IO server set-up: async mode, message queue, allowed origins, payload bound."""
from __future__ import annotations

from flask import Flask

from .extensions import socketio

MAX_PAYLOAD = 64 * 1024  # a chat message is ≤ 2,000 characters; nothing needs more


def init_socketio(app: Flask) -> None:
    cfg = app.config
    socketio.init_app(
        app,
        async_mode=cfg["SOCKETIO_ASYNC_MODE"],
        message_queue=cfg["SOCKETIO_MESSAGE_QUEUE"],
        # None = same origin only; clients that send no Origin are judged by their session.
        cors_allowed_origins=cfg["CORS_ORIGINS"] or None,
        max_http_buffer_size=MAX_PAYLOAD,
    )
