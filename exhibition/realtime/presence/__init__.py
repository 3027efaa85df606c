"""Presence as a service: who is connected, and who is in which room.

One interface, two stores: in the process's memory (``memory.MemoryPresence``, one
process) or in Redis (``redis_store.RedisPresence``, several processes behind a
message queue). ``enter`` and ``leave`` apply the rules — a person is in a room while
any of their connections is, the others hear of the first one in and the last one out —
and return the events to publish; the transport publishes them. Areas that care about
arrivals (a booth counting visits) register with ``on_first_enter``.
"""
from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import redis
from flask import Flask

from exhibition.extensions import socketio
from exhibition.realtime.presence.memory import MemoryPresence
from exhibition.realtime.presence.redis_store import DEFAULT_PREFIX, DEFAULT_TTL, RedisPresence, is_redis_url
from exhibition.realtime.rooms import Room

ONLINE = "online"  # the pseudo-room every connected person is in

_store: Any = MemoryPresence()
_arrival_hooks: list[Callable[[Any, Room], None]] = []


@dataclass(frozen=True)
class Event:
    """A realtime event to publish: name, payload, audience, and a sid to leave out."""

    name: str
    payload: dict
    room: Any
    skip_sid: str | None = None


def store() -> Any:
    return _store


def set_store(new_store: Any) -> None:
    global _store
    _store = new_store


def on_first_enter(hook: Callable[[Any, Room], None]) -> None:
    """Call ``hook(user, room)`` when a person arrives in a room they were not in."""
    if hook not in _arrival_hooks:
        _arrival_hooks.append(hook)


def online_user_ids() -> set[int]:
    return _store.members(ONLINE)


def is_online(user_id: int) -> bool:
    return user_id in online_user_ids()


def members(room: Room | str) -> set[int]:
    return _store.members(str(room))


def count(room: Room | str) -> int:
    return _store.count(str(room))


def connect(user_id: int, sid: str) -> None:
    """A connection of this person opened: they are online."""
    _store.join(ONLINE, user_id, sid)


def disconnect(user: Any, user_id: int, sid: str, rooms: set[str]) -> list[Event]:
    """A connection closed: it leaves each of its rooms, and then the site."""
    events = [event for room in rooms for event in leave(user, user_id, Room.parse(room), sid)]
    _store.leave(ONLINE, user_id, sid)
    return events


def _presence(room: Room, user: Any, status: str, skip_sid: str | None = None) -> Event:
    return Event("presence", {"room": room.name, "user": user.to_dict(), "status": status}, room.name, skip_sid)


def enter(user: Any, room: Room, sid: str) -> list[Event]:
    """This connection joins ``room``. The first of the person's connections there
    announces them to the others and counts as an arrival (``on_first_enter``)."""
    if not _store.join(room.name, user.id, sid):
        return []
    for hook in _arrival_hooks:
        hook(user, room)
    return [_presence(room, user, "joined", skip_sid=sid)]


def leave(user: Any, user_id: int, room: Room, sid: str) -> list[Event]:
    """This connection leaves ``room``; the person's last connection there is announced.
    ``user`` may be None when the account is gone: nothing is announced then."""
    if not _store.leave(room.name, user_id, sid) or user is None:
        return []
    return [_presence(room, user, "left")]


def install(app: Flask, url: str | None = None) -> RedisPresence | None:
    """Use Redis for presence when the message queue is Redis (several processes);
    otherwise leave the in-memory store. The heartbeat starts with the first join,
    as a Socket.IO background task (a green thread under eventlet or gevent)."""
    url = url or app.config.get("SOCKETIO_MESSAGE_QUEUE")
    if url is None or not is_redis_url(url):
        if isinstance(store(), RedisPresence):  # an earlier app in this process used Redis
            set_store(MemoryPresence())
        return None
    ttl = int(app.config.get("PRESENCE_TTL") or os.environ.get("PRESENCE_TTL") or DEFAULT_TTL)
    new = RedisPresence(redis.Redis.from_url(url), prefix=app.config.get("PRESENCE_PREFIX", DEFAULT_PREFIX),
                          ttl=ttl)
    new.start_task = socketio.start_background_task
    new.sleep = socketio.sleep
    set_store(new)
    return new

