"""Sessions, live/next and the personal agenda over HTTP (SPEC §4), by role."""
from __future__ import annotations

from datetime import timedelta

import pytest

from exhibition.extensions import db
from exhibition.runtime.clock import utcnow
from tests import factories as make

from .schedule_helpers import T0, body, iso, received, session_count

KEYS = {"id", "title", "abstract", "starts_at", "ends_at", "room", "track", "speakers", "booth_slug", "live"}


def test_create_answers_the_session_object(clients):
    response = clients["organiser"].post("/api/sessions", json=body())
    assert response.status_code == 201, response.get_json()
    session = response.get_json()
    assert set(session) == KEYS
    assert session["title"] == "Green Deal keynote"
    assert session["starts_at"] == "2020-11-10T08:00:00+00:00"
    assert session["ends_at"] == "2020-11-10T09:00:00+00:00"
    assert session["speakers"] == ["Isabel Marchetti"] and session["booth_slug"] is None
    assert session["live"] is False
    got = clients["attendee"].get(f"/api/sessions/{session['id']}")
    assert got.status_code == 200 and got.get_json() == session


def test_offsets_are_kept_as_the_same_instant(clients):
    data = body(starts_at="2020-11-10T09:00:00+01:00", ends_at="2020-11-10T10:00:00+01:00")
    session = clients["organiser"].post("/api/sessions", json=data).get_json()
    assert session["starts_at"] == "2020-11-10T08:00:00+00:00"


@pytest.mark.parametrize("change, message", [
    ({"ends_at": iso(T0 - timedelta(minutes=1))}, "ends_at"),
    ({"ends_at": iso(T0)}, "ends_at"),
    ({"starts_at": "tomorrow"}, "starts_at"),
    ({"starts_at": "2020-11-10T09:00:00"}, "offset"),
    ({"title": ""}, "title"),
    ({"title": None}, "title"),
    ({"speakers": "Anna"}, "speakers"),
    ({"room": 5}, "room"),
    ({"booth_slug": "no-such-booth"}, "booth"),
])
def test_bad_sessions_are_refused_and_change_nothing(app, clients, change, message):
    response = clients["organiser"].post("/api/sessions", json=body(**change))
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "invalid"
    assert message in response.get_json()["error"]["message"]
    assert session_count(app) == 0


def test_non_object_body_is_refused(app, clients):
    assert clients["organiser"].post("/api/sessions", json=["x"]).status_code == 400
    assert session_count(app) == 0


def test_overlap_in_the_same_room_is_a_conflict(app, clients):
    organiser = clients["organiser"]
    assert organiser.post("/api/sessions", json=body()).status_code == 201
    clash = organiser.post("/api/sessions", json=body("Clash", start=T0 + timedelta(minutes=30)))
    assert clash.status_code == 409 and clash.get_json()["error"]["code"] == "conflict"
    inside = organiser.post("/api/sessions", json=body("Inside", start=T0 + timedelta(minutes=10), minutes=10,
                                                      room="plenary"))
    assert inside.status_code == 409  # rooms compare without case
    assert session_count(app) == 1
    touching = organiser.post("/api/sessions", json=body("Next", start=T0 + timedelta(minutes=60)))
    assert touching.status_code == 201
    before = organiser.post("/api/sessions", json=body("Before", start=T0 - timedelta(minutes=30), minutes=30))
    assert before.status_code == 201
    elsewhere = organiser.post("/api/sessions", json=body("Parallel", room="Room Green Deal"))
    assert elsewhere.status_code == 201


def test_patch_follows_the_same_rules(app, clients):
    organiser = clients["organiser"]
    first = organiser.post("/api/sessions", json=body()).get_json()
    second = organiser.post("/api/sessions", json=body("Second", start=T0 + timedelta(hours=2))).get_json()
    # moving within its own time never conflicts with itself
    moved = organiser.patch(f"/api/sessions/{first['id']}", json={"ends_at": iso(T0 + timedelta(minutes=90))})
    assert moved.status_code == 200 and moved.get_json()["ends_at"] == iso(T0 + timedelta(minutes=90))
    clash = organiser.patch(f"/api/sessions/{second['id']}", json={"starts_at": iso(T0 + timedelta(minutes=60))})
    assert clash.status_code == 409
    into_room = organiser.post("/api/sessions", json=body("Other room", room="Room Resilience")).get_json()
    moved_in = organiser.patch(f"/api/sessions/{into_room['id']}", json={"room": "Plenary"})
    assert moved_in.status_code == 409
    backwards = organiser.patch(f"/api/sessions/{second['id']}", json={"ends_at": iso(T0)})
    assert backwards.status_code == 400
    bad = organiser.patch(f"/api/sessions/{second['id']}", json={"title": "New", "starts_at": "soon"})
    assert bad.status_code == 400
    unchanged = organiser.get(f"/api/sessions/{second['id']}").get_json()
    assert unchanged == second
    renamed = organiser.patch(f"/api/sessions/{second['id']}", json={"title": "Renamed", "speakers": []})
    assert renamed.status_code == 200
    assert renamed.get_json()["title"] == "Renamed" and renamed.get_json()["speakers"] == []
    assert renamed.get_json()["starts_at"] == second["starts_at"]


def test_booth_link(app, clients):
    make.booth(app, "elektromobilitaet-sued-west", name="e-mobil")
    organiser = clients["organiser"]
    session = organiser.post("/api/sessions", json=body(booth_slug="elektromobilitaet-sued-west")).get_json()
    assert session["booth_slug"] == "elektromobilitaet-sued-west"
    cleared = organiser.patch(f"/api/sessions/{session['id']}", json={"booth_slug": None})
    assert cleared.get_json()["booth_slug"] is None


def test_delete(app, clients):
    organiser = clients["organiser"]
    session = organiser.post("/api/sessions", json=body()).get_json()
    clients["attendee"].put(f"/api/me/agenda/{session['id']}")
    assert organiser.delete(f"/api/sessions/{session['id']}").status_code == 204
    assert organiser.get(f"/api/sessions/{session['id']}").status_code == 404
    assert organiser.delete(f"/api/sessions/{session['id']}").status_code == 404
    assert clients["attendee"].get("/api/me/agenda").get_json() == {"sessions": []}


@pytest.mark.parametrize("path", ["/api/sessions/999", "/api/sessions/99999999999999999999"])
def test_unknown_sessions_are_404(clients, path):
    for method in ("get", "patch", "delete"):
        extra = {"json": {"title": "x"}} if method == "patch" else {}
        response = getattr(clients["organiser"], method)(path, **extra)
        assert response.status_code == 404, (method, path)
        assert response.get_json()["error"]["code"] == "not_found"


@pytest.mark.parametrize("role", ["attendee", "staff"])
def test_only_organisers_change_the_programme(app, clients, role):
    client = clients[role]
    session_id = make.session(app, "Original")
    assert client.post("/api/sessions", json=body(room="Elsewhere")).status_code == 403
    assert client.patch(f"/api/sessions/{session_id}", json={"title": "Hacked"}).status_code == 403
    assert client.delete(f"/api/sessions/{session_id}").status_code == 403
    schedule = {"schedule": {"conference": {"days": []}}}
    response = client.post("/api/sessions/import", json=schedule)
    assert response.status_code == 403 and response.get_json()["error"]["code"] == "forbidden"
    assert session_count(app) == 1
    assert client.get(f"/api/sessions/{session_id}").get_json()["title"] == "Original"


ANON_ROWS = [("get", "/api/sessions"), ("get", "/api/sessions/1"), ("get", "/api/sessions/live"),
             ("post", "/api/sessions"), ("patch", "/api/sessions/1"), ("delete", "/api/sessions/1"),
             ("post", "/api/sessions/import"), ("get", "/api/me/agenda"), ("put", "/api/me/agenda/1"),
             ("delete", "/api/me/agenda/1"), ("get", "/api/me/agenda.ics")]


@pytest.mark.parametrize("method, path", ANON_ROWS)
def test_anonymous_is_401(app, clients, method, path):
    make.session(app)
    kwargs = {"json": body()} if method in ("post", "patch") else {}
    response = getattr(clients["anon"], method)(path, **kwargs)
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "unauthenticated"
    assert session_count(app) == 1


def test_list_filters_and_order(app, clients):
    a = make.session(app, "Late", start=T0 + timedelta(hours=3), room="Plenary", track="Panel")
    b = make.session(app, "Early", start=T0, room="Plenary", track="Keynote")
    c = make.session(app, "Parallel", start=T0 + timedelta(minutes=30), room="Room Green Deal", track="Green Deal")
    client = clients["attendee"]

    def ids(query=""):
        response = client.get("/api/sessions" + query)
        assert response.status_code == 200, response.get_json()
        return [s["id"] for s in response.get_json()["sessions"]]

    assert ids() == [b, c, a]
    assert ids("?track=Green%20Deal") == [c]
    assert ids("?room=plenary") == [b, a]
    # overlapping the span: the 09:00-10:00 UTC window touches "Early" (08-09) only at its end → not included
    assert ids("?from=" + iso(T0 + timedelta(hours=1)).replace("+", "%2B") + "&to=2020-11-10T10:00:00Z") == [c]
    assert ids("?from=2020-11-10T08:45:00Z&to=2020-11-10T08:50:00Z") == [b, c]
    assert ids("?from=2020-11-10T10:30:00Z") == [a]
    assert ids("?to=2020-11-10T08:00:00Z") == []
    # an unencoded '+' (turned into a space by the query string) still works
    assert ids("?from=2020-11-10T09:45:00+01:00&to=2020-11-10T09:50:00+01:00") == [b, c]
    assert ids("?from=2020-11-10") == [b, c, a]
    assert ids("?from=2020-11-11") == []
    sessions = client.get("/api/sessions").get_json()["sessions"]
    assert all(set(s) == KEYS for s in sessions)


@pytest.mark.parametrize("query", ["?from=yesterday", "?to=2020-13-01T00:00:00Z", "?from=2020-11-10T10:00:00",
                                   "?from=2020-11-10T10:00:00Z&to=2020-11-10T09:00:00Z", "?from=" + "9" * 60])
def test_bad_dates_are_400(clients, query):
    response = clients["attendee"].get("/api/sessions" + query)
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "invalid"


def test_live_and_next_with_injected_now(app):
    from exhibition.schedule import services
    ids = [make.session(app, f"S{i}", start=T0 + timedelta(minutes=30 * i), minutes=45, room=f"R{i % 2}")
           for i in range(14)]
    with app.app_context():
        running, upcoming = services.live_and_next(T0 + timedelta(minutes=40))
        assert [s.id for s in running] == [ids[0], ids[1]]  # 08:00-08:45 and 08:30-09:15
        assert [s.id for s in upcoming] == ids[2:12]  # up to 10, soonest first
        running, upcoming = services.live_and_next(T0 + timedelta(minutes=45))
        assert [s.id for s in running] == [ids[1]]  # ends_at is exclusive
        running, upcoming = services.live_and_next(T0)
        assert [s.id for s in running] == [ids[0]]  # starts_at is inclusive
        assert upcoming[0].id == ids[1]
        running, upcoming = services.live_and_next(T0 + timedelta(days=1))
        assert running == [] and upcoming == []
        assert services.session_dict(db.session.get(services.Session, ids[0]), T0)["live"] is True


def test_live_endpoint(app, clients):
    now = utcnow()
    running = make.session(app, "Running", start=now - timedelta(minutes=10), minutes=30)
    later = make.session(app, "Later", start=now + timedelta(hours=1), minutes=30)
    make.session(app, "Past", start=now - timedelta(hours=3), minutes=30)
    data = clients["attendee"].get("/api/sessions/live").get_json()
    assert [s["id"] for s in data["now"]] == [running] and data["now"][0]["live"] is True
    assert [s["id"] for s in data["next"]] == [later] and data["next"][0]["live"] is False
    assert clients["attendee"].get("/api/sessions").get_json()["sessions"][1]["live"] is True


def test_agenda_is_personal_and_idempotent(app, clients):
    first, second = make.session(app, "First"), make.session(app, "Second", start=T0 + timedelta(hours=2))
    attendee, staff = clients["attendee"], clients["staff"]
    for _ in range(2):
        assert attendee.put(f"/api/me/agenda/{second}").status_code == 204
    assert attendee.put(f"/api/me/agenda/{first}").status_code == 204
    agenda = attendee.get("/api/me/agenda").get_json()["sessions"]
    assert [s["id"] for s in agenda] == [first, second] and set(agenda[0]) == KEYS
    assert staff.get("/api/me/agenda").get_json() == {"sessions": []}
    for _ in range(2):
        assert attendee.delete(f"/api/me/agenda/{first}").status_code == 204
    assert [s["id"] for s in attendee.get("/api/me/agenda").get_json()["sessions"]] == [second]
    assert attendee.put("/api/me/agenda/999").status_code == 404
    assert attendee.delete("/api/me/agenda/999").status_code == 404


def test_agenda_needs_csrf(app, clients):
    session_id = make.session(app)
    response = clients["attendee"].http.put(f"/api/me/agenda/{session_id}")
    assert response.status_code == 403 and response.get_json()["error"]["code"] == "csrf"


def test_session_updated_reaches_the_favouriting_people_only(app, people, clients, socket_client):
    session_id = make.session(app, "Hydrogen valleys")
    make.favourite(app, people["attendee"].id, session_id)
    fan = socket_client(clients["attendee"])
    other = socket_client(clients["staff"])
    assert fan.is_connected() and other.is_connected()
    fan.get_received(), other.get_received()
    assert clients["organiser"].patch(f"/api/sessions/{session_id}", json={"room": "Room Green Deal"}).status_code == 200
    pushed = received(fan, "session_updated")
    assert len(pushed) == 1 and pushed[0]["id"] == session_id and pushed[0]["room"] == "Room Green Deal"
    assert set(KEYS) <= set(pushed[0])
    assert received(other, "session_updated") == []
    # a refused change pushes nothing
    clients["organiser"].patch(f"/api/sessions/{session_id}", json={"ends_at": "nonsense"})
    assert received(fan, "session_updated") == []
    assert clients["organiser"].delete(f"/api/sessions/{session_id}").status_code == 204
    gone = received(fan, "session_updated")
    assert len(gone) == 1 and gone[0]["id"] == session_id and gone[0]["deleted"] is True
    assert received(other, "session_updated") == []


def test_demo_programme_has_no_room_overlaps_and_links_booths(app):
    from sqlalchemy import select

    from exhibition.schedule import demo
    from exhibition.schedule.models import Favourite, Session
    with app.app_context():
        make.user(app, email="anna.becker@example.org", name="Anna Becker", password="demo-pass-2020")
        make.booth(app, "elektromobilitaet-sued-west", name="e-mobil")
        demo.load()
        sessions = list(db.session.scalars(select(Session).order_by(Session.starts_at)))
        assert 20 <= len(sessions) <= 30
        assert {s.starts_at.date().isoformat() for s in sessions} == {"2020-11-10", "2020-11-11"}
        for a in sessions:
            for b in sessions:
                if a.id < b.id and a.room == b.room:
                    assert not (a.starts_at < b.ends_at and b.starts_at < a.ends_at), (a.title, b.title)
        assert any(s.booth and s.booth.slug == "elektromobilitaet-sued-west" for s in sessions)
        assert db.session.scalar(select(db.func.count()).select_from(Favourite)) >= 2


@pytest.mark.parametrize("query", ["?track=%00", "?room=a%00b", "?track=" + "x" * 121])
def test_unstorable_filters_are_400(clients, query):
    response = clients["attendee"].get("/api/sessions" + query)
    assert response.status_code == 400 and response.get_json()["error"]["code"] == "invalid"


@pytest.mark.parametrize("change", [{"booth_slug": "a\x00b"}, {"title": "\ud800"}, {"speakers": ["\ud800"]},
                                    {"room": "x" * 121}, {"booth_slug": ["x"]}])
def test_hostile_session_fields_are_400(app, clients, change):
    response = clients["organiser"].post("/api/sessions", json=body(**change))
    assert response.status_code == 400
    assert session_count(app) == 0
