"""Chat rules: rooms, sending, history, deletion, muting. Knows nothing of Socket.IO.

Rooms (SPEC §5): ``lobby`` (everyone), ``booth:<slug>``, ``session:<id>``,
``dm:<a>:<b>`` (the two user ids, smaller first). ``room_access`` is the one
access rule; the socket events and the pages both use it.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import func, or_, select

from ..accounts.models import User
from ..errors import Forbidden, Invalid, NotFound
from ..extensions import db
from ..realtime import dm_room, parse_room, publish, user_room
from ..types import isoformat, utcnow
from ..validation import integer
from .models import Message, Mute
from .sending import (Sender, audience_of, senders, serialise, submit,  # noqa: F401  (the chat's public face)
                      validate_body, validate_client_id)

HISTORY_DEFAULT = 50
HISTORY_MAX = 100
MUTE_MAX_MINUTES = 24 * 60
MAX_ID = 2**31 - 1  # ids are 32-bit integers in the database


@dataclass(frozen=True)
class Room:
    """A room someone may use: its name and what moderates it."""

    name: str
    kind: str                      # lobby | booth | session | dm
    booth: Any = None              # the booth whose staff moderate it (booth rooms, linked sessions)
    dm_user_ids: tuple[int, int] | None = None

    @classmethod
    def from_name(cls, name: str) -> "Room":
        """The room a valid name denotes, without an access check and without loading its
        booth: enough to send and broadcast (e.g. to a room a connection has joined), not
        for moderation decisions."""
        kind, key = parse_room(name)
        if kind == "dm":
            low, _, high = key.partition(":")
            return cls(name, kind, dm_user_ids=(int(low), int(high)))
        return cls(name, kind)

    @property
    def audience(self) -> Any:
        return audience_of(self.name, self.dm_user_ids)

    def other_user_id(self, user_id: int) -> int | None:
        if not self.dm_user_ids:
            return None
        a, b = self.dm_user_ids
        return b if user_id == a else a


# ---------------------------------------------------------------- rooms

def room_access(user, name: Any) -> Room:
    """The room ``name`` if ``user`` may join, read and write it.

    Invalid: not a room name (or a dm room not in canonical form ``dm:<low>:<high>``);
    NotFound: no such booth, session or person; Forbidden: a dm room of two others."""
    parsed = parse_room(name)
    if parsed is None:
        raise Invalid("room must be lobby, booth:<slug>, session:<id> or dm:<a>:<b>")
    kind, key = parsed
    if kind == "lobby":
        return Room(name, kind)
    if kind == "booth":
        from ..booths.services import get_booth
        return Room(name, kind, booth=get_booth(key))
    if kind == "session":
        if not key.isdigit() or len(key) > 18:
            raise Invalid("session rooms are session:<numeric id>")
        from ..schedule.services import get_session
        session = get_session(int(key))
        return Room(name, kind, booth=getattr(session, "booth", None))
    return _dm_access(user, name, key)


def _dm_access(user, name: str, key: str) -> Room:
    low, sep, high = key.partition(":")
    if not sep or not low.isdigit() or not high.isdigit() or len(low) > 18 or len(high) > 18:
        raise Invalid("direct message rooms are dm:<a>:<b> with two user ids")
    a, b = int(low), int(high)
    if a >= b or name != dm_room(a, b):
        raise Invalid("direct message rooms name the smaller user id first: dm:<smaller>:<larger>")
    if user.id not in (a, b):
        raise Forbidden("only the two people in a direct conversation may use it")
    other = b if user.id == a else a
    if other > MAX_ID or db.session.get(User, other) is None:
        raise NotFound("no such person")
    return Room(name, "dm", dm_user_ids=(a, b))


def dm_room_with(user, other_user_id: int) -> Room:
    """The direct-message room between ``user`` and another person."""
    if not isinstance(other_user_id, int) or isinstance(other_user_id, bool):
        raise Invalid("user_id must be an integer")
    if other_user_id == user.id:
        raise Invalid("a direct conversation needs another person")
    if not 0 < other_user_id <= MAX_ID or db.session.get(User, other_user_id) is None:
        raise NotFound("no such person")
    return room_access(user, dm_room(user.id, other_user_id))


def can_moderate(user, room: Room) -> bool:
    """Organisers moderate every room; a booth's staff moderate its booth room and the
    rooms of sessions linked to that booth."""
    if getattr(user, "role", None) == "organiser":
        return True
    if room.booth is not None:
        from ..booths.services import can_manage_booth
        return can_manage_booth(user, room.booth)
    return False


# ---------------------------------------------------------------- messages

def send_message(user, room_name: Any, body: Any, client_id: Any = None, *,
                 joined: bool = False) -> tuple[dict, bool]:
    """Store a message (committed) and broadcast it; returns (message object, duplicate).

    ``user``: the person (a User) or their ``Sender`` identity. ``joined=True``: access
    was checked when the sender's connection joined the room, so it is not checked again.
    The same client_id from the same sender again returns the stored message with
    duplicate=True and broadcasts nothing.
    Errors: Invalid, TooLarge, Forbidden/NotFound (room), Muted, RateLimited."""
    body = validate_body(body)
    client_id = validate_client_id(client_id)
    room = Room.from_name(room_name) if joined else room_access(user, room_name)
    sender = user if isinstance(user, Sender) else senders().put(user)
    return submit(sender, room.name, room.audience, body, client_id)


def history(user, room_name: Any, before_id: Any = None, after_id: Any = None,
            limit: Any = None) -> list[Message]:
    """Messages of a room, oldest first: the newest ``limit`` (≤100, default 50) before
    ``before_id`` (or the newest at all), or the oldest ``limit`` after ``after_id``.
    A limit over 100 is refused (Invalid), not clamped."""
    data = {"before_id": before_id, "after_id": after_id, "limit": limit}
    before_id = integer(data, "before_id", required=False, minimum=0, maximum=MAX_ID)
    after_id = integer(data, "after_id", required=False, minimum=0, maximum=MAX_ID)
    limit = integer(data, "limit", required=False, minimum=1, maximum=HISTORY_MAX, default=HISTORY_DEFAULT)
    if before_id is not None and after_id is not None:
        raise Invalid("give before_id or after_id, not both")
    room = room_access(user, room_name)
    return recent_messages(room.name, before_id=before_id, after_id=after_id, limit=limit)


def recent_messages(room: str, *, before_id: int | None = None, after_id: int | None = None,
                    limit: int = HISTORY_DEFAULT) -> list[Message]:
    """The query behind ``history`` (no access check)."""
    query = select(Message).where(Message.room == room)
    if after_id is not None:
        return list(db.session.scalars(query.where(Message.id > after_id).order_by(Message.id).limit(limit)))
    if before_id is not None:
        query = query.where(Message.id < before_id)
    newest = list(db.session.scalars(query.order_by(Message.id.desc()).limit(limit)))
    newest.reverse()
    return newest


def can_delete(user, message: Message, room: Room) -> bool:
    return message.sender_id == user.id or can_moderate(user, room)


def delete_message(user, message_id: Any) -> Message:
    """Mark a message deleted (its author, the room's moderators) and tell the room."""
    if isinstance(message_id, bool) or not isinstance(message_id, int):
        raise Invalid("id must be an integer")
    message = db.session.get(Message, message_id) if 0 < message_id <= MAX_ID else None
    if message is None:
        raise NotFound("no such message")
    try:
        room = room_access(user, message.room)
    except Forbidden:  # someone else's direct conversation: only organisers moderate it
        if getattr(user, "role", None) != "organiser":
            raise NotFound("no such message") from None
        room = Room.from_name(message.room)
    except NotFound:  # the booth or session is gone: only organisers and the author
        room = Room(message.room, "gone")
    if not can_delete(user, message, room):
        raise Forbidden("only the author, this booth's staff or an organiser may delete this message")
    if message.deleted:
        return message
    message.deleted = True
    message.body = ""  # deleted means gone: the text is not kept
    db.session.commit()
    publish("message_deleted", {"id": message.id, "room": message.room}, room=room.audience)
    return message


def mute(user, room_name: Any, user_id: Any, minutes: Any) -> Mute:
    """Mute a person in a room for ``minutes`` (1–1440): this booth's staff (for its booth
    room and linked sessions) or an organiser. Moderators can be muted by organisers only."""
    data = {"user_id": user_id, "minutes": minutes}
    target_id = integer(data, "user_id")
    minutes = integer(data, "minutes", minimum=1, maximum=MUTE_MAX_MINUTES)
    room = room_access(user, room_name)
    if not can_moderate(user, room):
        raise Forbidden("only this booth's staff or an organiser may mute people here")
    target = db.session.get(User, target_id) if 0 < target_id <= MAX_ID else None
    if target is None:
        raise NotFound("no such person")
    if target.id == user.id:
        raise Invalid("you cannot mute yourself")
    if user.role != "organiser" and can_moderate(target, room):
        raise Forbidden("only an organiser may mute a moderator of this room")
    until = utcnow() + timedelta(minutes=minutes)
    row = db.session.scalar(select(Mute).where(Mute.room == room.name, Mute.user_id == target.id))
    if row is None:
        row = Mute(room=room.name, user_id=target.id)
        db.session.add(row)
    row.until, row.by_id = until, user.id
    db.session.commit()
    publish("muted", {"room": room.name, "until": isoformat(until)}, room=user_room(target.id))
    return row


def count_messages(room: str) -> int:
    """Messages ever sent in a room (deleted ones included), for the figures."""
    return db.session.scalar(select(func.count()).select_from(Message).where(Message.room == room)) or 0


# ---------------------------------------------------------------- direct conversations

def conversations(user) -> list[dict]:
    """The person's direct conversations, latest first: {room, other: {id, display_name,
    organisation, role}, last_message}."""
    mine = or_(Message.room.like(f"dm:{user.id}:%"), Message.room.like(f"dm:%:{user.id}"))
    last_ids = select(func.max(Message.id)).where(mine).group_by(Message.room)
    messages = list(db.session.scalars(
        select(Message).where(Message.id.in_(last_ids)).order_by(Message.id.desc())))
    out = []
    for message in messages:
        parsed = parse_room(message.room)
        a, _, b = parsed[1].partition(":") if parsed else ("", "", "")
        if not (a.isdigit() and b.isdigit()) or user.id not in (int(a), int(b)):
            continue
        other = db.session.get(User, int(b) if int(a) == user.id else int(a))
        if other is None:
            continue
        out.append({
            "room": message.room,
            "other": {"id": other.id, "display_name": other.display_name,
                      "organisation": other.organisation or "", "role": other.role},
            "last_message": serialise(message),
        })
    return out
