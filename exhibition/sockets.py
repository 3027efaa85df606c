"""Socket.IO server set-up: async mode, message queue, allowed origins, payload bound."""
from __future__ import annotations

from flask import Flask
from flask.sessions import SecureCookieSessionInterface

from .extensions import socketio

MAX_PAYLOAD = 64 * 1024  # a chat message is ≤ 2,000 characters; nothing needs more


def same_origins(environ: dict) -> list[str]:
    """The origin(s) this request was made to: scheme://host, also as a proxy forwarded it."""
    origins = []
    host = environ.get("HTTP_HOST")
    if host:
        origins.append(f"{environ.get('wsgi.url_scheme', 'http')}://{host}")
        if "HTTP_X_FORWARDED_PROTO" in environ or "HTTP_X_FORWARDED_HOST" in environ:
            scheme = environ.get("HTTP_X_FORWARDED_PROTO", environ.get("wsgi.url_scheme", "http"))
            fwd_host = environ.get("HTTP_X_FORWARDED_HOST", host)
            origins.append(f"{scheme.split(',')[0].strip()}://{fwd_host.split(',')[0].strip()}")
    return origins


def origin_allowed(origin: str | None, environ: dict, allowed: list[str]) -> bool:
    """SPEC §5: no Origin (non-browser clients) → judged by the session alone; the
    site's own origin → allowed; another site → only if listed in CORS_ORIGINS."""
    if not origin:
        return True
    return origin in allowed or origin in same_origins(environ)


class SocketEventSessions(SecureCookieSessionInterface):
    """Flask-SocketIO runs each event in a request context made from the connection's
    environ and replaces that context's session with the connection's own copy (taken
    at connect). Decoding and verifying the cookie again for every event would be
    wasted work on the hottest path, so after connect an event gets an empty session
    until Flask-SocketIO swaps in the connection's."""

    def open_session(self, app, request):
        if "saved_session" in request.environ:
            return self.session_class()
        return super().open_session(app, request)


def init_socketio(app: Flask) -> None:
    cfg = app.config
    app.session_interface = SocketEventSessions()
    allowed = list(cfg["CORS_ORIGINS"] or [])

    def check_origin(origin, environ=None):
        return origin_allowed(origin, environ or {}, allowed)

    # The SocketIO object outlives an app (tests build many): a queue manager made
    # for an earlier app must not carry over to one configured without a queue.
    socketio.server_options.pop("client_manager", None)
    queue = cfg["SOCKETIO_MESSAGE_QUEUE"]
    extra = {}
    if queue and queue.startswith(("redis://", "rediss://")):
        from .queue_order import QueueOrderedRedisManager
        extra["client_manager"] = QueueOrderedRedisManager(queue, channel="flask-socketio")
    socketio.init_app(
        app,
        async_mode=cfg["SOCKETIO_ASYNC_MODE"],
        message_queue=queue,
        **extra,
        # Same origin always, plus CORS_ORIGINS; the connect handler checks again
        # (chat/events.py), so the rule holds for every transport.
        cors_allowed_origins=check_origin,
        max_http_buffer_size=MAX_PAYLOAD,
    )
