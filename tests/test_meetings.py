"""Meetings: request, accept, decline, cancel, overlaps, pushes, favourite clashes."""
from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from exhibition import realtime
from exhibition.extensions import db
from exhibition.networking.models import Meeting
from tests import factories as make

START, END = "2020-11-10T10:00:00+01:00", "2020-11-10T10:30:00+01:00"


@pytest.fixture
def pushed(monkeypatch):
    """Every realtime.publish call, as (event, payload, room)."""
    calls = []
    monkeypatch.setattr(realtime, "publish",
                        lambda event, payload, room=None, skip_sid=None: calls.append((event, payload, room)))
    return calls


@pytest.fixture
def trio(make_user, client_for):
    ada, ben, cem = make_user(name="Ada"), make_user(name="Ben"), make_user(name="Cem")
    return {"ada": ada, "ben": ben, "cem": cem,
            "a": client_for(ada), "b": client_for(ben), "c": client_for(cem)}


def ask(client, invitee, start=START, end=END, **extra):
    return client.post("/api/meetings", json={"invitee_id": invitee.id, "starts_at": start, "ends_at": end, **extra})


def meeting_count(app):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Meeting))


def status_of(app, meeting_id):
    with app.app_context():
        return db.session.get(Meeting, meeting_id).status


def test_request_answers_201_with_the_pending_meeting(trio, pushed):
    r = ask(trio["a"], trio["ben"], note="  Batteries?  ")
    assert r.status_code == 201
    m = r.get_json()
    assert m["status"] == "pending" and m["note"] == "Batteries?"
    assert m["requester"]["id"] == trio["ada"].id and m["invitee"]["id"] == trio["ben"].id
    assert "email" not in m["requester"] and "email" not in m["invitee"]
    assert m["starts_at"] == "2020-11-10T09:00:00+00:00" and m["ends_at"] == "2020-11-10T09:30:00+00:00"
    assert m["video_url"] is None and m["warnings"] == [] and m["booth_slug"] is None
    assert {room for _, _, room in pushed} == {realtime.user_room(trio["ada"].id), realtime.user_room(trio["ben"].id)}
    assert all(event == "meeting" and payload["id"] == m["id"] for event, payload, _ in pushed)


def test_request_at_a_booth(app, trio):
    make.booth(app, "cluster-x", name="Cluster X")
    r = ask(trio["a"], trio["ben"], booth_slug="cluster-x")
    assert r.status_code == 201 and r.get_json()["booth_slug"] == "cluster-x"
    r = ask(trio["a"], trio["ben"], start="2020-11-10T12:00:00+01:00", end="2020-11-10T12:30:00+01:00",
            booth_slug="no-such-booth")
    assert r.status_code == 404 and r.get_json()["error"]["code"] == "not_found"


@pytest.mark.parametrize("body, status", [
    ({"starts_at": START, "ends_at": END}, 400),                                       # no invitee
    ({"invitee_id": "2", "starts_at": START, "ends_at": END}, 400),                    # not an integer
    ({"invitee_id": True, "starts_at": START, "ends_at": END}, 400),
    ({"invitee_id": 9999, "starts_at": START, "ends_at": END}, 404),                   # nobody
    ({"invitee_id": 10**20, "starts_at": START, "ends_at": END}, 400),                 # beyond any id
    ({"invitee_id": "SELF", "starts_at": START, "ends_at": END}, 400),                 # oneself
    ({"invitee_id": "BEN", "starts_at": END, "ends_at": START}, 400),                  # ends before start
    ({"invitee_id": "BEN", "starts_at": START, "ends_at": START}, 400),                # zero length
    ({"invitee_id": "BEN", "starts_at": "2020-11-10T10:00:00", "ends_at": END}, 400),  # no offset
    ({"invitee_id": "BEN", "starts_at": "tomorrow", "ends_at": END}, 400),
    ({"invitee_id": "BEN", "starts_at": 5, "ends_at": END}, 400),
    ({"invitee_id": "BEN", "ends_at": END}, 400),
    ({"invitee_id": "BEN", "starts_at": START, "ends_at": "2020-11-11T10:00:00+01:00"}, 400),  # > 8 h
    ({"invitee_id": "BEN", "starts_at": START, "ends_at": END, "note": "x" * 501}, 400),
    ({"invitee_id": "BEN", "starts_at": START, "ends_at": END, "note": 7}, 400),
    ({"invitee_id": "BEN", "starts_at": START, "ends_at": END, "booth_slug": 3}, 400),
])
def test_bad_requests_change_nothing(app, trio, pushed, body, status):
    body = dict(body)
    if body.get("invitee_id") == "SELF":
        body["invitee_id"] = trio["ada"].id
    elif body.get("invitee_id") == "BEN":
        body["invitee_id"] = trio["ben"].id
    r = trio["a"].post("/api/meetings", json=body)
    assert r.status_code == status, r.get_json()
    assert r.get_json()["error"]["code"] == {400: "invalid", 404: "not_found"}[status]
    assert meeting_count(app) == 0 and pushed == []


def test_body_must_be_an_object_and_login_and_csrf_are_needed(app, trio, anon):
    assert trio["a"].post("/api/meetings", json=[1]).status_code == 400
    r = anon.post("/api/meetings", json={"invitee_id": trio["ben"].id, "starts_at": START, "ends_at": END})
    assert r.status_code == 401
    r = trio["a"].post("/api/meetings", json={"invitee_id": trio["ben"].id, "starts_at": START, "ends_at": END},
                       headers={"X-CSRFToken": "wrong"})
    assert r.status_code == 403 and r.get_json()["error"]["code"] == "csrf"
    assert meeting_count(app) == 0


def test_accept_gives_both_the_video_link_and_pushes_to_both(app, trio, pushed):
    meeting_id = ask(trio["a"], trio["ben"]).get_json()["id"]
    pushed.clear()
    r = trio["b"].post(f"/api/meetings/{meeting_id}/accept")
    assert r.status_code == 200
    m = r.get_json()
    assert m["status"] == "accepted"
    assert m["video_url"].startswith("https://meet.jit.si/") and len(m["video_url"]) > len("https://meet.jit.si/") + 20
    assert {room for _, _, room in pushed} == {realtime.user_room(trio["ada"].id), realtime.user_room(trio["ben"].id)}
    assert all(p["status"] == "accepted" and p["video_url"] == m["video_url"] for _, p, _ in pushed)
    listed = trio["a"].get("/api/me/meetings").get_json()["meetings"]
    assert [x["id"] for x in listed] == [meeting_id] and listed[0]["video_url"] == m["video_url"]
    assert trio["c"].get("/api/me/meetings").get_json() == {"meetings": []}


def test_video_rooms_are_unguessable_and_distinct(app, trio):
    first = ask(trio["a"], trio["ben"]).get_json()["id"]
    second = ask(trio["a"], trio["cem"]).get_json()["id"]
    with app.app_context():
        rooms = {db.session.get(Meeting, i).video_room for i in (first, second)}
    assert len(rooms) == 2 and all(len(room) >= 30 for room in rooms)


def test_only_the_invitee_accepts_or_declines(app, trio, pushed):
    meeting_id = ask(trio["a"], trio["ben"]).get_json()["id"]
    pushed.clear()
    for client in (trio["a"], trio["c"]):
        for action in ("accept", "decline"):
            r = client.post(f"/api/meetings/{meeting_id}/{action}")
            assert r.status_code == 403 and r.get_json()["error"]["code"] == "forbidden"
    r = trio["c"].post(f"/api/meetings/{meeting_id}/cancel")
    assert r.status_code == 403
    assert trio["c"].get(f"/api/meetings/{meeting_id}").status_code == 403
    assert status_of(app, meeting_id) == "pending" and pushed == []


def test_unknown_meeting_is_404(trio):
    for action in ("accept", "decline", "cancel"):
        r = trio["a"].post(f"/api/meetings/999/{action}")
        assert r.status_code == 404 and r.get_json()["error"]["code"] == "not_found"
    assert trio["a"].get("/api/meetings/999").status_code == 404
    assert trio["a"].post(f"/api/meetings/{10**20}/accept").status_code == 404


def test_decline_and_cancel(app, trio):
    declined = ask(trio["a"], trio["ben"]).get_json()["id"]
    r = trio["b"].post(f"/api/meetings/{declined}/decline")
    assert r.status_code == 200 and r.get_json()["status"] == "declined"
    assert trio["b"].post(f"/api/meetings/{declined}/accept").status_code == 409
    assert trio["a"].post(f"/api/meetings/{declined}/cancel").status_code == 409
    assert status_of(app, declined) == "declined"

    by_requester = ask(trio["a"], trio["ben"], start="2020-11-10T11:00:00+01:00", end="2020-11-10T11:30:00+01:00")
    mid = by_requester.get_json()["id"]
    r = trio["a"].post(f"/api/meetings/{mid}/cancel")
    assert r.status_code == 200 and r.get_json()["status"] == "cancelled"
    r = trio["b"].post(f"/api/meetings/{mid}/accept")
    assert r.status_code == 409 and r.get_json()["error"]["code"] == "conflict"
    assert status_of(app, mid) == "cancelled"
    assert trio["a"].post(f"/api/meetings/{mid}/cancel").get_json()["status"] == "cancelled"  # again: unchanged

    accepted = ask(trio["a"], trio["ben"], start="2020-11-10T12:00:00+01:00", end="2020-11-10T12:30:00+01:00")
    aid = accepted.get_json()["id"]
    assert trio["b"].post(f"/api/meetings/{aid}/accept").status_code == 200
    assert trio["b"].post(f"/api/meetings/{aid}/decline").status_code == 409
    r = trio["b"].post(f"/api/meetings/{aid}/cancel")  # the invitee may cancel too
    assert r.status_code == 200 and r.get_json()["status"] == "cancelled" and r.get_json()["video_url"] is None


def test_overlap_with_an_accepted_meeting_is_409_on_request(app, trio, pushed):
    mid = ask(trio["a"], trio["ben"]).get_json()["id"]
    trio["b"].post(f"/api/meetings/{mid}/accept")
    before, pushes = meeting_count(app), len(pushed)
    # Cem asks Ada (the requester) and Ben (the invitee) for overlapping times.
    r = ask(trio["c"], trio["ada"], start="2020-11-10T10:15:00+01:00", end="2020-11-10T10:45:00+01:00")
    assert r.status_code == 409 and r.get_json()["error"]["code"] == "conflict"
    assert ask(trio["c"], trio["ben"], start="2020-11-10T09:45:00+01:00", end="2020-11-10T10:05:00+01:00").status_code == 409
    assert ask(trio["b"], trio["cem"]).status_code == 409  # Ben asking for the same slot himself
    assert meeting_count(app) == before and len(pushed) == pushes
    # Back to back is fine; a pending meeting blocks nothing.
    assert ask(trio["c"], trio["ada"], start="2020-11-10T10:30:00+01:00", end="2020-11-10T11:00:00+01:00").status_code == 201
    assert ask(trio["c"], trio["ada"], start="2020-11-10T10:45:00+01:00", end="2020-11-10T11:15:00+01:00").status_code == 201


def test_overlap_is_checked_again_on_accept(app, trio):
    first = ask(trio["a"], trio["ben"]).get_json()["id"]
    second = ask(trio["c"], trio["ben"], start="2020-11-10T10:20:00+01:00", end="2020-11-10T10:50:00+01:00").get_json()["id"]
    third = ask(trio["c"], trio["ada"], start="2020-11-10T09:50:00+01:00", end="2020-11-10T10:10:00+01:00").get_json()["id"]
    assert trio["b"].post(f"/api/meetings/{first}/accept").status_code == 200
    r = trio["b"].post(f"/api/meetings/{second}/accept")  # Ben is busy then
    assert r.status_code == 409 and status_of(app, second) == "pending"
    r = trio["a"].post(f"/api/meetings/{third}/accept")   # so is Ada (the other meeting's requester)
    assert r.status_code == 409 and status_of(app, third) == "pending"
    assert trio["a"].post(f"/api/meetings/{first}/cancel").status_code == 200
    assert trio["b"].post(f"/api/meetings/{second}/accept").status_code == 200


def test_favourite_clash_warnings(app, trio):
    talk_id = make.session(app, "Green Deal keynote", start=datetime(2020, 11, 10, 9, 15, tzinfo=UTC),
                           end=datetime(2020, 11, 10, 10, 0, tzinfo=UTC), room="Main")
    later = make.session(app, "Later talk", start=datetime(2020, 11, 10, 9, 30, tzinfo=UTC),
                         end=datetime(2020, 11, 10, 10, 0, tzinfo=UTC), room="Side")
    make.favourite(app, trio["ada"], talk_id)
    make.favourite(app, trio["ben"], talk_id)
    make.favourite(app, trio["ada"], later)
    r = ask(trio["a"], trio["ben"])  # 09:00–09:30 UTC: overlaps the keynote, touches the later talk's start
    assert r.status_code == 201
    warnings = r.get_json()["warnings"]
    assert [(w["type"], w["who"], w["session_id"], w["title"]) for w in warnings] == [
        ("favourite_clash", "requester", talk_id, "Green Deal keynote"),
        ("favourite_clash", "invitee", talk_id, "Green Deal keynote"),
    ]
    r = ask(trio["a"], trio["cem"], start="2020-11-10T08:00:00+01:00", end="2020-11-10T08:30:00+01:00")
    assert r.get_json()["warnings"] == []


def test_accepted_meetings_for(app, trio):
    from exhibition.networking.services import accepted_meetings_for

    late = ask(trio["a"], trio["ben"], start="2020-11-10T15:00:00+01:00", end="2020-11-10T15:30:00+01:00").get_json()["id"]
    early = ask(trio["c"], trio["ada"]).get_json()["id"]
    ask(trio["a"], trio["cem"], start="2020-11-10T17:00:00+01:00", end="2020-11-10T17:30:00+01:00")  # stays pending
    trio["b"].post(f"/api/meetings/{late}/accept")
    trio["a"].post(f"/api/meetings/{early}/accept")
    with app.app_context():
        meetings = accepted_meetings_for(trio["ada"].id)
        assert [m.id for m in meetings] == [early, late]
        assert meetings[0].requester.display_name == "Cem" and meetings[0].invitee.display_name == "Ada"
        assert meetings[0].video_url.startswith("https://meet.jit.si/ecc2020-")
        assert [m.id for m in accepted_meetings_for(trio["ben"].id)] == [late]


def test_meeting_pushes_reach_both_people_over_socketio(app, trio):
    """With the chat area's connect handler in place, each connection sits in its
    person's user room and receives `meeting`
    (test_request_answers_201… checks the publish calls)."""
    from exhibition.extensions import socketio

    ada_socket = socketio.test_client(app, flask_test_client=trio["a"].http)
    ben_socket = socketio.test_client(app, flask_test_client=trio["b"].http)
    cem_socket = socketio.test_client(app, flask_test_client=trio["c"].http)
    assert ada_socket.is_connected() and ben_socket.is_connected()
    for s in (ada_socket, ben_socket, cem_socket):
        s.get_received()
    mid = ask(trio["a"], trio["ben"]).get_json()["id"]
    trio["b"].post(f"/api/meetings/{mid}/accept")

    def meetings(s):
        return [e["args"][0] for e in s.get_received() if e["name"] == "meeting"]

    got_ada, got_ben = meetings(ada_socket), meetings(ben_socket)
    assert [m["status"] for m in got_ada] == ["pending", "accepted"]
    assert [m["status"] for m in got_ben] == ["pending", "accepted"]
    assert meetings(cem_socket) == []
    for s in (ada_socket, ben_socket, cem_socket):
        s.disconnect()


def test_demo_meetings_between_the_demo_people(app):
    from exhibition.demo import _people
    from exhibition.networking import demo

    with app.app_context():
        _people()
        demo.load()
        meetings = db.session.scalars(select(Meeting).order_by(Meeting.id)).all()
        assert [(m.requester.display_name, m.invitee.display_name, m.status) for m in meetings] == [
            ("Anna Becker", "Piotr Nowak", "accepted"), ("Lucía Romano", "Anna Becker", "pending")]
        assert meetings[0].starts_at == datetime(2020, 11, 10, 11, 30, tzinfo=UTC)
