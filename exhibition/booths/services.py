"""Booth rules: the hall, booth pages, staff, leads, figures.

Decisions the API reference leaves to the platform (docs/api/openapi.yaml):
- Slugs are fixed once a booth exists: a PATCH with ``slug`` is ignored for staff and
  organisers alike (links, chat rooms ``booth:<slug>`` and stored messages depend on it).
- Removing a person from the staff of their last booth turns a ``staff`` role back into
  ``attendee``; organisers keep their role.
- A visit is one person arriving at a booth; further hits by the same person within
  ``VISIT_WINDOW`` (page, API and chat join of one page load, reloads) count as that visit.
"""
from __future__ import annotations

import re
import unicodedata
from datetime import timedelta
from typing import Any

from sqlalchemy import delete, distinct, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from exhibition import policies
from exhibition.accounts.models import User
from exhibition.booths.models import Booth, BoothStaff, Lead, Visit
from exhibition.chat.services import message_counts
from exhibition.errors import Conflict, Invalid, NotFound
from exhibition.extensions import db
from exhibition.realtime import presence, rooms
from exhibition.realtime.rooms import Room
from exhibition.runtime import validation as v
from exhibition.runtime.clock import isoformat, utcnow
from exhibition.runtime.spreadsheet import csv_text
from exhibition.runtime.validation import is_id

VISIT_WINDOW = timedelta(minutes=10)
MAX_NAME = 120
MAX_TAGLINE = 200
MAX_DESCRIPTION = 20000
MAX_QUERY = 200
MAX_LEAD_NOTE = 2000


# ---------------------------------------------------------------- permissions

def get_booth(slug: str) -> Booth:
    """The booth with this slug, or NotFound."""
    booth = db.session.scalar(select(Booth).where(Booth.slug == slug)) if isinstance(slug, str) else None
    if booth is None:
        raise NotFound("no such booth")
    return booth


def booth_room_access(user: Any, room: Room) -> Room:
    """``booth:<slug>`` rooms: everyone logged in, while the booth exists; its staff moderate."""
    return room.with_booth(get_booth(room.key))


def _visit_on_arrival(user: Any, room: Room) -> None:
    """Joining a booth's chat counts as a visit, like opening its page."""
    if room.kind == "booth":
        record_visit(user.id, get_booth(room.key))


def register_rooms() -> None:
    rooms.register_kind("booth", booth_room_access)
    presence.on_first_enter(_visit_on_arrival)


# ---------------------------------------------------------------- shaping

def _staff_users(booth: Booth) -> list[User]:
    return list(db.session.scalars(
        select(User).join(BoothStaff, BoothStaff.user_id == User.id)
        .where(BoothStaff.booth_id == booth.id).order_by(User.display_name, User.id)))


def visitors_now(booth: Booth) -> int:
    """People in the booth's chat room right now."""
    return presence.count(Room.booth_room(booth.slug))


def booth_card(booth: Booth, online: set[int] | None = None) -> dict:
    """The hall's short form of a booth."""
    online = presence.online_user_ids() if online is None else online
    staff_ids = [s.user_id for s in booth.staff]
    return {
        "slug": booth.slug, "name": booth.name, "tagline": booth.tagline or "",
        "topics": list(booth.topics or []), "logo_url": booth.logo_url or "",
        "staff_online": sum(1 for uid in staff_ids if uid in online),
        "visitors_now": visitors_now(booth),
    }


def booth_detail(booth: Booth) -> dict:
    """The full booth object (docs/api/openapi.yaml, Booth) (the page renders the Markdown description itself)."""
    online = presence.online_user_ids()
    staff = []
    for user in _staff_users(booth):
        entry = user.to_dict()
        entry["online"] = user.id in online
        staff.append(entry)
    return {
        "slug": booth.slug, "name": booth.name, "tagline": booth.tagline or "",
        "description": booth.description or "",
        "topics": list(booth.topics or []), "website": booth.website or "",
        "video_url": booth.video_url or "", "logo_url": booth.logo_url or "",
        "staff": staff, "visitors_now": visitors_now(booth),
    }


# ---------------------------------------------------------------- hall

def list_booths(q: str | None = None, topic: str | None = None) -> list[Booth]:
    """Booths by name. ``q`` searches name, tagline, description and topics
    (case-insensitive substring); ``topic`` keeps booths having exactly that topic
    (case-insensitive)."""
    q = (q or "").strip()[:MAX_QUERY] if isinstance(q, str) else ""
    topic = (topic or "").strip()[:MAX_QUERY] if isinstance(topic, str) else ""
    # the cards count online staff: load every booth's staff links in one query, not one per booth
    stmt = select(Booth).options(selectinload(Booth.staff)).order_by(func.lower(Booth.name), Booth.slug)
    booths = list(db.session.scalars(stmt))
    if q:
        needle = q.casefold()
        booths = [b for b in booths if needle in " ".join(
            [b.name or "", b.tagline or "", b.description or "", *(b.topics or [])]).casefold()]
    if topic:
        wanted = topic.casefold()
        booths = [b for b in booths if any(t.casefold() == wanted for t in (b.topics or []))]
    return booths


def hall(q: str | None = None, topic: str | None = None) -> list[dict]:
    """The hall: every booth (filtered) as a card."""
    online = presence.online_user_ids()
    return [booth_card(b, online) for b in list_booths(q, topic)]


def visit(user: Any, slug: str) -> Booth:
    """A person opens a booth (page or API): it counts as a visit."""
    booth = get_booth(slug)
    record_visit(user.id, booth)
    return booth


def booth_page(user: Any, slug: str, *, count_visit: bool = True) -> dict:
    """What the booth page shows this person: the booth, their lead, and for its
    managers the leads and figures."""
    booth = get_booth(slug)
    if count_visit:
        record_visit(user.id, booth)
    manager = policies.can_manage_booth(user, booth)
    return {
        "booth": booth,
        "can_manage": manager,
        "is_organiser": policies.is_organiser(user),
        "my_lead": own_lead(user, booth),
        "leads": [lead_dict(lead) for lead in list_leads(user, slug)] if manager else [],
        "stats": booth_stats(slug) if manager else None,
    }


def all_topics() -> list[str]:
    """Every topic used by some booth, for the hall's filter (first spelling wins)."""
    seen: dict[str, str] = {}
    for topics in db.session.scalars(select(Booth.topics)):
        for topic in topics or []:
            seen.setdefault(topic.casefold(), topic)
    return sorted(seen.values(), key=str.casefold)


# ---------------------------------------------------------------- create, edit, delete

_TRANSLIT = {"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue", "ẞ": "SS"}


def slugify(name: str) -> str:
    """'Elektromobilität Süd-West' → 'elektromobilitaet-sued-west' (max 64)."""
    text = "".join(_TRANSLIT.get(ch, ch) for ch in name)
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()
    text = re.sub(r"[^a-z0-9]+", "-", text).strip("-")
    return text[:64].rstrip("-")


def _logo_url(data: dict) -> str | None:
    value = v.text(data, "logo_url", required=False, max_len=500)
    if not value:
        return value
    if value.startswith("/static/") and ".." not in value and re.fullmatch(r"/static/[A-Za-z0-9._/-]+", value):
        return value
    return v.url(data, "logo_url")


def _fields(data: dict, *, creating: bool) -> dict:
    """Validated booth fields present in ``data`` (all of them when creating)."""
    out: dict = {}
    if creating or "name" in data:
        out["name"] = v.text(data, "name", max_len=MAX_NAME, min_len=1)
    if creating or "tagline" in data:
        out["tagline"] = v.text(data, "tagline", required=False, max_len=MAX_TAGLINE, default="")
    if creating or "description" in data:
        out["description"] = v.text(data, "description", required=False, max_len=MAX_DESCRIPTION, default="")
    if creating or "topics" in data:
        out["topics"] = v.string_list(data, "topics") or []
    for key in ("website", "video_url"):
        if creating or key in data:
            out[key] = v.url(data, key) or ""
    if creating or "logo_url" in data:
        out["logo_url"] = _logo_url(data) or ""
    return out


def create_booth(actor, data: dict) -> Booth:
    """POST /booths (organiser): ``slug`` optional, derived from the name; taken → Conflict."""
    policies.require_organiser(actor)
    v.ensure_object(data)
    fields = _fields(data, creating=True)
    raw_slug = data.get("slug")
    if raw_slug is None or (isinstance(raw_slug, str) and not raw_slug.strip()):
        slug = slugify(fields["name"])
        if not slug:
            raise Invalid("slug is required when the name has no letters or digits")
    else:
        slug = v.slug(raw_slug.strip() if isinstance(raw_slug, str) else raw_slug)
    if db.session.scalar(select(Booth.id).where(Booth.slug == slug)) is not None:
        raise Conflict(f"the slug {slug} is taken")
    booth = Booth(slug=slug, **fields)
    db.session.add(booth)
    db.session.commit()
    return booth


def update_booth(actor, slug: str, data: dict) -> Booth:
    """PATCH /booths/<slug> (organiser or that booth's staff): any of name, tagline,
    description, topics, website, video_url, logo_url. The slug never changes."""
    booth = get_booth(slug)
    policies.require_booth_manager(actor, booth)
    v.ensure_object(data)
    fields = _fields(data, creating=False)
    for key, value in fields.items():
        setattr(booth, key, value)
    db.session.commit()
    return booth


def delete_booth(actor, slug: str) -> None:
    """DELETE /booths/<slug> (organiser). Staff who staffed no other booth become attendees."""
    policies.require_organiser(actor)
    booth = get_booth(slug)
    staff_ids = [s.user_id for s in booth.staff]
    db.session.delete(booth)  # staff links, visits and leads go with it (ON DELETE CASCADE)
    db.session.flush()
    for user_id in staff_ids:
        _demote_if_unstaffed(user_id)
    db.session.commit()


# ---------------------------------------------------------------- staff

def _demote_if_unstaffed(user_id: int) -> None:
    user = db.session.get(User, user_id)
    if user is None or user.role != "staff":
        return
    if db.session.scalar(select(BoothStaff.id).where(BoothStaff.user_id == user_id).limit(1)) is None:
        user.role = "attendee"


def _user(user_id: Any) -> User:
    user = db.session.get(User, user_id) if is_id(user_id) else None
    if user is None:
        raise NotFound("no such person")
    return user


def add_staff(actor: Any, slug: str, user_id: int) -> None:
    """Make the person staff of this booth (organisers): an attendee's role becomes
    ``staff`` (organisers keep theirs). Adding someone twice changes nothing."""
    policies.require_organiser(actor)
    booth = get_booth(slug)
    user = _user(user_id)
    if not policies.is_booth_staff(user, booth):
        db.session.add(BoothStaff(booth_id=booth.id, user_id=user.id))
    if user.role == "attendee":
        user.role = "staff"
    db.session.commit()


def remove_staff(actor: Any, slug: str, user_id: int) -> None:
    """Take the person off this booth's staff (organisers); without another booth a
    ``staff`` role becomes ``attendee`` again. Not staff there → nothing changes."""
    policies.require_organiser(actor)
    booth = get_booth(slug)
    user = _user(user_id)
    db.session.execute(delete(BoothStaff).where(BoothStaff.booth_id == booth.id, BoothStaff.user_id == user.id))
    db.session.flush()
    _demote_if_unstaffed(user.id)
    db.session.commit()


def set_staff(actor, slug: str, user_id: int, present: bool) -> None:
    """PUT/DELETE /booths/<slug>/staff/<user_id> (organiser)."""
    (add_staff if present else remove_staff)(actor, slug, user_id)


# ---------------------------------------------------------------- leads

def lead_dict(lead: Lead) -> dict:
    """{user (with e-mail), note, created_at}: what the booth's staff see."""
    return {"user": lead.user.to_dict(include_email=True), "note": lead.note or "",
            "created_at": isoformat(lead.created_at), "updated_at": isoformat(lead.updated_at)}


def leave_lead(user, slug: str, note=None, share_contact=None) -> tuple[Lead, bool]:
    """A visitor shares their contact details with a booth. ``share_contact`` must be
    literally true. Returns (lead, created): one lead per person and booth, again → updated."""
    booth = get_booth(slug)
    if share_contact is not True:
        raise Invalid("share_contact must be true: contact details are only shared with consent",
                      field="share_contact")
    note = v.text({"note": note}, "note", required=False, max_len=MAX_LEAD_NOTE, default="")
    lead = own_lead(user, booth)
    if lead is None:
        try:
            lead = Lead(booth_id=booth.id, user_id=user.id, note=note)
            db.session.add(lead)
            db.session.commit()
            return lead, True
        except IntegrityError:  # the same person's other request won the race
            db.session.rollback()
            lead = own_lead(user, booth)
            if lead is None:  # …and was deleted again meanwhile
                raise Conflict("the contact details changed meanwhile; send them again") from None
    lead.note = note
    lead.updated_at = utcnow()
    db.session.commit()
    return lead, False


def own_lead(user, booth: Booth) -> Lead | None:
    return db.session.scalar(select(Lead).where(Lead.booth_id == booth.id, Lead.user_id == user.id))


def list_leads(actor, slug: str) -> list[Lead]:
    """The booth's leads, newest first (that booth's staff, organisers)."""
    booth = get_booth(slug)
    policies.require_booth_manager(actor, booth)
    return list(db.session.scalars(
        select(Lead).where(Lead.booth_id == booth.id).order_by(Lead.created_at.desc(), Lead.id.desc())))


def leads_csv(actor, slug: str) -> str:
    """The leads as CSV (header row first), spreadsheet-formula cells defused."""
    return csv_text(["name", "organisation", "email", "note", "created_at"],
                    ((lead.user.display_name, lead.user.organisation, lead.user.email, lead.note,
                      isoformat(lead.created_at)) for lead in list_leads(actor, slug)))


# ---------------------------------------------------------------- visits and figures

def record_visit(user_id: int, booth: Booth) -> None:
    """Count a visit unless this person visited this booth within VISIT_WINDOW."""
    since = utcnow() - VISIT_WINDOW
    recent = db.session.scalar(select(Visit.id).where(
        Visit.booth_id == booth.id, Visit.user_id == user_id, Visit.at >= since).limit(1))
    if recent is None:
        db.session.add(Visit(booth_id=booth.id, user_id=user_id))
        db.session.commit()


def booth_figures(booths: list[Booth] | None = None) -> list[dict]:
    """Per booth (all of them by name, or the ones given): {slug, name, visits,
    unique_visitors, messages, leads}. Messages are every chat message ever sent in the
    booth room, deleted ones included. One grouped query per figure, not per booth."""
    if booths is None:
        booths = list(db.session.scalars(select(Booth).order_by(func.lower(Booth.name), Booth.slug)))
    ids = [b.id for b in booths]
    def grouped(column: Any, of: Any) -> dict[int, int]:
        rows = db.session.execute(select(of, column).where(of.in_(ids)).group_by(of))
        return {key: n for key, n in rows}
    visits = grouped(func.count(Visit.id), Visit.booth_id)
    uniques = grouped(func.count(distinct(Visit.user_id)), Visit.booth_id)
    leads = grouped(func.count(Lead.id), Lead.booth_id)
    messages = message_counts(Room.prefix("booth"))
    return [{"slug": b.slug, "name": b.name, "visits": visits.get(b.id, 0),
             "unique_visitors": uniques.get(b.id, 0), "messages": messages.get(Room.booth_room(b.slug).name, 0),
             "leads": leads.get(b.id, 0)} for b in booths]


def booth_stats(slug: str) -> dict:
    """{visits, unique_visitors, messages, leads, visitors_now} of one booth."""
    booth = get_booth(slug)
    figures = booth_figures([booth])[0]
    return {key: figures[key] for key in ("visits", "unique_visitors", "messages", "leads")} | {
        "visitors_now": visitors_now(booth)}


def stats_for(actor: Any, slug: str) -> dict:
    """GET /booths/<slug>/stats (that booth's staff, organisers)."""
    policies.require_booth_manager(actor, get_booth(slug))
    return booth_stats(slug)
