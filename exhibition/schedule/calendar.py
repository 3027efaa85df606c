"""Calendars (RFC 5545) with the ``icalendar`` library: the whole programme and a
person's agenda (favourite sessions + accepted meetings).

Times are written in UTC (``…Z``), so no VTIMEZONE is needed; X-WR-TIMEZONE names
the event's zone for apps that show it. UIDs do not depend on the host name:
``session-<guid or id>@ecc2020.exhibition`` and ``meeting-<id>@ecc2020.exhibition``;
DTSTAMP is the object's last change, so two downloads are byte-identical until
something changes.
"""
from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any

from flask_babel import gettext as _
from icalendar import Calendar, Event
from itsdangerous import BadSignature, URLSafeSerializer

from exhibition.accounts.models import User
from exhibition.extensions import db
from exhibition.schedule.models import Session

UID_DOMAIN = "ecc2020.exhibition"
PRODID = "-//European Cluster Conference 2020//Virtual exhibition//EN"
EPOCH = datetime(2020, 1, 1, tzinfo=UTC)


def session_uid(session: Session) -> str:
    return f"session-{session.guid or session.id}@{UID_DOMAIN}"


def _calendar(name: str, event_timezone: str) -> Calendar:
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", event_timezone)
    return cal


def utc(value: datetime) -> datetime:
    return value.astimezone(UTC)


def session_event(session: Session, base_url: str) -> Event:
    event = Event()
    event.add("uid", session_uid(session))
    stamp = utc(session.updated_at or session.created_at or EPOCH)
    event.add("dtstamp", stamp)
    event.add("last-modified", stamp)
    event.add("dtstart", utc(session.starts_at))
    event.add("dtend", utc(session.ends_at))
    event.add("summary", session.title)
    parts = []
    if session.speakers:
        parts.append(", ".join(str(s) for s in session.speakers))
    if session.abstract:
        parts.append(session.abstract)
    if parts:
        event.add("description", "\n\n".join(parts))
    if session.room:
        event.add("location", session.room)
    if session.track:
        event.add("categories", [session.track])
    event.add("url", f"{base_url.rstrip('/')}/sessions/{session.id}")
    return event


def programme_calendar(sessions: list[Session], base_url: str, event_timezone: str) -> bytes:
    """GET /schedule.ics: every session."""
    cal = _calendar(_("European Cluster Conference 2020"), event_timezone)
    for session in sessions:
        cal.add_component(session_event(session, base_url))
    return cal.to_ical()


# Other areas add entries of their own to a person's agenda feed (the networking area:
# accepted meetings); the schedule does not know them.
AgendaSource = Callable[[Any], Iterable[Event]]
_agenda_sources: list[AgendaSource] = []


def add_agenda_source(source: AgendaSource) -> None:
    """``source(user)`` returns the calendar events it adds to that person's agenda feed."""
    if source not in _agenda_sources:
        _agenda_sources.append(source)


def agenda_calendar(user: Any, sessions: list[Session], base_url: str, event_timezone: str) -> bytes:
    """GET /api/me/agenda.ics: the person's favourite sessions and accepted meetings."""
    cal = _calendar(_("My agenda · ECC 2020"), event_timezone)
    for session in sessions:
        cal.add_component(session_event(session, base_url))
    for source in _agenda_sources:
        for event in source(user):
            cal.add_component(event)
    return cal.to_ical()


# --- a secret address for calendar apps -------------------------------------
# Calendar apps cannot log in, so the agenda feed also answers to a signed token
# (like the "secret address" of other calendar services). The token carries a
# fingerprint of the password hash: changing the password revokes old addresses.

_FEED_SALT = "agenda-feed"


def _fingerprint(user) -> str:
    return hashlib.sha256((user.password_hash or "").encode()).hexdigest()[:12]


def feed_token(user, secret_key: str) -> str:
    """The token for ``/api/me/agenda.ics?token=…`` of this person."""
    return URLSafeSerializer(secret_key, salt=_FEED_SALT).dumps({"u": user.id, "f": _fingerprint(user)})


def user_for_feed_token(token: str, secret_key: str):
    """The person a feed token belongs to, or None (bad, forged or revoked token)."""
    if not isinstance(token, str) or len(token) > 300:
        return None
    try:
        data = URLSafeSerializer(secret_key, salt=_FEED_SALT).loads(token)
    except BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("u"), int):
        return None
    user = db.session.get(User, data["u"])
    if user is None or data.get("f") != _fingerprint(user):
        return None
    return user
