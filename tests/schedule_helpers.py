"""Helpers for the programme tests: request bodies, counts, received pushes. Sessions and
favourites straight in the database come from tests/factories.py (``make.session``,
``make.favourite``)."""
from __future__ import annotations

from datetime import datetime, timedelta

from exhibition.extensions import db
from tests.factories import T0  # noqa: F401  (09:00 in Berlin; the programme tests' start)


def iso(value: datetime) -> str:
    return value.isoformat()


def body(title="Green Deal keynote", start=T0, minutes=60, room="Plenary", **extra) -> dict:
    data = {"title": title, "abstract": "About the Green Deal.", "starts_at": iso(start),
            "ends_at": iso(start + timedelta(minutes=minutes)), "room": room, "track": "Keynote",
            "speakers": ["Isabel Marchetti"]}
    data.update(extra)
    return data


def session_count(app) -> int:
    from sqlalchemy import func, select

    from exhibition.schedule.models import Session
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Session))


def received(client, name: str) -> list:
    return [item["args"][0] for item in client.get_received() if item["name"] == name]
