"""Socket.IO server set-up: async mode, message queue, allowed origins, payload bound."""
from __future__ import annotations

import logging
import threading
import time
import traceback

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


class UndecodablePacketLog(logging.Filter):
    """engine.io logs a full traceback for every packet python-socketio cannot decode
    (junk, bad JSON, a wrong packet type) and carries on. Anyone can send such packets,
    so each would add a traceback to the log. This turns them into one warning line,
    at most one per ``every`` seconds with a count of the others. A traceback that
    passes through the platform's own code is a bug and is left as it is."""

    def __init__(self, every: float = 10.0) -> None:
        super().__init__()
        self.every = every
        self._lock = threading.Lock()
        self._last = 0.0
        self._dropped = 0

    def filter(self, record: logging.LogRecord) -> bool:
        if not record.exc_info or not str(record.msg).endswith("handler error"):
            return True
        _type, err, tb = record.exc_info
        if any("/exhibition/" in frame.filename for frame in traceback.extract_tb(tb)):
            return True
        with self._lock:
            self._dropped += 1
            now = time.monotonic()
            if now - self._last < self.every:
                return False
            count, self._dropped, self._last = self._dropped, 0, now
        record.msg = "dropped %d undecodable Socket.IO packet(s) in the last %ds; latest: %s: %s"
        record.args = (count, int(self.every), type(err).__name__, str(err)[:200])
        record.exc_info = record.exc_text = None
        record.levelno, record.levelname = logging.WARNING, "WARNING"
        return True


_packet_log = UndecodablePacketLog()


def init_socketio(app: Flask) -> None:
    cfg = app.config
    app.session_interface = SocketEventSessions()
    engineio_log = logging.getLogger("engineio.server")
    if _packet_log not in engineio_log.filters:
        engineio_log.addFilter(_packet_log)
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
