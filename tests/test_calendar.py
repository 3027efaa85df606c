"""Calendars: /schedule.ics (public) and /api/me/agenda.ics (favourites + accepted meetings)."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from icalendar import Calendar

from tests import factories as make

from .schedule_helpers import T0


def parse(response) -> Calendar:
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    return Calendar.from_ical(response.data)


def events(cal: Calendar) -> dict:
    return {str(e["UID"]): e for e in cal.walk("VEVENT")}


@pytest.fixture
def programme(app):
    first = make.session(app, "Keynote: Green Deal", room="Plenary", speakers=["Isabel Marchetti"],
                         abstract="Why clusters matter.", track="Keynote")
    second = make.session(app, "Hydrogen valleys", start=T0 + timedelta(hours=2), minutes=45, room="Room Green Deal",
                          guid="c3642671-4c1f-5109-81ba-0535c1cc8428")
    return first, second


def test_programme_calendar_is_public_and_valid(app, anon, programme):
    first, second = programme
    response = anon.get("/schedule.ics")
    cal = parse(response)
    assert cal.name == "VCALENDAR"
    assert str(cal["VERSION"]) == "2.0" and str(cal["PRODID"]).startswith("-//")
    assert str(cal["X-WR-CALNAME"])
    found = events(cal)
    assert set(found) == {f"session-{first}@ecc2020.exhibition",
                          "session-c3642671-4c1f-5109-81ba-0535c1cc8428@ecc2020.exhibition"}
    keynote = found[f"session-{first}@ecc2020.exhibition"]
    assert str(keynote["SUMMARY"]) == "Keynote: Green Deal"
    assert keynote.decoded("DTSTART") == T0
    assert keynote.decoded("DTEND") == T0 + timedelta(hours=1)
    assert keynote.decoded("DTSTART").tzinfo is not None
    assert str(keynote["LOCATION"]) == "Plenary"
    assert "Isabel Marchetti" in str(keynote["DESCRIPTION"]) and "Why clusters matter." in str(keynote["DESCRIPTION"])
    assert str(keynote["URL"]).endswith(f"/sessions/{first}")
    assert "DTSTAMP" in keynote
    # every line of the file ends with CRLF, as RFC 5545 asks
    assert b"\n" not in response.data.replace(b"\r\n", b"")


def test_uids_and_content_are_stable(anon, programme):
    one, two = anon.get("/schedule.ics").data, anon.get("/schedule.ics").data
    assert one == two
    assert list(events(Calendar.from_ical(one))) == list(events(Calendar.from_ical(two)))


def test_uid_survives_an_update(app, make_user, client_for, programme):
    first, _ = programme
    organiser = client_for(make_user("organiser"))
    before = set(events(parse(organiser.get("/schedule.ics"))))
    organiser.patch(f"/api/sessions/{first}", json={"title": "Renamed"})
    after = events(parse(organiser.get("/schedule.ics")))
    assert set(after) == before
    assert str(after[f"session-{first}@ecc2020.exhibition"]["SUMMARY"]) == "Renamed"


def test_empty_programme_is_still_a_calendar(anon):
    cal = parse(anon.get("/schedule.ics"))
    assert events(cal) == {} and str(cal["VERSION"]) == "2.0"


def test_agenda_calendar_needs_login(anon):
    response = anon.get("/api/me/agenda.ics")
    assert response.status_code == 401


def test_agenda_calendar_holds_favourites_and_accepted_meetings(app, make_user, client_for, programme):
    first, second = programme
    me_ref, other_ref = make_user("attendee", name="Anna Becker"), make_user("attendee", name="Piotr Nowak")
    me, other = client_for(me_ref), client_for(other_ref)
    make.favourite(app, me_ref.id, second)
    start = datetime(2031, 5, 1, 9, tzinfo=UTC)
    accepted = me.post("/api/meetings", json={"invitee_id": other_ref.id, "starts_at": start.isoformat(),
                                              "ends_at": (start + timedelta(minutes=30)).isoformat(),
                                              "note": "Batteries"})
    assert accepted.status_code == 201, accepted.get_json()
    meeting_id = accepted.get_json()["id"]
    pending = me.post("/api/meetings", json={"invitee_id": other_ref.id,
                                             "starts_at": (start + timedelta(hours=2)).isoformat(),
                                             "ends_at": (start + timedelta(hours=3)).isoformat()})
    assert pending.status_code == 201
    assert other.post(f"/api/meetings/{meeting_id}/accept").status_code == 200
    found = events(parse(me.get("/api/me/agenda.ics")))
    assert set(found) == {"session-c3642671-4c1f-5109-81ba-0535c1cc8428@ecc2020.exhibition",
                          f"meeting-{meeting_id}@ecc2020.exhibition"}
    meeting = found[f"meeting-{meeting_id}@ecc2020.exhibition"]
    assert meeting.decoded("DTSTART") == start and meeting.decoded("DTEND") == start + timedelta(minutes=30)
    assert "Piotr Nowak" in str(meeting["SUMMARY"])
    assert "Batteries" in str(meeting["DESCRIPTION"])
    assert str(meeting["URL"]).startswith("http")
    # the other person sees the same meeting (same UID), with me named
    theirs = events(parse(other.get("/api/me/agenda.ics")))
    assert set(theirs) == {f"meeting-{meeting_id}@ecc2020.exhibition"}
    assert "Anna Becker" in str(theirs[f"meeting-{meeting_id}@ecc2020.exhibition"]["SUMMARY"])


def test_agenda_calendar_without_the_networking_area(app, make_user, client_for, programme, monkeypatch):
    """The meetings come from the networking area; without it the agenda still answers."""
    import sys

    first, _ = programme
    me_ref = make_user("attendee")
    make.favourite(app, me_ref.id, first)
    monkeypatch.setitem(sys.modules, "exhibition.networking.services", None)  # import fails
    found = events(parse(client_for(me_ref).get("/api/me/agenda.ics")))
    assert set(found) == {f"session-{first}@ecc2020.exhibition"}


def test_secret_feed_address_for_calendar_apps(app, make_user, client_for, anon, programme):
    import re as _re
    first, _ = programme
    me_ref = make_user("attendee")
    me = client_for(me_ref)
    make.favourite(app, me_ref.id, first)
    page = me.get("/schedule").get_data(as_text=True)
    token = _re.search(r"/api/me/agenda\.ics\?token=([\w.\-]+)", page).group(1)
    found = events(parse(anon.get(f"/api/me/agenda.ics?token={token}")))
    assert set(found) == {f"session-{first}@ecc2020.exhibition"}
    for bad in (token[:-2] + "xx", "nonsense", ""):
        response = anon.get(f"/api/me/agenda.ics?token={bad}")
        assert response.status_code == 401
    # a new password revokes the address
    from exhibition.accounts.models import User
    from exhibition.extensions import db
    with app.app_context():
        db.session.get(User, me_ref.id).password_hash = "changed"
        db.session.commit()
    assert anon.get(f"/api/me/agenda.ics?token={token}").status_code == 401
