"""Socket.IO server set-up: async mode, message queue, allowed origins, payload bound;
and the connection's life: connect (who, from where) and disconnect (leave every room)."""
from __future__ import annotations

import logging
import threading
import time
import traceback
from collections.abc import Callable
from typing import Any

from flask import Flask, current_app, request
from flask.sessions import SecureCookieSessionInterface
from flask_login import current_user
from flask_socketio import join_room

from exhibition.extensions import db, socketio
from exhibition.realtime import presence
from exhibition.realtime.backpressure import bound_send_queues
from exhibition.realtime.connections import connections
from exhibition.realtime.ordering import QueueOrderedRedisManager
from exhibition.realtime.publishing import publish
from exhibition.realtime.rooms import user_room
from exhibition.runtime.serving import setting

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
    """docs/api/socketio.md, Connecting: no Origin (non-browser clients) → judged by the session alone; the
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
        extra["client_manager"] = QueueOrderedRedisManager(queue, channel="flask-socketio")
    socketio.init_app(
        app,
        async_mode=cfg["SOCKETIO_ASYNC_MODE"],
        message_queue=queue,
        **extra,
        # Same origin always, plus CORS_ORIGINS; the connect handler checks again
        # (on_connect below), so the rule holds for every transport.
        cors_allowed_origins=check_origin,
        max_http_buffer_size=MAX_PAYLOAD,
    )
    bound_send_queues(socketio.server.eio, setting(app, "SOCKETIO_SEND_QUEUE_LIMIT"))
    register_connection_events()


# ---------------------------------------------------------------- the connection's life

# Areas that keep per-connection state register here (chat caches the sender's identity).
_connect_hooks: list[Callable[[Any], None]] = []
# Loads a person by id (the accounts area registers it): presence "left" needs the
# person even when their login was just closed.
_person_loader: list[Callable[[int], Any]] = []


def on_connected(hook: Callable[[Any], None]) -> None:
    if hook not in _connect_hooks:
        _connect_hooks.append(hook)


def set_person_loader(loader: Callable[[int], Any]) -> None:
    _person_loader[:] = [loader]


def person(user_id: int) -> Any:
    return _person_loader[0](user_id) if _person_loader else None


def on_connect(auth: Any = None) -> None:
    """A browser or client connects: needs a logged-in session and an allowed Origin.
    The connection joins its person's ``user:<id>`` room and the person is online."""
    environ = request.environ
    if not origin_allowed(environ.get("HTTP_ORIGIN"), environ, current_app.config["CORS_ORIGINS"]):
        raise ConnectionRefusedError("origin not allowed")
    if not current_user.is_authenticated:
        raise ConnectionRefusedError("log in first")
    sid: str = request.sid  # type: ignore[attr-defined]
    connections.add(sid, current_user.id)
    for hook in _connect_hooks:
        hook(current_user)
    join_room(user_room(current_user.id))
    presence.connect(current_user.id, sid)


def on_disconnect(*_reason: Any) -> None:
    """The connection is gone: the person leaves each room it was the last one in."""
    sid: str = request.sid  # type: ignore[attr-defined]
    entry = connections.pop(sid)
    if entry is None:
        return
    user_id, rooms = entry
    try:
        for event in presence.disconnect(person(user_id), user_id, sid, rooms):
            publish(event.name, event.payload, room=event.room, skip_sid=event.skip_sid)
    except Exception:
        current_app.logger.exception("disconnect clean-up failed")
        db.session.rollback()


def register_connection_events() -> None:
    socketio.on_event("connect", on_connect)
    socketio.on_event("disconnect", on_disconnect)
