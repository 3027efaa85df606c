"""Helpers for the programme tests: sessions made through the API or the database."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from exhibition.extensions import db

T0 = datetime(2020, 11, 10, 8, 0, tzinfo=timezone.utc)  # 09:00 in Berlin


def iso(value: datetime) -> str:
    return value.isoformat()


def body(title="Green Deal keynote", start=T0, minutes=60, room="Plenary", **extra) -> dict:
    data = {"title": title, "abstract": "About the Green Deal.", "starts_at": iso(start),
            "ends_at": iso(start + timedelta(minutes=minutes)), "room": room, "track": "Keynote",
            "speakers": ["Isabel Marchetti"]}
    data.update(extra)
    return data


def db_session(app, title="A session", start=T0, minutes=60, room="Plenary", **extra) -> int:
    """A session straight in the database; returns its id."""
    from exhibition.schedule.models import Session
    with app.app_context():
        session = Session(title=title, starts_at=start, ends_at=start + timedelta(minutes=minutes),
                          room=room, speakers=extra.pop("speakers", []), **extra)
        db.session.add(session)
        db.session.commit()
        return session.id


def session_count(app) -> int:
    from sqlalchemy import func, select

    from exhibition.schedule.models import Session
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Session))


def favourite(app, user_id: int, session_id: int) -> None:
    from exhibition.schedule.models import Favourite
    with app.app_context():
        db.session.add(Favourite(user_id=user_id, session_id=session_id))
        db.session.commit()


def received(client, name: str) -> list:
    return [item["args"][0] for item in client.get_received() if item["name"] == name]
