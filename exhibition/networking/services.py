"""Networking rules: the people directory, interest matches, one-to-one meetings.

Meeting visibility: only the two people of a meeting may read or change it. Anyone
else gets 403 ``forbidden`` for an existing meeting and 404 for an unknown id (ids
are sequential, so hiding existence would protect nothing).
"""
from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from sqlalchemy import func, or_, select

from exhibition import policies, realtime
from exhibition.accounts.models import User
from exhibition.booths.models import Booth
from exhibition.booths.services import get_booth
from exhibition.errors import Conflict, Forbidden, Invalid, NotFound
from exhibition.extensions import db
from exhibition.networking.models import Meeting
from exhibition.runtime import validation as v
from exhibition.runtime.clock import isoformat
from exhibition.runtime.validation import MAX_ID, is_id
from exhibition.schedule.models import Favourite, Session

NOTE_MAX = 500
MAX_MEETING = timedelta(hours=8)
DIRECTORY_LIMIT_MAX = 200

# status -> {action: new status}; the same status again is answered unchanged.
TRANSITIONS = {
    "pending": {"accept": "accepted", "decline": "declined", "cancel": "cancelled"},
    "accepted": {"cancel": "cancelled"},
    "declined": {},
    "cancelled": {},
}
ACTION_STATUS = {"accept": "accepted", "decline": "declined", "cancel": "cancelled"}


# --- directory -------------------------------------------------------------

def _folded(values) -> list[str]:
    return [str(x).casefold() for x in (values or [])]


def _matches_query(user: User, q: str) -> bool:
    needle = q.casefold()
    haystack = [user.display_name or "", user.organisation or "", user.bio or "", *(user.interests or [])]
    return any(needle in str(part).casefold() for part in haystack)


def user_for(viewer: User, person: User) -> dict:
    """The user object (docs/api/openapi.yaml, User) as ``viewer`` may see it: e-mail for oneself and organisers."""
    return person.to_dict(include_email=viewer.id == person.id or policies.is_organiser(viewer))


def person(viewer: User, user_id: int) -> dict | None:
    """One person's user object as ``viewer`` may see it, or None."""
    other = db.session.get(User, user_id) if is_id(user_id) else None
    return user_for(viewer, other) if other is not None else None


def directory(viewer: User, q: str | None = None, interest: str | None = None,
              limit: int | None = None, offset: int = 0) -> list[dict]:
    """GET /attendees: people who opted into the directory (oneself too, if visible),
    by name. ``q`` searches name, organisation, bio and interests; ``interest`` must
    equal one of a person's interests; both case-insensitive."""
    q = (q or "").strip()
    interest = (interest or "").strip().casefold()
    people = db.session.scalars(
        select(User).where(User.visible_in_directory.is_(True))
        .order_by(func.lower(User.display_name), User.id)
    ).all()
    found = [p for p in people
             if (not q or _matches_query(p, q)) and (not interest or interest in _folded(p.interests))]
    found = found[offset:offset + limit] if limit is not None else found[offset:]
    return [user_for(viewer, p) for p in found]


def directory_interests() -> list[str]:
    """Every interest someone in the directory named, for the filter (first spelling wins)."""
    seen: dict[str, str] = {}
    for interests in db.session.scalars(select(User.interests).where(User.visible_in_directory.is_(True))):
        for item in interests or []:
            seen.setdefault(str(item).casefold(), str(item))
    return sorted(seen.values(), key=str.casefold)


# --- matches ---------------------------------------------------------------

def shared_items(mine: list[str], theirs: list[str]) -> list[str]:
    """The items of ``mine`` (in my order and spelling) that ``theirs`` has too, ignoring case."""
    other = set(_folded(theirs))
    out, seen = [], set()
    for item in mine or []:
        key = str(item).casefold()
        if key in other and key not in seen:
            seen.add(key)
            out.append(item)
    return out


def matches(viewer: User) -> dict:
    """GET /me/matches. Score = the number of shared interests (people: my interests
    vs theirs; booths: my interests vs the booth's topics), case-insensitive. Zero
    scores are left out; best first, ties by name (case-insensitive), then id/slug."""
    mine = list(viewer.interests or [])
    people, booths = [], []
    if mine:
        for person in db.session.scalars(
                select(User).where(User.visible_in_directory.is_(True), User.id != viewer.id)):
            shared = shared_items(mine, person.interests)
            if shared:
                people.append((person, shared))
        for booth in db.session.scalars(select(Booth)):
            shared = shared_items(mine, booth.topics)
            if shared:
                booths.append((booth, shared))
    people.sort(key=lambda ps: (-len(ps[1]), (ps[0].display_name or "").casefold(), ps[0].id))
    booths.sort(key=lambda bs: (-len(bs[1]), (bs[0].name or "").casefold(), bs[0].slug))
    return {
        "people": [{"user": user_for(viewer, p), "score": len(s), "shared": s} for p, s in people],
        "booths": [{"slug": b.slug, "name": b.name, "score": len(s), "shared": s} for b, s in booths],
    }


# --- meetings --------------------------------------------------------------

def meeting_dict(meeting: Meeting) -> dict:
    """The meeting as its two people see it; the video link only once accepted."""
    return {
        "id": meeting.id,
        "requester": meeting.requester.to_dict(),
        "invitee": meeting.invitee.to_dict(),
        "starts_at": isoformat(meeting.starts_at),
        "ends_at": isoformat(meeting.ends_at),
        "status": meeting.status,
        "note": meeting.note or "",
        "booth_slug": meeting.booth.slug if meeting.booth else None,
        "video_url": meeting.video_url if meeting.status == "accepted" else None,
        "created_at": isoformat(meeting.created_at),
        "updated_at": isoformat(meeting.updated_at),
    }


def meetings_for(user: User) -> list[Meeting]:
    """All meetings a person asked for or was asked to, by start time."""
    return list(db.session.scalars(
        select(Meeting).where(or_(Meeting.requester_id == user.id, Meeting.invitee_id == user.id))
        .order_by(Meeting.starts_at, Meeting.id)
    ))


def accepted_meetings_for(user_id: int) -> list[Meeting]:
    """A person's accepted meetings by start time (for the agenda calendar)."""
    return list(db.session.scalars(
        select(Meeting).where(or_(Meeting.requester_id == user_id, Meeting.invitee_id == user_id),
                              Meeting.status == "accepted")
        .order_by(Meeting.starts_at, Meeting.id)
    ))


def _lock_people(user_ids: list[int]) -> None:
    """Serialise meeting changes per person (PostgreSQL row locks, in id order so two
    requests never wait for each other crosswise), so two overlapping meetings cannot
    be accepted at once. SQLite has one writer anyway and ignores FOR UPDATE."""
    db.session.execute(select(User.id).where(User.id.in_(user_ids)).order_by(User.id).with_for_update())


def _overlapping_accepted(user_ids: list[int], starts_at: datetime, ends_at: datetime,
                          exclude_id: int | None = None) -> Meeting | None:
    people = or_(Meeting.requester_id.in_(user_ids), Meeting.invitee_id.in_(user_ids))
    query = select(Meeting).where(people, Meeting.status == "accepted",
                                  Meeting.starts_at < ends_at, Meeting.ends_at > starts_at)
    if exclude_id is not None:
        query = query.where(Meeting.id != exclude_id)
    return db.session.scalars(query.limit(1)).first()


def favourite_clashes(user_ids: dict[str, int], starts_at: datetime, ends_at: datetime) -> list[dict]:
    """Sessions in these people's agendas that overlap the span, as warnings;
    ``user_ids`` maps who ("requester", "invitee") to a person's id."""
    warnings = []
    for who, user_id in user_ids.items():
        rows = db.session.scalars(
            select(Session).join(Favourite, Favourite.session_id == Session.id)
            .where(Favourite.user_id == user_id, Session.starts_at < ends_at, Session.ends_at > starts_at)
            .order_by(Session.starts_at, Session.id)
        ).all()
        warnings += [{"type": "favourite_clash", "who": who, "session_id": s.id, "title": s.title,
                      "starts_at": isoformat(s.starts_at), "ends_at": isoformat(s.ends_at)} for s in rows]
    return warnings


def _parse_request(data: dict) -> dict:
    v.ensure_object(data)
    invitee_id = v.integer(data, "invitee_id", minimum=1, maximum=MAX_ID)
    starts_at = v.datetime_field(data, "starts_at")
    ends_at = v.datetime_field(data, "ends_at")
    note = v.text(data, "note", required=False, max_len=NOTE_MAX, default="")
    booth_slug = v.text(data, "booth_slug", required=False, max_len=64, default="") or None
    if ends_at <= starts_at:
        raise Invalid("ends_at must be after starts_at", field="ends_at")
    if ends_at - starts_at > MAX_MEETING:
        raise Invalid("a meeting may last at most 8 hours")
    return {"invitee_id": invitee_id, "starts_at": starts_at, "ends_at": ends_at,
            "note": note, "booth_slug": booth_slug}


def request_meeting(requester: User, data: dict) -> tuple[Meeting, list[dict]]:
    """POST /meetings: ask someone for a meeting. Returns the pending meeting and
    warnings (sessions either person favourited at that time). 400 bad input or
    oneself, 404 unknown invitee or booth, 409 overlap with an accepted meeting."""
    fields = _parse_request(data)
    if fields["invitee_id"] == requester.id:
        raise Invalid("you cannot ask yourself for a meeting")
    invitee = db.session.get(User, fields["invitee_id"])
    if invitee is None:
        raise NotFound("no such person")
    booth = None
    if fields["booth_slug"]:
        booth = get_booth(fields["booth_slug"])
    _lock_people([requester.id, invitee.id])
    if _overlapping_accepted([requester.id, invitee.id], fields["starts_at"], fields["ends_at"]):
        db.session.rollback()
        raise Conflict("this overlaps an accepted meeting of yours or of the person you invite")
    meeting = Meeting(requester_id=requester.id, invitee_id=invitee.id, starts_at=fields["starts_at"],
                      ends_at=fields["ends_at"], note=fields["note"], booth_id=booth.id if booth else None,
                      status="pending", video_room="ecc2020-" + secrets.token_urlsafe(24))
    db.session.add(meeting)
    db.session.commit()
    warnings = favourite_clashes({"requester": requester.id, "invitee": invitee.id},
                                 meeting.starts_at, meeting.ends_at)
    _push(meeting)
    return meeting, warnings


def get_meeting_for(user: User, meeting_id: int) -> Meeting:
    """A meeting one of its two people asks about: 404 unknown, 403 someone else's."""
    valid = is_id(meeting_id)
    meeting = db.session.get(Meeting, meeting_id) if valid else None
    if meeting is None:
        raise NotFound("no such meeting")
    if not meeting.involves(user.id):
        raise Forbidden("this is not your meeting")
    return meeting


def change_meeting(user: User, meeting_id: int, action: str) -> Meeting:
    """accept / decline (the invitee) or cancel (either person). Accepting checks
    again that neither person has an overlapping accepted meeting (409)."""
    if action not in ACTION_STATUS:
        raise Invalid("unknown action")
    meeting = get_meeting_for(user, meeting_id)
    if action in ("accept", "decline") and user.id != meeting.invitee_id:
        raise Forbidden("only the invited person may accept or decline")
    _lock_people([meeting.requester_id, meeting.invitee_id])
    db.session.refresh(meeting)  # its status as of the lock
    target = ACTION_STATUS[action]
    if meeting.status == target:
        db.session.rollback()
        return meeting
    if action not in TRANSITIONS[meeting.status]:
        db.session.rollback()
        raise Conflict(f"a {meeting.status} meeting cannot be {target}")
    if action == "accept" and _overlapping_accepted(
            [meeting.requester_id, meeting.invitee_id], meeting.starts_at, meeting.ends_at, meeting.id):
        db.session.rollback()
        raise Conflict("this overlaps an accepted meeting of one of you")
    meeting.status = target
    db.session.commit()
    _push(meeting)
    return meeting


def _push(meeting: Meeting) -> None:
    payload = meeting_dict(meeting)
    for user_id in {meeting.requester_id, meeting.invitee_id}:
        realtime.publish("meeting", payload, room=realtime.user_room(user_id))
