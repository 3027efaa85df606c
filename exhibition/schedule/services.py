"""Programme rules: sessions, favourites (the personal agenda), live/next, reminders.

Decisions (see also the report in the README):
- A session needs ``ends_at`` after ``starts_at`` (equal → 400).
- Two sessions in the same room (compared case-insensitively, empty room excluded)
  must not overlap; touching (one ends when the next starts) is fine. Imports do
  not apply this rule (see importer.py).
- ``booth_slug`` naming no booth → 400 ``invalid`` (it is a field of the body).
- ``session_updated`` goes to everyone who favourited the session when an organiser
  changes it, and also when it is deleted: then with ``"deleted": true`` added.
"""
from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError

from exhibition import policies, realtime
from exhibition.booths.models import Booth
from exhibition.errors import Conflict, Invalid, NotFound
from exhibition.extensions import db
from exhibition.realtime import rooms
from exhibition.realtime.rooms import Room
from exhibition.runtime import validation as v
from exhibition.runtime.clock import isoformat, utcnow
from exhibition.runtime.validation import is_id
from exhibition.schedule import importer
from exhibition.schedule.models import Favourite, Session, SessionReminder

NEXT_LIMIT = 10
REMINDER_LEAD = timedelta(minutes=5)


# --- reading -----------------------------------------------------------------

def get_session(session_id: int) -> Session:
    """The session with this id, or NotFound."""
    session = db.session.get(Session, session_id) if is_id(session_id) else None
    if session is None:
        raise NotFound("no such session")
    return session


def is_live(session: Session, now: datetime | None = None) -> bool:
    now = now or utcnow()
    return session.starts_at <= now < session.ends_at


def session_dict(session: Session, now: datetime | None = None) -> dict:
    """The session object (docs/api/openapi.yaml, Session)."""
    return {
        "id": session.id,
        "title": session.title,
        "abstract": session.abstract or "",
        "starts_at": isoformat(session.starts_at),
        "ends_at": isoformat(session.ends_at),
        "room": session.room or "",
        "track": session.track or "",
        "speakers": [str(s) for s in (session.speakers or [])],
        "booth_slug": session.booth.slug if session.booth else None,
        "live": is_live(session, now),
    }


def parse_query_time(value: str | None, key: str, event_timezone: str = "Europe/Berlin") -> datetime | None:
    """A from/to query value: ISO 8601 with offset, or a plain date (midnight in the
    event's zone). A '+' that the query string turned into a space is tolerated."""
    if value is None or value == "":
        return None
    raw = value.strip()
    if len(raw) > 40:
        raise Invalid(f"{key} is not an ISO 8601 date-time")
    if len(raw) == 10:
        try:
            day = date.fromisoformat(raw)
        except ValueError:
            raise Invalid(f"{key} is not an ISO 8601 date or date-time") from None
        return datetime.combine(day, time(0), ZoneInfo(event_timezone)).astimezone(UTC)
    if " " in raw and "T" in raw:
        head, _, tail = raw.rpartition(" ")
        raw = f"{head}+{tail}"
    return v.parse_datetime(raw, key)


def list_sessions(starts_before: datetime | None = None, ends_after: datetime | None = None,
                  track: str | None = None, room: str | None = None) -> list[Session]:
    """Sessions by start; with a span, those overlapping it (ends after ``ends_after``
    and starts before ``starts_before``); track and room match exactly (any case)."""
    query = select(Session)
    if ends_after is not None:
        query = query.where(Session.ends_at > ends_after)
    if starts_before is not None:
        query = query.where(Session.starts_at < starts_before)
    if track:
        query = query.where(func.lower(Session.track) == track.strip().lower())
    if room:
        query = query.where(func.lower(Session.room) == room.strip().lower())
    return list(db.session.scalars(query.order_by(Session.starts_at, Session.room, Session.id)).unique())


def search_sessions(args: dict, event_timezone: str = "Europe/Berlin") -> list[Session]:
    """GET /sessions?from=&to=&track=&room=: the query parameters checked, then listed."""
    start = parse_query_time(args.get("from"), "from", event_timezone)
    end = parse_query_time(args.get("to"), "to", event_timezone)
    if start and end and end < start:
        raise Invalid("to must not be before from")
    track = v.text(args, "track", required=False, max_len=120)
    room = v.text(args, "room", required=False, max_len=120)
    return list_sessions(starts_before=end, ends_after=start, track=track, room=room)


def live_and_next(now: datetime | None = None, limit: int = NEXT_LIMIT) -> tuple[list[Session], list[Session]]:
    """(running now: starts_at ≤ now < ends_at, by start; up to ``limit`` not yet started, soonest first)."""
    now = now or utcnow()
    running = db.session.scalars(
        select(Session).where(Session.starts_at <= now, Session.ends_at > now)
        .order_by(Session.starts_at, Session.room, Session.id)).unique()
    upcoming = db.session.scalars(
        select(Session).where(Session.starts_at > now)
        .order_by(Session.starts_at, Session.room, Session.id).limit(limit)).unique()
    return list(running), list(upcoming)


def rooms_and_tracks() -> tuple[list[str], list[str]]:
    """Every room and track that some session uses, sorted (for the filters)."""
    rooms = db.session.scalars(select(Session.room).distinct()).all()
    tracks = db.session.scalars(select(Session.track).distinct()).all()
    return (sorted({r for r in rooms if r}, key=str.lower), sorted({t for t in tracks if t}, key=str.lower))


# --- organiser changes -------------------------------------------------------

def session_room_access(user: Any, room: Room) -> Room:
    """``session:<id>`` rooms: everyone logged in, while the session exists; the staff of
    its booth (if it has one) moderate."""
    return room.with_booth(get_session(int(room.key)).booth)


def register_rooms() -> None:
    rooms.register_kind("session", session_room_access)


def _booth_by_slug(value: Any) -> Booth | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise Invalid("booth_slug must be a string or null", field="booth_slug")
    slug = v.text({"booth_slug": value}, "booth_slug", required=False, max_len=64) or ""
    booth = db.session.scalar(select(Booth).where(Booth.slug == slug)) if slug else None
    if booth is None:
        raise Invalid(f"booth_slug {slug!r} names no booth", field="booth_slug")
    return booth


def _clean_fields(data: dict, partial: bool) -> dict:
    """Check every field given (all required ones when not ``partial``) before any is used."""
    v.ensure_object(data)
    out: dict = {}
    required = not partial
    if required or "title" in data:
        out["title"] = v.text(data, "title", max_len=300, min_len=1)
    if "abstract" in data or required:
        out["abstract"] = v.text(data, "abstract", required=False, max_len=20000, default="")
    for key in ("starts_at", "ends_at"):
        if required or key in data:
            out[key] = v.datetime_field(data, key)
    for key in ("room", "track"):
        if required or key in data:
            out[key] = v.text(data, key, required=False, max_len=120, default="")
    if required or "speakers" in data:
        out["speakers"] = v.string_list(data, "speakers", max_items=30, max_len=120) or []
    if required or "booth_slug" in data:
        out["booth"] = _booth_by_slug(data.get("booth_slug"))
    return out


def _check_times_and_room(starts_at: datetime, ends_at: datetime, room: str, exclude_id: int | None) -> None:
    if ends_at <= starts_at:
        raise Invalid("ends_at must be after starts_at", field="ends_at")
    if not room:
        return
    query = select(Session).where(func.lower(Session.room) == room.lower(),
                                  Session.starts_at < ends_at, Session.ends_at > starts_at)
    if exclude_id is not None:
        query = query.where(Session.id != exclude_id)
    other = db.session.scalars(query.order_by(Session.starts_at).limit(1)).first()
    if other is not None:
        raise Conflict(f"overlaps session {other.id} ({other.title!r}) in room {room!r}")


def create_session(actor: Any, data: dict) -> Session:
    """POST /sessions (organiser): 400 on bad fields or end ≤ start, 409 on a room overlap."""
    policies.require_organiser(actor)
    fields = _clean_fields(data, partial=False)
    _check_times_and_room(fields["starts_at"], fields["ends_at"], fields["room"], None)
    session = Session(**fields)
    db.session.add(session)
    db.session.commit()
    return session


def favourite_user_ids(session_id: int) -> list[int]:
    return list(db.session.scalars(select(Favourite.user_id).where(Favourite.session_id == session_id)))


def _push(event: str, payload: dict, user_ids: list[int]) -> None:
    for user_id in user_ids:
        realtime.publish(event, payload, room=realtime.user_room(user_id))


def update_session(actor: Any, session_id: int, data: dict) -> Session:
    """PATCH /sessions/<id> (organiser): any fields, same rules as creating (a session
    never conflicts with itself). Favouriting people get ``session_updated``.
    A new start time re-arms the ``session_starting`` reminder."""
    policies.require_organiser(actor)
    session = get_session(session_id)
    fields = _clean_fields(data, partial=True)
    starts_at = fields.get("starts_at", session.starts_at)
    ends_at = fields.get("ends_at", session.ends_at)
    room = fields.get("room", session.room or "")
    _check_times_and_room(starts_at, ends_at, room, session.id)
    if starts_at != session.starts_at:
        session.rearm_reminder()
    for key, value in fields.items():
        setattr(session, key, value)
    session.updated_at = utcnow()
    db.session.commit()
    _push("session_updated", session_dict(session), favourite_user_ids(session.id))
    return session


def delete_session(actor: Any, session_id: int) -> None:
    """DELETE /sessions/<id> (organiser). Favouriting people get ``session_updated``
    with the last state and ``"deleted": true``. Favourites and the reminder go with
    the session (ON DELETE CASCADE)."""
    policies.require_organiser(actor)
    session = get_session(session_id)
    payload = dict(session_dict(session), deleted=True)
    user_ids = favourite_user_ids(session.id)
    db.session.delete(session)
    db.session.commit()
    _push("session_updated", payload, user_ids)


# --- the personal agenda -----------------------------------------------------

def add_favourite(user, session_id: int) -> None:
    """PUT /me/agenda/<id>: idempotent; NotFound for an unknown session."""
    get_session(session_id)
    exists = db.session.scalar(select(Favourite.id).where(
        Favourite.user_id == user.id, Favourite.session_id == session_id))
    if exists:
        return
    db.session.add(Favourite(user_id=user.id, session_id=session_id))
    try:
        db.session.commit()
    except IntegrityError:  # the same person's parallel request won: same outcome
        db.session.rollback()


def remove_favourite(user, session_id: int) -> None:
    """DELETE /me/agenda/<id>: idempotent; NotFound for an unknown session."""
    get_session(session_id)
    db.session.execute(delete(Favourite).where(Favourite.user_id == user.id, Favourite.session_id == session_id))
    db.session.commit()


def agenda(user_id: int) -> list[Session]:
    """A person's favourite sessions by start."""
    return list(db.session.scalars(
        select(Session).join(Favourite, Favourite.session_id == Session.id)
        .where(Favourite.user_id == user_id).order_by(Session.starts_at, Session.id)).unique())


def favourite_ids(user_id: int) -> set[int]:
    return set(db.session.scalars(select(Favourite.session_id).where(Favourite.user_id == user_id)))


# --- reminders -------------------------------------------------------------

def _due_unclaimed(now: datetime) -> list[Session]:
    """Sessions starting within REMINDER_LEAD that someone favourited and nobody announced."""
    claimed = select(SessionReminder.id).where(SessionReminder.session_id == Session.id)
    favourited = select(Favourite.id).where(Favourite.session_id == Session.id)
    return list(db.session.scalars(
        select(Session).where(Session.starts_at > now, Session.starts_at <= now + REMINDER_LEAD,
                              ~claimed.exists(), favourited.exists())
        .order_by(Session.starts_at, Session.id)).unique())


def _claim(session: Session, now: datetime) -> bool:
    """INSERT the reminder row; only one process can win (unique session_id)."""
    db.session.add(SessionReminder(session_id=session.id, starts_at=session.starts_at, sent_at=now))
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        return False
    return True


def send_due_reminders(now: datetime | None = None) -> list[int]:
    """One tick of the reminder loop: push ``session_starting`` (the session) to everyone
    who favourited a session that starts within five minutes, once per session even
    with several processes. Returns the ids of the sessions announced by this call."""
    now = now or utcnow()
    sent = []
    for session in _due_unclaimed(now):
        session_id = session.id
        if not _claim(session, now):
            continue
        session = get_session(session_id)
        _push("session_starting", session_dict(session, now), favourite_user_ids(session_id))
        sent.append(session_id)
    return sent


# --- import ------------------------------------------------------------------

def import_schedule(actor: Any, data: Any) -> dict:
    """POST /sessions/import (organiser): a frab/pretalx schedule.json, all or nothing.
    ``{created, updated}``; people who favourited a changed session get ``session_updated``."""
    policies.require_organiser(actor)
    counts, changed = importer.import_schedule(data)
    for session in changed:
        _push("session_updated", session_dict(session), favourite_user_ids(session.id))
    return counts
