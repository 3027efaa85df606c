"""POST /api/sessions/import: real frab/pretalx files, re-imports, broken and foreign files."""
from __future__ import annotations

import copy
import io
import json
from pathlib import Path

import pytest

from exhibition.extensions import db
from tests import factories as make

from .schedule_helpers import received, session_count

# shared/ lies beside the checkout (on a developer's machine and in CI alike)
SCHEDULES = Path(__file__).resolve().parents[2] / "shared" / "data" / "schedules"
FILES = {"frab-camp2019.json": 79, "pretalx-rc3-channels-2020.json": 48}


def load(name: str) -> dict:
    return json.loads((SCHEDULES / name).read_text(encoding="utf-8"))


def tiny(*events) -> dict:
    return {"schedule": {"version": "1", "conference": {"title": "ECC", "time_zone_name": "Europe/Berlin", "days": [
        {"index": 1, "date": "2020-11-10", "rooms": {"Plenary": list(events)}}]}}}


def event(guid="g-1", title="Keynote", date="2020-11-10T09:00:00+01:00", duration="01:00", **extra) -> dict:
    data = {"guid": guid, "title": title, "date": date, "start": date[11:16], "duration": duration,
            "room": "Plenary", "track": "Green Deal", "abstract": "Short.", "description": "Long.",
            "persons": [{"public_name": "Isabel Marchetti"}, {"name": "Jan de Wilde"}]}
    data.update(extra)
    return data


@pytest.fixture
def organiser(make_user, client_for):
    return client_for(make_user("organiser"))


@pytest.mark.parametrize("name", sorted(FILES))
def test_real_schedules_import_and_reimport(app, organiser, name):
    raw = (SCHEDULES / name).read_bytes()
    assert len(raw) < app.config["MAX_CONTENT_LENGTH"]
    first = organiser.post("/api/sessions/import", data=raw, content_type="application/json")
    assert first.status_code == 200, first.get_json()
    assert first.get_json() == {"created": FILES[name], "updated": 0}
    again = organiser.post("/api/sessions/import", data=raw, content_type="application/json")
    assert again.get_json() == {"created": 0, "updated": FILES[name]}
    assert session_count(app) == FILES[name]


def test_both_files_and_known_fields(app, organiser):
    for name in FILES:
        assert organiser.post("/api/sessions/import", json=load(name)).status_code == 200
    assert session_count(app) == sum(FILES.values())
    sessions = organiser.get("/api/sessions?from=2019-08-21T09:00:00Z&to=2019-08-21T11:10:00%2B02:00")
    opening = [s for s in sessions.get_json()["sessions"] if s["title"] == "Opening Ceremony"]
    assert opening == [{**opening[0], "starts_at": "2019-08-21T09:00:00+00:00", "ends_at": "2019-08-21T09:30:00+00:00",
                        "room": "Curie", "track": "CCC", "speakers": ["jinxx", "smtw"], "booth_slug": None}]
    from exhibition.schedule.models import Session
    with app.app_context():
        session = db.session.query(Session).filter_by(title="Opening Ceremony").one()
        assert session.guid == "a0a0fcfe-b7fb-46e3-84b6-97a5406016b4"


def test_upload_as_a_file_field(app, organiser):
    data = json.dumps(tiny(event(), event("g-2", "Panel", "2020-11-10T10:00:00+01:00"))).encode()
    response = organiser.post("/api/sessions/import", data={"file": (io.BytesIO(data), "schedule.json")},
                              content_type="multipart/form-data")
    assert response.status_code == 200, response.get_json()
    assert response.get_json() == {"created": 2, "updated": 0}
    keynote = organiser.get("/api/sessions").get_json()["sessions"][0]
    assert keynote["starts_at"] == "2020-11-10T08:00:00+00:00" and keynote["ends_at"] == "2020-11-10T09:00:00+00:00"
    assert keynote["speakers"] == ["Isabel Marchetti", "Jan de Wilde"]
    assert keynote["abstract"] == "Short.\n\nLong."


def test_reimport_updates_by_guid_and_tells_the_favouriting_people(app, organiser, make_user, client_for,
                                                                   socket_client):
    organiser.post("/api/sessions/import", json=tiny(event(), event("g-2", "Panel", "2020-11-10T10:00:00+01:00")))
    fan_ref = make_user("attendee")
    fan = client_for(fan_ref)
    keynote_id = organiser.get("/api/sessions").get_json()["sessions"][0]["id"]
    make.favourite(app, fan_ref.id, keynote_id)
    socket = socket_client(fan)
    socket.get_received()
    changed = tiny(event(title="Keynote (moved)", date="2020-11-10T09:30:00+01:00"),
                   event("g-2", "Panel", "2020-11-10T10:30:00+01:00"), event("g-3", "New", "2020-11-10T12:00:00+01:00"))
    response = organiser.post("/api/sessions/import", json=changed)
    assert response.get_json() == {"created": 1, "updated": 2}
    titles = [s["title"] for s in organiser.get("/api/sessions").get_json()["sessions"]]
    assert titles == ["Keynote (moved)", "Panel", "New"]
    pushed = received(socket, "session_updated")
    assert [p["id"] for p in pushed] == [keynote_id] and pushed[0]["title"] == "Keynote (moved)"


def test_imports_keep_overlaps_the_schedule_has(app, organiser):
    make.session(app, "Manual", room="Plenary")  # 09:00-10:00 Berlin
    overlapping = tiny(event("a"), event("b", "Parallel", "2020-11-10T09:30:00+01:00"))
    response = organiser.post("/api/sessions/import", json=overlapping)
    assert response.get_json() == {"created": 2, "updated": 0}
    assert session_count(app) == 3


def _broken_real_file() -> dict:
    data = load("frab-camp2019.json")
    data["schedule"]["conference"]["days"][0]["rooms"]["Curie"][3]["duration"] = "45 minutes"
    return data


BROKEN = {
    "foreign object": ({"foo": 1}, "schedule: missing"),
    "a list": ([1, 2, 3], "expected a JSON object"),
    "a string": ("schedule", "expected a JSON object"),
    "no conference": ({"schedule": {"version": "1"}}, "schedule.conference: missing"),
    "days not a list": ({"schedule": {"conference": {"days": {}}}}, "schedule.conference.days: expected a list"),
    "rooms missing": ({"schedule": {"conference": {"days": [{"date": "2020-11-10"}]}}},
                      "schedule.conference.days[0].rooms: missing"),
    "bad duration": (tiny(event(), event("g-2", duration="1h")),
                     "schedule.conference.days[0].rooms['Plenary'][1].duration: expected HH:MM"),
    "zero duration": (tiny(event(duration="00:00")), "duration: must be longer"),
    "bad date": (tiny(event(), event("g-2", date="10.11.2020 10:00")), "[1].date: expected an ISO 8601"),
    "no guid": (tiny(event(guid=None)), "[0].guid: missing"),
    "no title": (tiny(event(title="   ")), "[0].title: must not be empty"),
    "event not an object": (tiny(event(), "talk"), "[1]: expected an object"),
    "duplicate guid": (tiny(event(), event(date="2020-11-10T11:00:00+01:00")), "appears twice"),
    "bad persons": (tiny(event(persons=[{"id": 3}])), "persons[0]: expected public_name or name"),
    "surrogate speaker": (tiny(event(persons=["\ud800"])), "persons[0]: not valid Unicode"),
    "bad zone": ({"schedule": {"conference": {"time_zone_name": "Mars/Base", "days": []}}}, "time_zone_name"),
    "naive date without zone": ({"schedule": {"conference": {"days": [{"rooms": {"A": [
        event(date="2020-11-10T09:00:00")]}}]}}}, "needs a UTC offset"),
}


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_broken_schedules_are_400_and_import_nothing(app, organiser, case):
    make.session(app, "Existing", room="Somewhere")
    data, message = BROKEN[case]
    response = organiser.post("/api/sessions/import", json=data)
    assert response.status_code == 400, response.get_json()
    error = response.get_json()["error"]
    assert error["code"] == "invalid" and message in error["message"], error
    assert session_count(app) == 1


def test_a_real_file_broken_late_imports_nothing(app, organiser):
    response = organiser.post("/api/sessions/import", json=_broken_real_file())
    assert response.status_code == 400
    assert response.get_json()["error"]["message"] == \
        "schedule.conference.days[0].rooms['Curie'][3].duration: expected HH:MM"
    assert session_count(app) == 0


@pytest.mark.parametrize("raw, message", [
    (b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n", "not JSON"),
    (b"<?xml version='1.0'?><schedule><conference/></schedule>", "not JSON"),
    (b"\xff\xfe\x00garbage", "not UTF-8"),
    (b"", "send a schedule.json"),
    (b"[" * 100000 + b"]" * 100000, "nested"),
])
def test_files_of_another_format_are_400(app, organiser, raw, message):
    for kwargs in ({"data": raw, "content_type": "application/json"},
                   {"data": {"file": (io.BytesIO(raw), "schedule.ics")}, "content_type": "multipart/form-data"}):
        response = organiser.post("/api/sessions/import", **kwargs)
        if not raw and "data" in kwargs and isinstance(kwargs["data"], dict):
            message_here = "not JSON"
        else:
            message_here = message
        assert response.status_code == 400, response.get_json()
        assert message_here in response.get_json()["error"]["message"]
    assert session_count(app) == 0


def test_a_too_large_body_is_413(app, organiser):
    raw = b'{"schedule": "' + b"x" * (app.config["MAX_CONTENT_LENGTH"] + 10) + b'"}'
    response = organiser.post("/api/sessions/import", data=raw, content_type="application/json")
    assert response.status_code == 413
    assert session_count(app) == 0


def test_importer_parses_frab_durations():
    from exhibition.errors import Invalid
    from exhibition.schedule.importer import parse_duration
    assert parse_duration("00:45", "d").total_seconds() == 45 * 60
    assert parse_duration("1:30", "d").total_seconds() == 90 * 60
    assert parse_duration("01:00:30", "d").total_seconds() == 3630
    for bad in ("45", "00:60", "-01:00", 45, None, "aa:bb"):
        with pytest.raises(Invalid):
            parse_duration(bad, "d")


def test_validation_happens_before_anything_is_written(app, organiser):
    """A valid prefix followed by one broken event: the valid ones are not written either."""
    good = [event(f"g-{i}", f"T{i}", f"2020-11-10T{8 + i:02d}:00:00+01:00") for i in range(5)]
    bad = copy.deepcopy(good) + [event("g-x", "Broken", "2020-11-10T20:00:00+01:00", duration="eight")]
    assert organiser.post("/api/sessions/import", json=tiny(*bad)).status_code == 400
    assert session_count(app) == 0
    assert organiser.post("/api/sessions/import", json=tiny(*good)).get_json() == {"created": 5, "updated": 0}
