"""Room names: the one place they are built, parsed and checked.

Rooms (docs/api/socketio.md): ``lobby`` (everyone), ``booth:<slug>``, ``session:<id>``,
``dm:<a>:<b>`` (the two user ids, smaller first). Every connection also sits in its
person's private ``user:<id>`` room, which no client may join.

Which rooms exist and who may use them is decided by the areas that own them: booths
register the ``booth`` kind, the schedule the ``session`` kind, chat the ``dm`` kind
(``register_kind``). The realtime layer knows only the names; ``Room.access`` is the
entry point every transport uses.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from exhibition.errors import Invalid

LOBBY = "lobby"
KINDS = ("lobby", "booth", "session", "dm")
MAX_NAME = 100
ROOM_NAME_RULE = "room must be lobby, booth:<slug>, session:<id> or dm:<a>:<b>"

# kind -> resolver(user, room) -> Room: the owning area's access rule for that kind
Resolver = Callable[[Any, "Room"], "Room"]
_resolvers: dict[str, Resolver] = {}


def register_kind(kind: str, resolver: Resolver) -> None:
    """The area owning rooms of ``kind`` says who may use them: ``resolver(user, room)``
    returns the room (with its ``booth`` filled in) or raises NotFound/Forbidden."""
    if kind not in KINDS:
        raise ValueError(f"unknown room kind {kind!r}")
    _resolvers[kind] = resolver


def _digits(key: str) -> bool:
    return key.isdigit() and len(key) <= 18  # longer: not a number anyone could mean


def user_room(user_id: int) -> str:
    """Every connection joins its person's private room, for pushes meant for them."""
    return f"user:{int(user_id)}"


@dataclass(frozen=True)
class Room:
    """A room: its name, kind and key, and what moderates it once resolved.

    ``booth``: the booth whose managers moderate the room (for booth rooms and the rooms
    of sessions linked to a booth); set by ``access``, None from ``parse``."""

    name: str
    kind: str
    key: str = ""
    booth: Any = None
    dm_user_ids: tuple[int, int] | None = None

    # ------------------------------------------------------------ constructors

    @classmethod
    def lobby(cls) -> Room:
        return cls(LOBBY, "lobby")

    @classmethod
    def booth_room(cls, slug: str) -> Room:
        return cls(f"booth:{slug}", "booth", slug)

    @classmethod
    def session_room(cls, session_id: int) -> Room:
        return cls(f"session:{int(session_id)}", "session", str(int(session_id)))

    @classmethod
    def dm_room(cls, a: int, b: int) -> Room:
        low, high = sorted((int(a), int(b)))
        return cls(f"dm:{low}:{high}", "dm", f"{low}:{high}", dm_user_ids=(low, high))

    @classmethod
    def parse(cls, name: Any) -> Room:
        """The room a name denotes (syntax only, no access check); Invalid otherwise.
        A dm room must be in canonical form ``dm:<smaller>:<larger>``."""
        if not isinstance(name, str) or len(name) > MAX_NAME or any(ord(c) < 32 for c in name):
            raise Invalid(ROOM_NAME_RULE, field="room")
        if name == LOBBY:
            return cls.lobby()
        kind, sep, key = name.partition(":")
        if not sep or kind not in KINDS or kind == "lobby" or not key:
            raise Invalid(ROOM_NAME_RULE, field="room")
        if kind == "session":
            if not _digits(key):
                raise Invalid("session rooms are session:<numeric id>", field="room")
            return cls.session_room(int(key))
        if kind == "dm":
            low, sep, high = key.partition(":")
            if not sep or not _digits(low) or not _digits(high):
                raise Invalid("direct message rooms are dm:<a>:<b> with two user ids", field="room")
            room = cls.dm_room(int(low), int(high))
            if room.name != name or int(low) >= int(high):
                raise Invalid("direct message rooms name the smaller user id first: dm:<smaller>:<larger>",
                              field="room")
            return room
        return cls.booth_room(key)

    @classmethod
    def is_name(cls, name: Any) -> bool:
        try:
            cls.parse(name)
        except Invalid:
            return False
        return True

    @classmethod
    def access(cls, user: Any, name: Any) -> Room:
        """The room ``name`` if ``user`` may join, read and write it: Invalid (not a room
        name), NotFound (no such booth, session or person), Forbidden (someone else's
        direct conversation)."""
        room = cls.parse(name)
        resolver = _resolvers.get(room.kind)
        return resolver(user, room) if resolver else room

    # ------------------------------------------------------------ derived

    def with_booth(self, booth: Any) -> Room:
        return replace(self, booth=booth)

    def other_person(self, user_id: int) -> int:
        """In a dm room: the id of the person who is not ``user_id``."""
        assert self.dm_user_ids is not None
        a, b = self.dm_user_ids
        return b if user_id == a else a

    @property
    def audience(self) -> str | list[str]:
        """Who gets the room's events: its members; for a dm room also both personal rooms
        (python-socketio sends once to a connection that is in several of them)."""
        if self.dm_user_ids:
            return [self.name] + [user_room(uid) for uid in self.dm_user_ids]
        return self.name

    @staticmethod
    def prefix(kind: str) -> str:
        """The start every room name of a kind shares, e.g. ``booth:``."""
        if kind not in KINDS or kind == "lobby":
            raise ValueError(f"no room names start with a {kind!r} prefix")
        return f"{kind}:"

    @staticmethod
    def dm_pattern(user_id: int) -> tuple[str, str]:
        """SQL LIKE patterns matching every dm room name of one person."""
        return (f"dm:{int(user_id)}:%", f"dm:%:{int(user_id)}")

    def __str__(self) -> str:
        return self.name
