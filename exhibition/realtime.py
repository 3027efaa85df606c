"""Room names and publishing. Services call ``publish`` after their commit and never
touch Socket.IO themselves; the room naming rules live here and nowhere else."""
from __future__ import annotations

from typing import Any

from .extensions import socketio

LOBBY = "lobby"


def booth_room(slug: str) -> str:
    return f"booth:{slug}"


def session_room(session_id: int) -> str:
    return f"session:{session_id}"


def dm_room(a: int, b: int) -> str:
    low, high = sorted((int(a), int(b)))
    return f"dm:{low}:{high}"


def user_room(user_id: int) -> str:
    """Every connection joins its person's private room, for pushes meant for them."""
    return f"user:{user_id}"


def parse_room(name: Any) -> tuple[str, str] | None:
    """'booth:x' -> ('booth', 'x'); 'lobby' -> ('lobby', ''); None if not a room name."""
    if not isinstance(name, str) or len(name) > 100 or any(ord(c) < 32 for c in name):
        return None
    if name == LOBBY:
        return ("lobby", "")
    kind, sep, key = name.partition(":")
    if not sep or kind not in ("booth", "session", "dm") or not key:
        return None
    return (kind, key)


def publish(event: str, payload: Any, room: str | None = None, skip_sid: str | None = None) -> None:
    """Emit to a room (or everyone); through the message queue when one is configured."""
    socketio.emit(event, payload, to=room, skip_sid=skip_sid)


def disconnect_user(user_id: int) -> None:
    """Close every open socket of this person (on logout), in every process: this
    process's at once, the others' through the logout relay when a Redis queue joins
    several processes (exhibition/logout_relay.py)."""
    disconnect_local(user_id)
    from .logout_relay import relay
    current = relay()
    if current is not None:
        current.publish(user_id)


def disconnect_local(user_id: int) -> int:
    """Close this process's sockets of the person: each connection sits in its person's
    ``user:<id>`` room from connect on. Returns how many were closed."""
    server = getattr(socketio, "server", None)
    if server is None:
        return 0
    sids = [sid for sid, _eio_sid in server.manager.get_participants("/", user_room(user_id))]
    for sid in sids:
        server.disconnect(sid, namespace="/")
    return len(sids)
