"""session_starting: sent about five minutes before a favourited session, once only."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from exhibition.extensions import db
from exhibition.schedule import services
from exhibition.schedule.models import SessionReminder
from tests import factories as make

from .schedule_helpers import T0, received


@pytest.fixture
def pushes(monkeypatch):
    """Every realtime.publish call, as (event, payload, room)."""
    calls = []
    monkeypatch.setattr("exhibition.realtime.publish",
                        lambda event, payload, room=None, skip_sid=None: calls.append((event, payload, room)))
    return calls


@pytest.fixture
def fan(make_user):
    return make_user("attendee")


def claims(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(SessionReminder))


def tick(app, now):
    with app.app_context():
        return services.send_due_reminders(now)


def test_sends_once_to_the_favouriting_people(app, fan, make_user, pushes):
    other = make_user("attendee")
    soon = make.session(app, "Soon", start=T0 + timedelta(minutes=4))
    make.session(app, "Also soon but nobody cares", start=T0 + timedelta(minutes=3), room="Other")
    make.favourite(app, fan.id, soon)
    assert tick(app, T0) == [soon]
    assert [(e, p["id"], r) for e, p, r in pushes] == [("session_starting", soon, f"user:{fan.id}")]
    assert pushes[0][1]["title"] == "Soon"
    assert not any(r == f"user:{other.id}" for _, _, r in pushes)
    assert tick(app, T0 + timedelta(seconds=30)) == []
    assert tick(app, T0 + timedelta(minutes=2)) == []
    assert len(pushes) == 1
    assert claims(app) == 1


@pytest.mark.parametrize("offset", [timedelta(minutes=6), timedelta(hours=2), timedelta(minutes=-1), timedelta(0)])
def test_not_for_sessions_far_away_or_already_started(app, fan, pushes, offset):
    session_id = make.session(app, "Elsewhere in time", start=T0 + offset)
    make.favourite(app, fan.id, session_id)
    assert tick(app, T0) == []
    assert pushes == [] and claims(app) == 0


def test_exactly_five_minutes_ahead_counts(app, fan, pushes):
    session_id = make.session(app, "Edge", start=T0 + timedelta(minutes=5))
    make.favourite(app, fan.id, session_id)
    assert tick(app, T0) == [session_id]


def test_a_late_favourite_still_gets_it(app, fan, pushes):
    session_id = make.session(app, "Soon", start=T0 + timedelta(minutes=4))
    assert tick(app, T0) == []  # nobody to tell: nothing claimed
    make.favourite(app, fan.id, session_id)
    assert tick(app, T0 + timedelta(minutes=1)) == [session_id]


def test_claimed_by_another_process_sends_nothing(app, fan, pushes):
    session_id = make.session(app, "Soon", start=T0 + timedelta(minutes=4))
    make.favourite(app, fan.id, session_id)
    with app.app_context():
        db.session.add(SessionReminder(session_id=session_id, starts_at=T0 + timedelta(minutes=4), sent_at=T0))
        db.session.commit()
    assert tick(app, T0) == [] and pushes == []


def test_losing_the_race_for_the_claim_sends_nothing(app, fan, pushes, monkeypatch):
    """Two processes both saw the session unclaimed: the INSERT decides; the loser
    gets an IntegrityError, sends nothing and carries on with the next session."""
    raced = make.session(app, "Raced", start=T0 + timedelta(minutes=2))
    free = make.session(app, "Free", start=T0 + timedelta(minutes=3), room="Other")
    for session_id in (raced, free):
        make.favourite(app, fan.id, session_id)
    with app.app_context():
        db.session.add(SessionReminder(session_id=raced, starts_at=T0 + timedelta(minutes=2), sent_at=T0))
        db.session.commit()
    real = services._due_unclaimed

    def stale_view(now):  # what the other process saw a moment ago: nothing claimed yet
        from exhibition.schedule.models import Session
        return [db.session.get(Session, raced)] + real(now)

    monkeypatch.setattr(services, "_due_unclaimed", stale_view)
    assert tick(app, T0) == [free]
    assert [p["id"] for _, p, _ in pushes] == [free]


def test_a_new_start_time_rearms_the_reminder(app, fan, make_user, client_for, pushes):
    session_id = make.session(app, "Moved", start=T0 + timedelta(minutes=4))
    make.favourite(app, fan.id, session_id)
    assert tick(app, T0) == [session_id]
    organiser = client_for(make_user("organiser"))
    later = T0 + timedelta(hours=1)
    response = organiser.patch(f"/api/sessions/{session_id}", json={
        "starts_at": later.isoformat(), "ends_at": (later + timedelta(hours=1)).isoformat()})
    assert response.status_code == 200
    assert claims(app) == 0
    assert tick(app, T0 + timedelta(minutes=1)) == []
    assert tick(app, later - timedelta(minutes=4)) == [session_id]
    starting = [p for e, p, _ in pushes if e == "session_starting"]
    assert len(starting) == 2 and starting[1]["starts_at"] == later.isoformat()


def test_a_title_change_does_not_rearm(app, fan, make_user, client_for, pushes):
    session_id = make.session(app, "Renamed", start=T0 + timedelta(minutes=4))
    make.favourite(app, fan.id, session_id)
    tick(app, T0)
    client_for(make_user("organiser")).patch(f"/api/sessions/{session_id}", json={"title": "New name"})
    assert claims(app) == 1 and tick(app, T0 + timedelta(minutes=1)) == []


def test_the_loop_survives_errors(app, monkeypatch):
    from exhibition.schedule import reminders

    def broken(now=None):
        raise RuntimeError("database away")

    monkeypatch.setattr(services, "send_due_reminders", broken)
    assert reminders.tick(app) == []


def test_the_push_reaches_the_socket_of_the_favouriting_person(app, fan, make_user, client_for, socket_client):
    other = make_user("attendee")
    session_id = make.session(app, "Soon", start=T0 + timedelta(minutes=4))
    make.favourite(app, fan.id, session_id)
    fan_socket, other_socket = socket_client(client_for(fan)), socket_client(client_for(other))
    assert fan_socket.is_connected() and other_socket.is_connected()
    fan_socket.get_received(), other_socket.get_received()
    tick(app, T0)
    tick(app, T0 + timedelta(seconds=30))
    got = received(fan_socket, "session_starting")
    assert [p["id"] for p in got] == [session_id]
    assert received(other_socket, "session_starting") == []
