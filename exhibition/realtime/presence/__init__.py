"""Presence as a service: who is connected, and who is in which room.

One interface, two stores: in the process's memory (``memory.MemoryPresence``, one
process) or in Redis (``redis_store.RedisPresence``, several processes behind a
message queue). ``enter`` and ``leave`` apply the rules — a person is in a room while
any of their connections is, the others hear of the first one in and the last one out —
and return the events to publish; the transport publishes them. Areas that care about
arrivals (a booth counting visits) register with ``on_first_enter``.

Large rooms (SPEC §5): in a room with more than ``LARGE_ROOM`` people present, arrivals and
departures are announced with ``presence`` only for the room's booth staff; every member
gets ``presence_count {room, count}`` instead, at most once every ``COUNT_INTERVAL``
seconds per room (a ``Coalescer``). With several processes each one coalesces its own
changes, and a per-room claim in the store (Redis: SET NX PX) lets one ``presence_count``
through per room and interval across all of them: the claimer sends the count of the whole
room, the others keep their room dirty and try again after the interval.

Everything a join needs costs the same in a room of 10 and of 10,000: ``count``,
``some_members(room, k)`` and ``present_among(room, ids)`` are O(1), O(k), O(ids) in both
stores.
"""
from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import redis
from flask import Flask

from exhibition.extensions import socketio
from exhibition.realtime.coalesce import Coalescer
from exhibition.realtime.presence.memory import MemoryPresence
from exhibition.realtime.presence.redis_store import DEFAULT_PREFIX, DEFAULT_TTL, RedisPresence, is_redis_url
from exhibition.realtime.publishing import publish
from exhibition.realtime.rooms import Room

ONLINE = "online"  # the pseudo-room every connected person is in
LARGE_ROOM = 100  # more people present than this: a large room (SPEC §5)
COUNT_INTERVAL = 2.0  # seconds: at most one presence_count per room this often
STAFF_CACHE_SECONDS = 30.0  # how long a room's booth staff are remembered for departures

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
    """Everyone in the room (a copy of the whole set: not for large rooms' hot paths)."""
    return _store.members(str(room))


def count(room: Room | str) -> int:
    """How many people are in the room: O(1)."""
    return _store.count(str(room))


def some_members(room: Room | str, k: int) -> set[int]:
    """Up to ``k`` of the room's people, any of them: O(k)."""
    return _store.some_members(str(room), k)


def present_among(room: Room | str, user_ids: Iterable[int]) -> set[int]:
    """Which of ``user_ids`` (a few: a booth's staff) are in the room."""
    return _store.present_among(str(room), user_ids)


def booth_staff_ids(room: Room) -> set[int]:
    """The people of the room's booth staff (booth rooms, rooms of sessions linked to a
    booth); none for other rooms or a room not resolved (``Room.parse``)."""
    booth = room.booth
    if booth is None:
        return set()
    ids = {link.user_id for link in booth.staff}
    _staff_cache[room.name] = (time.monotonic() + STAFF_CACHE_SECONDS, frozenset(ids))
    return ids


# room name -> (valid until, the booth staff's ids): a departure's room comes from
# ``Room.parse`` (no booth), and asking the database again for every departure from a
# room of 5,000 would cost what the large-room rule saves.
_staff_cache: dict[str, tuple[float, frozenset[int]]] = {}


def _staff_of(room: Room, user: Any) -> set[int]:
    if room.booth is not None:
        return booth_staff_ids(room)
    cached = _staff_cache.get(room.name)
    if cached is not None and cached[0] > time.monotonic():
        return set(cached[1])
    if room.kind not in ("booth", "session") or user is None:
        return set()
    try:
        return booth_staff_ids(Room.access(user, room.name))
    except Exception:  # noqa: BLE001 - the booth or session is gone: nobody to announce as staff
        return set()


def is_large(people: int) -> bool:
    """A room with this many people present follows the large-room rule."""
    return people > LARGE_ROOM


# ---------------------------------------------------------------- presence_count

def _flush_count(room: str) -> None:
    publish("presence_count", {"room": room, "count": _store.count(room)}, room=room)


def _claim(room: str) -> bool:
    claim = getattr(_store, "claim", None)
    return True if claim is None else bool(claim(f"count:{room}", COUNT_INTERVAL))


counts = Coalescer(_flush_count, COUNT_INTERVAL, gate=_claim)


def set_count_interval(seconds: float, clock: Callable[[], float] | None = None) -> None:
    """Change the interval of presence_count (and its clock): for tests."""
    global COUNT_INTERVAL
    COUNT_INTERVAL = seconds
    counts.interval = seconds
    if clock is not None:
        counts.clock = clock


def start_count_flusher(app: Flask) -> None:
    """In a serving process: send the presence_count a room is owed once its interval passed
    (without it the next change in any room sends it)."""
    socketio.start_background_task(counts.run, socketio.sleep)


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
    announces them to the others and counts as an arrival (``on_first_enter``); in a large
    room only the booth's staff are announced, and the count is (coalesced)."""
    if not _store.join(room.name, user.id, sid):
        return []
    for hook in _arrival_hooks:
        hook(user, room)
    if not is_large(_store.count(room.name)):
        return [_presence(room, user, "joined", skip_sid=sid)]
    counts.mark(room.name)
    if user.id in _staff_of(room, user):
        return [_presence(room, user, "joined", skip_sid=sid)]
    return []


def leave(user: Any, user_id: int, room: Room, sid: str) -> list[Event]:
    """This connection leaves ``room``; the person's last connection there is announced
    (in a large room — counted with the one leaving — only the booth's staff; the count
    is coalesced). ``user`` may be None when the account is gone: nothing is announced then."""
    if not _store.leave(room.name, user_id, sid):
        return []
    if is_large(_store.count(room.name) + 1):
        counts.mark(room.name)
        if user is None or user_id not in _staff_of(room, user):
            return []
    if user is None:
        return []
    return [_presence(room, user, "left")]


def install(app: Flask, url: str | None = None) -> RedisPresence | None:
    """Use Redis for presence when the message queue is Redis (several processes);
    otherwise leave the in-memory store. The heartbeat starts with the first join,
    as a Socket.IO background task (a green thread under eventlet or gevent)."""
    url = url or app.config.get("SOCKETIO_MESSAGE_QUEUE")
    counts.clear()  # a new app starts with no room owed a count
    counts.inline = True  # until a serving process starts the loop
    _staff_cache.clear()
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

