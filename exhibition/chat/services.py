"""Chat rules: direct-message rooms, history, deletion, muting, conversations. Knows
nothing of Socket.IO. Sending has its own module (``sending``): it is the hot path.

Who may use a room is ``Room.access`` (exhibition/realtime/rooms.py); this area
registers the rule for ``dm:`` rooms, the booths and the schedule theirs.
"""
from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import func, or_, select

from exhibition import policies
from exhibition.accounts.models import User
from exhibition.chat.models import Message, Mute
from exhibition.chat.payloads import serialise
from exhibition.errors import Forbidden, Invalid, NotFound
from exhibition.extensions import db
from exhibition.realtime import presence, publish, rooms
from exhibition.realtime.rooms import Room, user_room
from exhibition.runtime.clock import isoformat, utcnow
from exhibition.runtime.validation import MAX_ID, integer, is_id

HISTORY_DEFAULT = 50
HISTORY_MAX = 100
MUTE_MAX_MINUTES = 24 * 60


# ---------------------------------------------------------------- rooms

def dm_access(user: Any, room: Room) -> Room:
    """``dm:`` rooms: only the two people in the conversation; the other must exist."""
    assert room.dm_user_ids is not None
    if user.id not in room.dm_user_ids:
        raise Forbidden("only the two people in a direct conversation may use it")
    other = room.other_person(user.id)
    if other > MAX_ID or db.session.get(User, other) is None:
        raise NotFound("no such person")
    return room


def room_access(user: Any, name: Any) -> Room:
    """The room ``name`` if ``user`` may join, read and write it (``Room.access``)."""
    return Room.access(user, name)


def dm_with(user: Any, other_user_id: Any) -> tuple[Room, User]:
    """The direct-message room between ``user`` and another person, and that person."""
    if not isinstance(other_user_id, int) or isinstance(other_user_id, bool):
        raise Invalid("user_id must be an integer", field="user_id")
    if other_user_id == user.id:
        raise Invalid("a direct conversation needs another person", field="user_id")
    other = db.session.get(User, other_user_id) if is_id(other_user_id) else None
    if other is None:
        raise NotFound("no such person")
    return Room.dm_room(user.id, other.id), other


PRESENT_MAX = 100  # the join ack lists at most this many people (SPEC §5, Large rooms)


def present_users(room: Room, joiner_id: int | None = None) -> tuple[list[dict], int]:
    """The people in a room as the join ack lists them, and how many are there: at most
    ``PRESENT_MAX``, the booth's staff first, then the joiner, then others (each part by
    display name). Costs the same whatever the room's size: the count, the staff's
    membership and up to ``PRESENT_MAX`` members come from presence, one query loads them."""
    total = presence.count(room)
    if total == 0:
        return [], 0
    staff = presence.present_among(room, presence.booth_staff_ids(room))
    first = sorted(staff)[:PRESENT_MAX]
    if joiner_id is not None and joiner_id not in staff and len(first) < PRESENT_MAX:
        first.append(joiner_id)
    room_left = PRESENT_MAX - len(first)
    others = presence.some_members(room, room_left + len(first)) - set(first) if room_left > 0 else set()
    rest = list(others)[:room_left]
    users = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(first + rest)))}
    def by_name(ids: list[int]) -> list[User]:
        return sorted((users[i] for i in ids if i in users), key=lambda u: (u.display_name, u.id))
    staff_part = by_name([i for i in first if i in staff])
    rest_part = by_name([i for i in first if i not in staff] + rest)
    return [u.to_dict() for u in staff_part + rest_part], total


# ---------------------------------------------------------------- history

def history(user: Any, room_name: Any, before_id: Any = None, after_id: Any = None,
            limit: Any = None) -> list[Message]:
    """Messages of a room, oldest first: the newest ``limit`` (≤100, default 50) before
    ``before_id`` (or the newest at all), or the oldest ``limit`` after ``after_id``.
    A limit over 100 is refused (Invalid), not clamped."""
    data = {"before_id": before_id, "after_id": after_id, "limit": limit}
    before = integer(data, "before_id", required=False, minimum=0, maximum=MAX_ID)
    after = integer(data, "after_id", required=False, minimum=0, maximum=MAX_ID)
    count = integer(data, "limit", required=False, minimum=1, maximum=HISTORY_MAX, default=HISTORY_DEFAULT)
    if before is not None and after is not None:
        raise Invalid("give before_id or after_id, not both")
    room = Room.access(user, room_name)
    return recent_messages(room.name, before_id=before, after_id=after, limit=count or HISTORY_DEFAULT)


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


def count_messages(room: str) -> int:
    """Messages ever sent in a room (deleted ones included), for the figures."""
    return db.session.scalar(select(func.count()).select_from(Message).where(Message.room == room)) or 0


def message_counts(prefix: str) -> dict[str, int]:
    """Messages ever sent per room, for every room whose name starts with ``prefix``."""
    rows = db.session.execute(select(Message.room, func.count()).where(Message.room.like(prefix + "%"))
                              .group_by(Message.room))
    return {room: n for room, n in rows}


# ---------------------------------------------------------------- moderation

def _moderation_room(user: Any, message: Message) -> Room:
    """The room of a message as its moderation sees it."""
    try:
        return Room.access(user, message.room)
    except Forbidden:  # someone else's direct conversation: only organisers moderate it
        if not policies.can_read_foreign_dm(user):
            raise NotFound("no such message") from None
        return Room.parse(message.room)
    except NotFound:  # the booth or session is gone: only organisers and the author
        return Room(message.room, "gone")


def delete_message(user: Any, message_id: Any) -> Message:
    """Mark a message deleted (its author, the room's moderators) and tell the room."""
    if not is_id(message_id):
        if isinstance(message_id, bool) or not isinstance(message_id, int):
            raise Invalid("id must be an integer", field="id")
        raise NotFound("no such message")
    message = db.session.get(Message, message_id)
    if message is None:
        raise NotFound("no such message")
    room = _moderation_room(user, message)
    if not policies.can_delete_message(user, message, room):
        raise Forbidden("only the author, this booth's staff or an organiser may delete this message")
    if message.deleted:
        return message
    message.deleted = True
    message.body = ""  # deleted means gone: the text is not kept
    db.session.commit()
    publish("message_deleted", {"id": message.id, "room": message.room}, room=room.audience)
    return message


def mute(user: Any, room_name: Any, user_id: Any, minutes: Any) -> Mute:
    """Mute a person in a room for ``minutes`` (1–1440): this booth's staff (for its booth
    room and linked sessions) or an organiser. Moderators can be muted by organisers only."""
    data = {"user_id": user_id, "minutes": minutes}
    target_id = integer(data, "user_id")
    length = integer(data, "minutes", minimum=1, maximum=MUTE_MAX_MINUTES)
    room = Room.access(user, room_name)
    if not policies.can_moderate_room(user, room):
        raise Forbidden("only this booth's staff or an organiser may mute people here")
    target = db.session.get(User, target_id) if is_id(target_id) else None
    if target is None:
        raise NotFound("no such person")
    if target.id == user.id:
        raise Invalid("you cannot mute yourself", field="user_id")
    policies.require_can_mute(user, target, room)
    until = utcnow() + timedelta(minutes=length or 0)
    row = db.session.scalar(select(Mute).where(Mute.room == room.name, Mute.user_id == target.id))
    if row is None:
        row = Mute(room=room.name, user_id=target.id)
        db.session.add(row)
    row.until, row.by_id = until, user.id
    db.session.commit()
    publish("muted", {"room": room.name, "until": isoformat(until)}, room=user_room(target.id))
    return row


# ---------------------------------------------------------------- direct conversations

def conversations(user: Any) -> list[dict]:
    """The person's direct conversations, latest first: {room, other: {id, display_name,
    organisation, role}, last_message}."""
    mine = or_(*(Message.room.like(pattern) for pattern in Room.dm_pattern(user.id)))
    last_ids = select(func.max(Message.id)).where(mine).group_by(Message.room)
    messages = list(db.session.scalars(
        select(Message).where(Message.id.in_(last_ids)).order_by(Message.id.desc())))
    out = []
    for message in messages:
        if not Room.is_name(message.room):
            continue
        room = Room.parse(message.room)
        if room.dm_user_ids is None or user.id not in room.dm_user_ids:
            continue
        other = db.session.get(User, room.other_person(user.id))
        if other is None:
            continue
        out.append({
            "room": message.room,
            "other": {"id": other.id, "display_name": other.display_name,
                      "organisation": other.organisation or "", "role": other.role},
            "last_message": serialise(message),
        })
    return out


def register_rooms() -> None:
    rooms.register_kind("dm", dm_access)
