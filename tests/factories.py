"""One way to make what a test needs, straight in the database (no HTTP, no sockets).

    from tests import factories as make

    anna = make.user(app, name="Anna Becker", interests=["hydrogen"])   # -> UserRef
    staff = make.user(app, "staff", booth="alpha")                      # staff of booth "alpha"
    alpha = make.booth(app, "alpha", staff=[staff], topics=["e-mobility"])  # -> BoothRef (.room)
    talk = make.session(app, "Keynote", start=T0, minutes=45, booth="alpha")  # -> the session's id
    make.favourite(app, anna, talk)
    make.message(app, alpha.room, anna, "hello")                        # -> the message's id
    make.meeting(app, anna, staff, start=T0)                            # -> the meeting's id
    make.visit(app, "alpha", anna); make.lead(app, "alpha", anna)

Every factory takes the app first. It works in the app context that is active for that
app (so it can be called inside ``with app.app_context():`` blocks; it commits that
context's session), or pushes one of its own, and answers plain values (refs, ids) that
stay usable outside any app context. People are made through the accounts service (as
the CLI's ``users create`` does), so they have a real password (``PASSWORD``) and can
log in; everything else is made as rows, so a test of one area does not depend on
another area's API.

The shared fixtures built on these (``make_user``, ``people``, ``clients``, ``world``)
are in tests/conftest.py.
"""
from __future__ import annotations

import itertools
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from exhibition.extensions import db

PASSWORD = "correct-horse-9"
T0 = datetime(2020, 11, 10, 8, 0, tzinfo=UTC)  # 09:00 in Berlin, the first morning of ECC 2020


@dataclass(frozen=True)
class UserRef:
    """What a test needs of a person it made, usable outside any app context."""

    id: int
    email: str
    role: str
    display_name: str


@dataclass(frozen=True)
class BoothRef:
    id: int
    slug: str

    @property
    def room(self) -> str:
        """The booth's chat room."""
        return f"booth:{self.slug}"


@contextmanager
def _context(app):
    from flask import current_app, has_app_context
    if has_app_context() and current_app._get_current_object() is app:
        yield
    else:
        with app.app_context():
            yield


def _id(thing) -> int | None:
    """A ref, a model or an id -> the id."""
    if thing is None or isinstance(thing, int):
        return thing
    return thing.id


def _booth_id(booth) -> int | None:
    """A slug, a BoothRef, a Booth or an id -> the booth's id."""
    if isinstance(booth, str):
        from exhibition.booths.models import Booth
        return db.session.query(Booth).filter_by(slug=booth).one().id
    return _id(booth)


def _number(app, kind: str) -> int:
    """1, 2, 3 … per app and kind: default e-mails, names and client ids stay unique within a test."""
    return next(app.extensions.setdefault(f"tests.factories.{kind}", itertools.count(1)))


# ---------------------------------------------------------------- people

def user(app, role: str = "attendee", *, email: str | None = None, name: str | None = None,
         booth: str | None = None, password: str = PASSWORD, **profile) -> UserRef:
    """A person of any role (attendee, staff, organiser); ``booth``: a slug, the person
    becomes staff of that booth (an attendee's role becomes staff, as the CLI does).
    ``profile``: further User fields, e.g. organisation, bio, interests,
    visible_in_directory. Defaults: ``<role><n>@example.test``, ``"<Role> <n>"``."""
    from exhibition.accounts.models import User
    from exhibition.admin.services import create_account as create_user

    n = _number(app, "users")
    with _context(app):
        person = create_user(email or f"{role}{n}@example.test", password, name or f"{role.title()} {n}",
                             role, booth)
        if profile:
            person = db.session.get(User, person.id)
            for field, value in profile.items():
                setattr(person, field, value)
            db.session.commit()
        return UserRef(person.id, person.email, person.role, person.display_name)


# ---------------------------------------------------------------- booths

def booth(app, slug: str, *, name: str | None = None, topics=(), staff=(), **fields) -> BoothRef:
    """A booth; ``staff``: people (refs) who staff it (their role is left as it is).
    ``fields``: further Booth fields (tagline, description, website, video_url, logo_url)."""
    from exhibition.booths.models import Booth, BoothStaff

    with _context(app):
        row = Booth(slug=slug, name=name or slug.replace("-", " ").title(), topics=list(topics), **fields)
        db.session.add(row)
        db.session.flush()
        for person in staff:
            db.session.add(BoothStaff(booth_id=row.id, user_id=_id(person)))
        db.session.commit()
        return BoothRef(row.id, row.slug)


def add_staff(app, slug: str, person) -> None:
    """Make the person staff of the booth through the booths area's own service (an
    attendee's role becomes staff, other roles stay; adding someone twice changes nothing)."""
    from exhibition.booths.services import add_staff as add_booth_staff
    from exhibition.policies import SYSTEM

    with _context(app):
        add_booth_staff(SYSTEM, slug, _id(person))


def visit(app, booth, person, **fields) -> None:
    """A recorded visit of the person at the booth (a slug or a ref); ``at=`` to date it."""
    from exhibition.booths.models import Visit

    with _context(app):
        db.session.add(Visit(booth_id=_booth_id(booth), user_id=_id(person), **fields))
        db.session.commit()


def lead(app, booth, person, note: str = "") -> None:
    """The person left their contact at the booth (a slug or a ref)."""
    from exhibition.booths.models import Lead

    with _context(app):
        db.session.add(Lead(booth_id=_booth_id(booth), user_id=_id(person), note=note))
        db.session.commit()


# ---------------------------------------------------------------- programme

def session(app, title: str = "A session", *, start: datetime = T0, minutes: int = 60, end: datetime | None = None,
            room: str = "Plenary", booth=None, speakers=(), **fields) -> int:
    """A programme session (``end`` wins over ``minutes``); ``booth``: a slug or a ref.
    ``fields``: abstract, track, guid. Returns its id (its chat room is ``session:<id>``)."""
    from exhibition.schedule.models import Session

    with _context(app):
        row = Session(title=title, starts_at=start, ends_at=end or start + timedelta(minutes=minutes), room=room,
                      speakers=list(speakers), booth_id=_booth_id(booth), **fields)
        db.session.add(row)
        db.session.commit()
        return row.id


def favourite(app, person, session_id: int) -> None:
    """The session is in the person's agenda."""
    from exhibition.schedule.models import Favourite

    with _context(app):
        db.session.add(Favourite(user_id=_id(person), session_id=session_id))
        db.session.commit()


# ---------------------------------------------------------------- chat

def message(app, room: str, sender, body: str = "hello", *, client_id: str | None = None, **fields) -> int:
    """A stored chat message in ``room`` (e.g. ``BoothRef.room``, ``"lobby"``, ``"dm:1:2"``).
    ``fields``: deleted, created_at. Returns its id."""
    from exhibition.chat.models import Message

    n = _number(app, "messages")
    with _context(app):
        row = Message(room=room, sender_id=_id(sender), body=body, client_id=client_id or f"factory-{n}", **fields)
        db.session.add(row)
        db.session.commit()
        return row.id


# ---------------------------------------------------------------- networking

def meeting(app, requester, invitee, *, start: datetime = T0, minutes: int = 30, status: str = "pending",
            note: str = "", booth=None, video_room: str | None = None) -> int:
    """A meeting between two people, pending unless told; returns its id."""
    from exhibition.networking.models import Meeting

    n = _number(app, "meetings")
    with _context(app):
        row = Meeting(requester_id=_id(requester), invitee_id=_id(invitee), starts_at=start,
                      ends_at=start + timedelta(minutes=minutes), note=note, status=status,
                      booth_id=_booth_id(booth), video_room=video_room or f"factory-{n}-video-room")
        db.session.add(row)
        db.session.commit()
        return row.id
