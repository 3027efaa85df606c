"""Helpers for the chat tests: booths, sessions and staff made straight in the database,
so the chat tests do not depend on the booth and schedule APIs."""
from __future__ import annotations

from datetime import timedelta

from exhibition.extensions import db
from exhibition.types import utcnow


def make_booth(app, slug: str, staff=()) -> str:
    from exhibition.booths.models import Booth, BoothStaff
    with app.app_context():
        booth = Booth(slug=slug, name=slug.replace("-", " ").title(), topics=[])
        db.session.add(booth)
        db.session.flush()
        for person in staff:
            db.session.add(BoothStaff(booth_id=booth.id, user_id=person.id))
        db.session.commit()
    return f"booth:{slug}"


def make_session(app, booth_slug: str | None = None) -> str:
    from exhibition.booths.models import Booth
    from exhibition.schedule.models import Session
    with app.app_context():
        booth_id = None
        if booth_slug:
            booth_id = db.session.query(Booth).filter_by(slug=booth_slug).one().id
        start = utcnow() + timedelta(hours=1)
        session = Session(title="Green Deal and clusters", starts_at=start, ends_at=start + timedelta(hours=1),
                          room="Main stage", speakers=[], booth_id=booth_id)
        db.session.add(session)
        db.session.commit()
        return f"session:{session.id}"


def dm(a, b) -> str:
    low, high = sorted((a.id, b.id))
    return f"dm:{low}:{high}"


def ack(client, event, *payload):
    """Emit and return the ack."""
    return client.emit(event, *payload, callback=True)


def events(client, name):
    """Payloads of the received events called ``name`` (and forget all received)."""
    out = []
    for item in client.get_received():
        if item["name"] == name:
            args = item["args"]
            # the test client unwraps the payload of an event called "message"
            out.append(args if name == "message" else args[0])
    return out
