"""Socket.IO events of the chat (docs/api/socketio.md). Thin: parse the payload, call a
service, answer through the ack (``realtime.acks.acked``: never an exception escapes).

Rooms a connection is in: its person's ``user:<id>`` room from connect on (for direct
messages, ``muted`` and other personal pushes), plus the rooms it joined. The lobby
chat is a room like the others: a client joins ``lobby`` to get its messages.
Announcements are sent to every connection, joined or not.
"""
from __future__ import annotations

from flask import request
from flask_login import current_user
from flask_socketio import join_room, leave_room

from exhibition.chat import sending, services
from exhibition.chat.payloads import serialise
from exhibition.chat.senders import senders
from exhibition.errors import Forbidden, Unauthenticated
from exhibition.extensions import socketio
from exhibition.realtime import presence, publish
from exhibition.realtime.acks import acked
from exhibition.realtime.connections import connections
from exhibition.realtime.rooms import Room

HISTORY_ON_JOIN = 50


def _sid() -> str:
    return request.sid  # type: ignore[attr-defined]


def _publish(events: list[presence.Event]) -> None:
    for event in events:
        publish(event.name, event.payload, room=event.room, skip_sid=event.skip_sid)


def _joined_room(payload: dict) -> str:
    """The payload's room, which this connection must have joined (else the access
    error for that room, or Forbidden)."""
    room = payload.get("room")
    if isinstance(room, str) and connections.has_joined(_sid(), room):
        return room
    Room.access(current_user, room)
    raise Forbidden("join the room first")


@acked
def on_join(payload: dict) -> dict:
    """Client → join {room}: ack {ok, room, history (≤50 newest, oldest first), present
    (≤100, the booth's staff first), present_count}."""
    room = Room.access(current_user, payload.get("room"))
    sid = _sid()
    if not connections.join(sid, room.name):  # the client went away meanwhile
        return {"ok": False, "error": {"code": "forbidden", "message": "the connection is closed"}}
    join_room(room.name)
    _publish(presence.enter(current_user, room, sid))
    history = services.recent_messages(room.name, limit=HISTORY_ON_JOIN)
    present, present_count = services.present_users(room, current_user.id)
    return {"ok": True, "room": room.name, "history": [serialise(m) for m in history],
            "present": present, "present_count": present_count}


@acked
def on_leave(payload: dict) -> dict:
    """Client → leave {room}: ack {ok}; the others see presence "left" when the person's
    last connection leaves."""
    room = Room.parse(payload.get("room"))
    sid = _sid()
    if connections.leave(sid, room.name):
        leave_room(room.name)
        _publish(presence.leave(current_user, current_user.id, room, sid))
    return {"ok": True}


@acked(load_user=False)
def on_send(payload: dict) -> dict:
    """Client → send {room, body, client_id}: ack {ok, message}; the room gets `message`.
    The hot path: the person comes from the connection and access from the join, so a
    send costs no query before its batch (see chat/sending.py)."""
    user_id = connections.user_id(_sid())
    if user_id is None:
        raise Unauthenticated("log in first")
    room = _joined_room(payload)
    message, _duplicate = sending.send_message(senders().get(user_id), room, payload.get("body"),
                                               payload.get("client_id"), joined=True)
    return {"ok": True, "message": message}


@acked
def on_history(payload: dict) -> dict:
    """Client → history {room, before_id?, after_id?, limit?}: ack {ok, messages}."""
    messages = services.history(current_user, payload.get("room"), payload.get("before_id"),
                                payload.get("after_id"), payload.get("limit"))
    return {"ok": True, "messages": [serialise(m) for m in messages]}


@acked
def on_typing(payload: dict) -> dict:
    """Client → typing {room}: the room's others get `typing` {room, user}."""
    room = _joined_room(payload)
    publish("typing", {"room": room, "user": current_user.to_dict()}, room=room, skip_sid=_sid())
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
    for name, handler in (("join", on_join), ("leave", on_leave), ("send", on_send),
                          ("history", on_history), ("typing", on_typing),
                          ("delete_message", on_delete_message), ("mute", on_mute)):
        socketio.on_event(name, handler)
