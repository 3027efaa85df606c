"""Who may do what: one predicate per rule, used by every service.

Services take the acting person and check their own permission here, so every
transport (HTTP, Socket.IO, CLI, the next one) gets the same answer. The objects are
the areas' models, passed in; this module imports no area (it sits above them all).
"""
from __future__ import annotations

from typing import Any

from exhibition.errors import Forbidden, Unauthenticated

ROLES = ("attendee", "staff", "organiser")


class SystemActor:
    """The platform itself acting (the command line, the demo data): it may do what an
    organiser may. Services still check it like anyone else."""

    id = 0
    role = "organiser"
    display_name = "system"
    is_authenticated = True


SYSTEM = SystemActor()


def is_authenticated(user: Any) -> bool:
    return user is not None and bool(getattr(user, "is_authenticated", False))


def is_organiser(user: Any) -> bool:
    return is_authenticated(user) and user.role == "organiser"


def require_user(user: Any) -> None:
    if not is_authenticated(user):
        raise Unauthenticated("log in first")


def require_organiser(user: Any) -> None:
    require_user(user)
    if not is_organiser(user):
        raise Forbidden("only organisers may do this")


# ---------------------------------------------------------------- booths

def is_booth_staff(user: Any, booth: Any) -> bool:
    return is_authenticated(user) and any(link.user_id == user.id for link in booth.staff)


def can_manage_booth(user: Any, booth: Any) -> bool:
    """Organisers and that booth's staff manage a booth: edit it, read its leads and
    figures, moderate its chat and the chat of sessions linked to it."""
    return is_organiser(user) or is_booth_staff(user, booth)


def require_booth_manager(user: Any, booth: Any) -> None:
    require_user(user)
    if not can_manage_booth(user, booth):
        raise Forbidden("only this booth's staff or an organiser may do this")


# ---------------------------------------------------------------- rooms and messages

def can_moderate_room(user: Any, room: Any) -> bool:
    """Organisers moderate every room; a booth's managers moderate the rooms it owns
    (its booth room, the rooms of sessions linked to it)."""
    if is_organiser(user):
        return True
    return room.booth is not None and can_manage_booth(user, room.booth)


def can_delete_message(user: Any, message: Any, room: Any) -> bool:
    return message.sender_id == user.id or can_moderate_room(user, room)


def can_read_foreign_dm(user: Any) -> bool:
    """Someone else's direct conversation: only organisers may moderate it."""
    return is_organiser(user)


def require_can_mute(user: Any, target: Any, room: Any) -> None:
    """Muting: the room's moderators; a moderator of the room only by an organiser."""
    if not can_moderate_room(user, room):
        raise Forbidden("only this booth's staff or an organiser may mute people here")
    if not is_organiser(user) and can_moderate_room(target, room):
        raise Forbidden("only an organiser may mute a moderator of this room")


# ---------------------------------------------------------------- meetings

def is_meeting_party(user: Any, meeting: Any) -> bool:
    return is_authenticated(user) and user.id in (meeting.requester_id, meeting.invitee_id)
