"""Publishing realtime events. Services call ``publish`` after their commit and never
touch Socket.IO themselves; with a message queue the event reaches every process."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from exhibition.extensions import socketio
from exhibition.realtime.rooms import user_room

# Called with a user id when that person's sockets must close in the other processes
# too (the logout relay installs itself here when a Redis queue joins processes).
_remote_disconnect: list[Callable[[int], None]] = []


def publish(event: str, payload: Any, room: Any = None, skip_sid: str | None = None) -> None:
    """Emit to a room, a list of rooms or everyone; through the message queue when one is
    configured. Call it only after the commit that made the event true."""
    socketio.emit(event, payload, to=str(room) if room is not None and not isinstance(room, list) else room,
                  skip_sid=skip_sid)


def on_remote_disconnect(callback: Callable[[int], None] | None) -> None:
    """Install (or with None remove) the hook that closes a person's sockets elsewhere."""
    _remote_disconnect.clear()
    if callback is not None:
        _remote_disconnect.append(callback)


def disconnect_user(user_id: int) -> None:
    """Close every open socket of this person (on logout), in every process: this
    process's at once, the others' through the installed relay."""
    disconnect_local(user_id)
    for callback in _remote_disconnect:
        callback(user_id)


def disconnect_local(user_id: int) -> int:
    """Close this process's sockets of the person: each connection sits in its person's
    ``user:<id>`` room from connect on. Returns how many were closed."""
    server = getattr(socketio, "server", None)  # None until init_app ran (CLI, migrations)
    if server is None:
        return 0
    sids = [sid for sid, _eio_sid in server.manager.get_participants("/", user_room(user_id))]
    for sid in sids:
        server.disconnect(sid, namespace="/")
    return len(sids)
