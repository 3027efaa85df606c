"""Reading a frab / pretalx / c3voc ``schedule.json`` into session records.

``parse_schedule`` checks the WHOLE file before anything is written and raises
``Invalid`` naming the first wrong place, e.g.
``schedule.conference.days[0].rooms['Saal 1'][3].duration: expected HH:MM``.
``import_schedule`` then writes every session in one transaction: sessions are
matched by ``guid`` (updated), the others created.

Overlaps inside a room are imported as the schedule says: the published
programme is the organisers' source of truth (real schedules contain parallel
slots in one "room" such as a stream channel), so the manual 409 rule is not
applied to imports.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, NoReturn
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import select

from exhibition.errors import Invalid
from exhibition.extensions import db
from exhibition.runtime.clock import utcnow
from exhibition.schedule.models import Session

MAX_EVENTS = 5000
MAX_ABSTRACT = 20000
_DURATION = re.compile(r"^(\d{1,3}):([0-5]\d)(?::([0-5]\d))?$")


@dataclass
class ImportedSession:
    guid: str
    title: str
    abstract: str
    starts_at: datetime
    ends_at: datetime
    room: str
    track: str
    speakers: list[str] = field(default_factory=list)


def _clean_text(value: str, path: str) -> str:
    """Text a database can store: NUL removed, lone surrogates refused."""
    value = value.replace("\x00", "").strip()
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        _fail(path, "not valid Unicode text")
    return value


def _fail(path: str, problem: str) -> NoReturn:
    raise Invalid(f"{path}: {problem}")


def _obj(value: Any, path: str) -> dict:
    if not isinstance(value, dict):
        _fail(path, "expected an object" if value is not None else "missing")
    return value


def _string(event: dict, key: str, path: str, *, required: bool, max_len: int) -> str:
    value = event.get(key)
    if value is None:
        if required:
            _fail(f"{path}.{key}", "missing")
        return ""
    if not isinstance(value, str):
        _fail(f"{path}.{key}", "expected a string")
    value = _clean_text(value, f"{path}.{key}")
    if required and not value:
        _fail(f"{path}.{key}", "must not be empty")
    if len(value) > max_len:
        _fail(f"{path}.{key}", f"longer than {max_len} characters")
    return value


def parse_duration(value: Any, path: str) -> timedelta:
    """'HH:MM' (or 'HH:MM:SS'), more than zero."""
    match = _DURATION.match(value.strip()) if isinstance(value, str) else None
    if not match:
        _fail(path, "expected HH:MM")
    hours, minutes, seconds = (int(g or 0) for g in match.groups())
    length = timedelta(hours=hours, minutes=minutes, seconds=seconds)
    if length <= timedelta(0):
        _fail(path, "must be longer than 00:00")
    return length


def parse_start(value: Any, path: str, zone: ZoneInfo | None) -> datetime:
    """The event's ``date``: ISO 8601, with an offset or (then) the conference's time zone."""
    if not isinstance(value, str):
        _fail(path, "expected an ISO 8601 date-time such as 2020-11-10T09:00:00+01:00")
    try:
        start = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        _fail(path, "expected an ISO 8601 date-time such as 2020-11-10T09:00:00+01:00")
    if start.tzinfo is None:
        if zone is None:
            _fail(path, "needs a UTC offset (or conference.time_zone_name)")
        start = start.replace(tzinfo=zone)
    return start.astimezone(UTC)


def _speakers(value: Any, path: str) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list):
        _fail(path, "expected a list")
    names = []
    for i, person in enumerate(value):
        if isinstance(person, str):
            name = person
        elif isinstance(person, dict):
            found = person.get("public_name") or person.get("name") or person.get("full_public_name")
            if not isinstance(found, str):
                _fail(f"{path}[{i}]", "expected public_name or name")
            name = found
        else:
            _fail(f"{path}[{i}]", "expected an object with public_name or name")
        name = _clean_text(name, f"{path}[{i}]")[:120]
        if name:
            names.append(name)
    return names[:30]


def _event(event: Any, path: str, room_name: str, zone: ZoneInfo | None) -> ImportedSession:
    event = _obj(event, path)
    guid = _string(event, "guid", path, required=True, max_len=100)
    title = _string(event, "title", path, required=True, max_len=300)
    starts_at = parse_start(event.get("date"), f"{path}.date", zone)
    length = parse_duration(event.get("duration"), f"{path}.duration")
    room = _string(event, "room", path, required=False, max_len=120) or _clean_text(room_name, path)[:120]
    track = event.get("track")
    if isinstance(track, dict):  # some generators give {"name": …}
        track = track.get("name")
    track = _string({"track": track}, "track", path, required=False, max_len=120)
    abstract = _string(event, "abstract", path, required=False, max_len=10**6)
    description = _string(event, "description", path, required=False, max_len=10**6)
    text = (abstract if not description or description == abstract
            else "\n\n".join(filter(None, (abstract, description))))
    return ImportedSession(guid=guid, title=title, abstract=text[:MAX_ABSTRACT], starts_at=starts_at,
                           ends_at=starts_at + length, room=room, track=track,
                           speakers=_speakers(event.get("persons"), f"{path}.persons"))


def parse_schedule(data: Any) -> list[ImportedSession]:
    """Every event of the schedule, checked. Raises Invalid naming the first problem."""
    if not isinstance(data, dict):
        _fail("schedule.json", "expected a JSON object with a 'schedule' key (frab/pretalx format)")
    if "schedule" not in data:
        _fail("schedule", "missing: this is not a frab/pretalx schedule.json")
    schedule = _obj(data["schedule"], "schedule")
    conference = _obj(schedule.get("conference"), "schedule.conference")
    zone = None
    if conference.get("time_zone_name"):
        try:
            zone = ZoneInfo(str(conference["time_zone_name"]))
        except (ZoneInfoNotFoundError, ValueError):
            _fail("schedule.conference.time_zone_name", "not a known time zone")
    days = conference.get("days")
    if not isinstance(days, list):
        _fail("schedule.conference.days", "expected a list" if days is not None else "missing")
    sessions: list[ImportedSession] = []
    seen: dict[str, str] = {}
    for d, day in enumerate(days):
        day_path = f"schedule.conference.days[{d}]"
        rooms = _obj(_obj(day, day_path).get("rooms"), f"{day_path}.rooms")
        for room_name, events in rooms.items():
            room_path = f"{day_path}.rooms[{room_name!r}]"
            if not isinstance(events, list):
                _fail(room_path, "expected a list of events")
            for e, event in enumerate(events):
                path = f"{room_path}[{e}]"
                item = _event(event, path, room_name, zone)
                if item.guid in seen:
                    _fail(f"{path}.guid", f"{item.guid!r} appears twice (also at {seen[item.guid]})")
                seen[item.guid] = path
                sessions.append(item)
                if len(sessions) > MAX_EVENTS:
                    _fail("schedule.conference.days", f"more than {MAX_EVENTS} events")
    return sessions


def decode_upload(raw: bytes) -> Any:
    """The uploaded file's JSON, or Invalid saying it is not JSON."""
    try:
        return json.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise Invalid("the file is not UTF-8 text: expected a schedule.json (frab/pretalx format)") from None
    except RecursionError:
        raise Invalid("the file is nested too deeply") from None
    except json.JSONDecodeError as err:
        raise Invalid(f"the file is not JSON ({err.msg} at line {err.lineno}): "
                      "expected a schedule.json (frab/pretalx format)") from None
    except ValueError:
        raise Invalid("the file is not JSON: expected a schedule.json (frab/pretalx format)") from None


def import_schedule(data: Any) -> tuple[dict, list[Session]]:
    """Validate the whole schedule, then create or update (by guid) in one transaction.
    Returns ({created, updated}, the updated sessions whose content changed)."""
    items = parse_schedule(data)
    existing: dict[str, Session] = {}
    guids = [item.guid for item in items]
    for i in range(0, len(guids), 500):
        for found in db.session.scalars(select(Session).where(Session.guid.in_(guids[i:i + 500]))).unique():
            if found.guid is not None:
                existing[found.guid] = found
    created = updated = 0
    changed: list[Session] = []
    try:
        for item in items:
            values = {"title": item.title, "abstract": item.abstract, "starts_at": item.starts_at,
                      "ends_at": item.ends_at, "room": item.room, "track": item.track,
                      "speakers": item.speakers}
            session = existing.get(item.guid)
            if session is None:
                db.session.add(Session(guid=item.guid, **values))
                created += 1
                continue
            updated += 1
            if any(getattr(session, k) != val for k, val in values.items()):
                if session.starts_at != item.starts_at:
                    session.rearm_reminder()
                for key, value in values.items():
                    setattr(session, key, value)
                session.updated_at = utcnow()
                changed.append(session)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return {"created": created, "updated": updated}, changed
