"""Socket.IO events of the chat (SPEC §5). Thin: parse the payload, call a service,
answer through the ack. Every handler answers ``{"ok": true, …}`` or
``{"ok": false, "error": {code, message}}`` and never lets an exception escape.

Rooms a connection is in: its person's ``user:<id>`` room from connect on (for direct
messages, ``muted`` and other personal pushes), plus the rooms it joined. The lobby
chat is a room like the others: a client joins ``lobby`` to get its messages.
Announcements are sent to every connection, joined or not.
"""
from __future__ import annotations

import threading
from functools import wraps
from typing import Any, Callable

from flask import current_app, request
from flask_login import current_user
from flask_socketio import join_room, leave_room

from ..accounts.models import User
from ..auth import require_user
from ..errors import DomainError, Forbidden, Invalid, Unauthenticated
from ..extensions import db, socketio
from ..presence import ONLINE, store
from ..realtime import parse_room, publish, user_room
from ..sockets import origin_allowed
from . import services

HISTORY_ON_JOIN = 50


class Connections:
    """Which person each connection of this process belongs to and which rooms it
    joined (sids are local to a process, so this is too)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_sid: dict[str, tuple[int, set[str]]] = {}

    def add(self, sid: str, user_id: int) -> None:
        with self._lock:
            self._by_sid[sid] = (user_id, set())

    def join(self, sid: str, room: str) -> None:
        with self._lock:
            if sid in self._by_sid:
                self._by_sid[sid][1].add(room)

    def leave(self, sid: str, room: str) -> None:
        with self._lock:
            if sid in self._by_sid:
                self._by_sid[sid][1].discard(room)

    def user_id(self, sid: str) -> int | None:
        with self._lock:
            entry = self._by_sid.get(sid)
            return entry[0] if entry else None

    def rooms(self, sid: str) -> set[str]:
        with self._lock:
            entry = self._by_sid.get(sid)
            return set(entry[1]) if entry else set()

    def pop(self, sid: str) -> tuple[int, set[str]] | None:
        with self._lock:
            return self._by_sid.pop(sid, None)


connections = Connections()


SOCKET_ERROR_CODES = ("invalid", "forbidden", "not_found", "muted", "rate_limited", "too_large")  # SPEC §5


def error_ack(err: DomainError) -> dict:
    """The SPEC's error ack. Its socket codes are fewer than HTTP's: a connection whose
    login is gone (the account deleted meanwhile) is ``forbidden``, not ``unauthenticated``."""
    error = err.as_dict()
    if error["code"] not in SOCKET_ERROR_CODES:
        error["code"] = "forbidden" if error["code"] == "unauthenticated" else "invalid"
    return {"ok": False, "error": error}


def acked(handler: Callable[..., dict] | None = None, *, load_user: bool = True) -> Any:
    """Check the payload is one object and turn every failure into an error ack.

    ``load_user=False``: the handler does not touch ``current_user`` (one query per
    event) and identifies the person by the connection instead (``connections``)."""
    if handler is None:
        return lambda h: acked(h, load_user=load_user)

    @wraps(handler)
    def wrapper(*args: Any) -> dict:
        try:
            if len(args) != 1 or not isinstance(args[0], dict):
                raise Invalid("the payload must be one JSON object")
            if load_user:
                require_user(current_user)
            return handler(args[0])
        except DomainError as err:
            db.session.rollback()
            return error_ack(err)
        except Exception:  # nothing may crash the handler
            current_app.logger.exception("socket event %s failed", handler.__name__)
            db.session.rollback()
            return {"ok": False, "error": {"code": "invalid", "message": "the request could not be processed"}}
    return wrapper


def user_object(user: User) -> dict:
    return user.to_dict()


def present_users(room: str) -> list[dict]:
    ids = store().members(room)
    if not ids:
        return []
    users = db.session.query(User).filter(User.id.in_(ids)).order_by(User.display_name).all()
    return [user_object(u) for u in users]


def _joined_room(payload: dict) -> str:
    """The payload's room, which this connection must have joined (else the access
    error for that room, or Forbidden)."""
    room = payload.get("room")
    if isinstance(room, str) and room in connections.rooms(request.sid):
        return room
    services.room_access(current_user, room)
    raise Forbidden("join the room first")


def on_connect(auth: Any = None) -> None:
    """A browser or client connects: needs a logged-in session and an allowed Origin."""
    environ = request.environ
    if not origin_allowed(environ.get("HTTP_ORIGIN"), environ, current_app.config["CORS_ORIGINS"]):
        raise ConnectionRefusedError("origin not allowed")
    if not current_user.is_authenticated:
        raise ConnectionRefusedError("log in first")
    connections.add(request.sid, current_user.id)
    services.senders().put(current_user)
    join_room(user_room(current_user.id))
    store().join(ONLINE, current_user.id, request.sid)


def on_disconnect(*_reason: Any) -> None:
    """The connection is gone: the person leaves each room it was the last one in."""
    entry = connections.pop(request.sid)
    if entry is None:
        return
    user_id, rooms = entry
    try:
        user = db.session.get(User, user_id)
        for room in rooms:
            if store().leave(room, user_id, request.sid) and user is not None:
                publish("presence", {"room": room, "user": user_object(user), "status": "left"}, room=room)
        store().leave(ONLINE, user_id, request.sid)
    except Exception:
        current_app.logger.exception("disconnect clean-up failed")
        db.session.rollback()


@acked
def on_join(payload: dict) -> dict:
    """Client → join {room}: ack {ok, room, history (≤50 newest, oldest first), present}."""
    room = services.room_access(current_user, payload.get("room"))
    sid = request.sid
    join_room(room.name)
    connections.join(sid, room.name)
    first = store().join(room.name, current_user.id, sid)
    if first:
        publish("presence", {"room": room.name, "user": user_object(current_user), "status": "joined"},
                room=room.name, skip_sid=sid)
        if room.kind == "booth":
            _record_visit(room)
    history = services.recent_messages(room.name, limit=HISTORY_ON_JOIN)
    return {"ok": True, "room": room.name, "history": [services.serialise(m) for m in history],
            "present": present_users(room.name)}


def _record_visit(room: services.Room) -> None:
    from ..booths import services as booth_services
    record = getattr(booth_services, "record_visit", None)
    if record is not None:
        record(current_user.id, room.booth)


@acked
def on_leave(payload: dict) -> dict:
    """Client → leave {room}: ack {ok}; the others see presence "left" when the person's
    last connection leaves."""
    name = payload.get("room")
    if parse_room(name) is None:
        raise Invalid("room must be lobby, booth:<slug>, session:<id> or dm:<a>:<b>")
    sid = request.sid
    if name in connections.rooms(sid):
        leave_room(name)
        connections.leave(sid, name)
        if store().leave(name, current_user.id, sid):
            publish("presence", {"room": name, "user": user_object(current_user), "status": "left"}, room=name)
    return {"ok": True}


@acked(load_user=False)
def on_send(payload: dict) -> dict:
    """Client → send {room, body, client_id}: ack {ok, message}; the room gets `message`.
    The hot path: the person comes from the connection and access from the join, so a
    send costs no query before its batch (see chat/sending.py)."""
    user_id = connections.user_id(request.sid)
    if user_id is None:
        raise Unauthenticated("log in first")
    room = _joined_room(payload)
    sender = services.senders().get(user_id)
    message, _duplicate = services.send_message(sender, room, payload.get("body"), payload.get("client_id"),
                                                joined=True)
    return {"ok": True, "message": message}


@acked
def on_history(payload: dict) -> dict:
    """Client → history {room, before_id?, after_id?, limit?}: ack {ok, messages}."""
    messages = services.history(current_user, payload.get("room"), payload.get("before_id"),
                                payload.get("after_id"), payload.get("limit"))
    return {"ok": True, "messages": [services.serialise(m) for m in messages]}


@acked
def on_typing(payload: dict) -> dict:
    """Client → typing {room}: the room's others get `typing` {room, user}."""
    room = _joined_room(payload)
    publish("typing", {"room": room, "user": user_object(current_user)}, room=room, skip_sid=request.sid)
    return {"ok": True}


@acked
def on_delete_message(payload: dict) -> dict:
    """Client → delete_message {id}: the room gets `message_deleted` {id, room}."""
    services.delete_message(current_user, payload.get("id"))
    return {"ok": True}


@acked
def on_mute(payload: dict) -> dict:
    """Client → mute {room, user_id, minutes}: the muted person gets `muted` {room, until}."""
    services.mute(current_user, payload.get("room"), payload.get("user_id"), payload.get("minutes"))
    return {"ok": True}


def register_events() -> None:
    """Attach the handlers to the (freshly initialised) Socket.IO server."""
    socketio.on_event("connect", on_connect)
    socketio.on_event("disconnect", on_disconnect)
    for name, handler in (("join", on_join), ("leave", on_leave), ("send", on_send),
                          ("history", on_history), ("typing", on_typing),
                          ("delete_message", on_delete_message), ("mute", on_mute)):
        socketio.on_event(name, handler)
