"""SPEC §5 over Flask-SocketIO's test client, by role: attendee, staff of this booth,
staff of another booth, organiser."""
from __future__ import annotations

import pytest

from exhibition.chat.models import Message
from exhibition.extensions import db
from tests.chat_helpers import ack, dm, events, make_booth, make_session

BAD_PAYLOADS = [None, "booth:x", 42, ["lobby"], True]
ALL_EVENTS = ["join", "leave", "send", "history", "typing", "delete_message", "mute"]


@pytest.fixture
def world(app, make_user, client_for, socket_client):
    """A booth with its staff member, another booth's staff, an attendee, an organiser."""
    people = {
        "attendee": make_user("attendee"),
        "attendee2": make_user("attendee"),
        "staff": make_user("staff"),
        "other_staff": make_user("staff"),
        "organiser": make_user("organiser"),
    }
    room = make_booth(app, "elektromobilitaet-sued-west", staff=[people["staff"]])
    make_booth(app, "hydrogen-valley", staff=[people["other_staff"]])

    class World:
        booth = room
        user = people

        @staticmethod
        def connect(name, headers=None):
            return socket_client(client_for(people[name]), headers=headers)

    return World


def stored(app):
    with app.app_context():
        return [(m.room, m.body, m.client_id) for m in db.session.query(Message).order_by(Message.id)]


# ---------------------------------------------------------------- connecting

def test_unauthenticated_connection_is_refused(socket_client):
    assert not socket_client(None).is_connected()


def test_logged_in_connection_is_accepted(world):
    assert world.connect("attendee").is_connected()


@pytest.mark.parametrize("origin", ["https://evil.example", "http://localhost.evil.example"])
def test_foreign_origin_is_refused(world, origin):
    assert not world.connect("attendee", headers={"Origin": origin}).is_connected()


def test_same_origin_is_accepted(world):
    assert world.connect("attendee", headers={"Origin": "http://localhost"}).is_connected()


def test_origin_listed_in_cors_origins_is_accepted(app, world):
    app.config["CORS_ORIGINS"] = ["https://partner.example"]
    assert world.connect("attendee", headers={"Origin": "https://partner.example"}).is_connected()
    assert not world.connect("attendee", headers={"Origin": "https://evil.example"}).is_connected()
    # same origin stays allowed when CORS_ORIGINS is set
    assert world.connect("attendee", headers={"Origin": "http://localhost"}).is_connected()


# ---------------------------------------------------------------- join, send, history

def test_join_answers_history_and_present_list(world):
    visitor, staff = world.connect("attendee"), world.connect("staff")
    assert ack(staff, "join", {"room": world.booth})["ok"]
    assert ack(staff, "send", {"room": world.booth, "body": "Welcome!", "client_id": "c1"})["ok"]
    answer = ack(visitor, "join", {"room": world.booth})
    assert answer["ok"] and answer["room"] == world.booth
    assert [m["body"] for m in answer["history"]] == ["Welcome!"]
    present = {u["id"] for u in answer["present"]}
    assert present == {world.user["attendee"].id, world.user["staff"].id}
    assert set(answer["present"][0]) >= {"id", "display_name", "role"}


def test_both_members_get_the_message_sender_included(app, world):
    a, b = world.connect("attendee"), world.connect("attendee2")
    for c in (a, b):
        ack(c, "join", {"room": world.booth})
        c.get_received()
    answer = ack(a, "send", {"room": world.booth, "body": "  Hello booth  ", "client_id": "x-1"})
    assert answer["ok"]
    message = answer["message"]
    assert set(message) == {"id", "room", "body", "sender", "created_at", "client_id", "deleted"}
    assert message["body"] == "Hello booth" and message["deleted"] is False and message["client_id"] == "x-1"
    assert message["sender"] == {"id": world.user["attendee"].id,
                                 "display_name": world.user["attendee"].display_name, "role": "attendee"}
    assert events(a, "message") == [message]
    assert events(b, "message") == [message]
    assert stored(app) == [(world.booth, "Hello booth", "x-1")]


def test_send_without_joining_is_forbidden_and_stores_nothing(app, world):
    c = world.connect("attendee")
    answer = ack(c, "send", {"room": world.booth, "body": "hi", "client_id": "a"})
    assert answer == {"ok": False, "error": {"code": "forbidden", "message": answer["error"]["message"]}}
    assert stored(app) == []


def test_after_leave_send_is_forbidden(world):
    c = world.connect("attendee")
    ack(c, "join", {"room": world.booth})
    assert ack(c, "leave", {"room": world.booth}) == {"ok": True}
    assert ack(c, "send", {"room": world.booth, "body": "hi", "client_id": "a"})["error"]["code"] == "forbidden"


@pytest.mark.parametrize("room, code", [
    ("booth:nope", "not_found"), ("session:999", "not_found"), ("session:abc", "invalid"),
    ("garden:1", "invalid"), ("", "invalid"), (5, "invalid"), (None, "invalid"), ("x" * 200, "invalid"),
])
def test_join_and_history_of_bad_rooms(world, room, code):
    c = world.connect("attendee")
    assert ack(c, "join", {"room": room})["error"]["code"] == code
    assert ack(c, "history", {"room": room})["error"]["code"] == code
    assert ack(c, "send", {"room": room, "body": "x", "client_id": "z"})["error"]["code"] == code


def test_lobby_and_session_rooms_are_open_to_every_user(app, world):
    session = make_session(app)
    c = world.connect("attendee")
    for room in ("lobby", session):
        assert ack(c, "join", {"room": room})["ok"]
        assert ack(c, "send", {"room": room, "body": "hello", "client_id": room})["ok"]
        assert [m["body"] for m in ack(c, "history", {"room": room})["messages"]] == ["hello"]


# ---------------------------------------------------------------- direct messages

def test_dm_only_for_the_two(world):
    a, b, o = world.user["attendee"], world.user["staff"], world.user["organiser"]
    room = dm(a, b)
    assert ack(world.connect("attendee"), "join", {"room": room})["ok"]
    assert ack(world.connect("staff"), "join", {"room": room})["ok"]
    outsider = world.connect("organiser")
    assert ack(outsider, "join", {"room": room})["error"]["code"] == "forbidden"
    assert ack(outsider, "history", {"room": room})["error"]["code"] == "forbidden"
    assert ack(outsider, "send", {"room": room, "body": "x", "client_id": "q"})["error"]["code"] == "forbidden"
    assert o.id not in (a.id, b.id)


def test_dm_room_names_must_be_canonical_and_people_exist(world):
    a, b = world.user["attendee"], world.user["staff"]
    c = world.connect("attendee")
    high, low = max(a.id, b.id), min(a.id, b.id)
    assert ack(c, "join", {"room": f"dm:{high}:{low}"})["error"]["code"] == "invalid"
    assert ack(c, "join", {"room": f"dm:{a.id}:{a.id}"})["error"]["code"] == "invalid"
    assert ack(c, "join", {"room": f"dm:{a.id}"})["error"]["code"] == "invalid"
    assert ack(c, "join", {"room": f"dm:{a.id}:99999"})["error"]["code"] == "not_found"


def test_dm_reaches_the_other_person_who_has_not_joined_exactly_once(world):
    a, b = world.connect("attendee"), world.connect("staff")
    room = dm(world.user["attendee"], world.user["staff"])
    ack(a, "join", {"room": room})
    a.get_received(), b.get_received()
    message = ack(a, "send", {"room": room, "body": "Can we talk?", "client_id": "dm1"})["message"]
    assert events(b, "message") == [message]
    assert events(a, "message") == [message]  # once, although in the room and in the personal room
    ack(b, "join", {"room": room})
    b.get_received()
    ack(a, "send", {"room": room, "body": "again", "client_id": "dm2"})
    assert len(events(b, "message")) == 1


def test_dm_not_delivered_to_third_people(world):
    a, outsider = world.connect("attendee"), world.connect("attendee2")
    room = dm(world.user["attendee"], world.user["staff"])
    ack(a, "join", {"room": room})
    outsider.get_received()
    ack(a, "send", {"room": room, "body": "private", "client_id": "p"})
    assert events(outsider, "message") == []


# ---------------------------------------------------------------- body and payload rules

@pytest.mark.parametrize("body, code", [
    ("", "invalid"), ("   \n\t ", "invalid"), (None, "invalid"), (42, "invalid"), (["a"], "invalid"),
    ({"t": "x"}, "invalid"), ("x" * 2001, "too_large"), ("\x00", "invalid"),
])
def test_bad_bodies_get_their_code_and_store_nothing(app, world, body, code):
    c = world.connect("attendee")
    ack(c, "join", {"room": world.booth})
    payload = {"room": world.booth, "client_id": "b"}
    if body is not None:
        payload["body"] = body
    assert ack(c, "send", payload)["error"]["code"] == code
    assert stored(app) == []
    assert ack(c, "send", {"room": world.booth, "body": "still works", "client_id": "ok"})["ok"]


def test_body_of_exactly_2000_characters_after_trimming_is_fine(world):
    c = world.connect("attendee")
    ack(c, "join", {"room": world.booth})
    answer = ack(c, "send", {"room": world.booth, "body": "  " + "é" * 2000 + "  ", "client_id": "long"})
    assert answer["ok"] and len(answer["message"]["body"]) == 2000


def test_markup_is_stored_as_sent(world):
    c = world.connect("attendee")
    ack(c, "join", {"room": world.booth})
    body = "<script>alert(1)</script> & <b>bold</b>"
    assert ack(c, "send", {"room": world.booth, "body": body, "client_id": "m"})["message"]["body"] == body


@pytest.mark.parametrize("client_id", ["", "   ", 5, ["a"], "x" * 101])
def test_bad_client_ids_are_invalid(world, client_id):
    c = world.connect("attendee")
    ack(c, "join", {"room": world.booth})
    assert ack(c, "send", {"room": world.booth, "body": "hi", "client_id": client_id})["error"]["code"] == "invalid"


def test_missing_client_id_gets_one_from_the_server(world):
    c = world.connect("attendee")
    ack(c, "join", {"room": world.booth})
    message = ack(c, "send", {"room": world.booth, "body": "hi"})["message"]
    assert isinstance(message["client_id"], str) and message["client_id"]


@pytest.mark.parametrize("event", ALL_EVENTS)
@pytest.mark.parametrize("payload", BAD_PAYLOADS)
def test_non_object_payloads_are_invalid_and_the_connection_keeps_working(world, event, payload):
    c = world.connect("attendee")
    answer = ack(c, event, payload)
    assert answer["ok"] is False and answer["error"]["code"] == "invalid"
    assert c.is_connected()
    assert ack(c, "join", {"room": world.booth})["ok"]


@pytest.mark.parametrize("event", ALL_EVENTS)
def test_no_payload_at_all_is_invalid(world, event):
    c = world.connect("attendee")
    assert ack(c, event)["error"]["code"] == "invalid"


# ---------------------------------------------------------------- idempotency

def test_same_client_id_returns_the_stored_message_and_broadcasts_nothing(app, world):
    a, b = world.connect("attendee"), world.connect("attendee2")
    for c in (a, b):
        ack(c, "join", {"room": world.booth})
    first = ack(a, "send", {"room": world.booth, "body": "once", "client_id": "same"})["message"]
    a.get_received(), b.get_received()
    again = ack(a, "send", {"room": world.booth, "body": "once", "client_id": "same"})
    assert again == {"ok": True, "message": first}
    assert events(a, "message") == [] and events(b, "message") == []
    assert len(stored(app)) == 1


def test_client_ids_are_per_sender(app, world):
    a, b = world.connect("attendee"), world.connect("attendee2")
    for c in (a, b):
        ack(c, "join", {"room": world.booth})
    assert ack(a, "send", {"room": world.booth, "body": "a", "client_id": "same"})["ok"]
    assert ack(b, "send", {"room": world.booth, "body": "b", "client_id": "same"})["message"]["body"] == "b"
    assert len(stored(app)) == 2


# ---------------------------------------------------------------- history

def _fill(client, room, n):
    ack(client, "join", {"room": room})
    return [ack(client, "send", {"room": room, "body": f"m{i}", "client_id": f"f{i}"})["message"]["id"]
            for i in range(n)]


def test_history_paging(app, world):
    app.config["CHAT_RATE_LIMIT"] = (0, 0)
    c = world.connect("attendee")
    ids = _fill(c, world.booth, 60)
    assert ids == sorted(ids)
    newest = ack(c, "history", {"room": world.booth})["messages"]
    assert [m["id"] for m in newest] == ids[-50:]
    before = ack(c, "history", {"room": world.booth, "before_id": ids[10], "limit": 5})["messages"]
    assert [m["id"] for m in before] == ids[5:10]
    after = ack(c, "history", {"room": world.booth, "after_id": ids[10], "limit": 5})["messages"]
    assert [m["id"] for m in after] == ids[11:16]
    assert [m["id"] for m in ack(c, "history", {"room": world.booth, "after_id": ids[-1]})["messages"]] == []
    assert len(ack(c, "history", {"room": world.booth, "limit": 100})["messages"]) == 60
    join = ack(c, "join", {"room": world.booth})
    assert [m["id"] for m in join["history"]] == ids[-50:]


@pytest.mark.parametrize("extra", [
    {"limit": 101}, {"limit": 0}, {"limit": -1}, {"limit": "5"}, {"limit": 2.5}, {"before_id": "x"},
    {"after_id": -3}, {"after_id": True}, {"before_id": 5, "after_id": 1},
])
def test_bad_history_arguments_are_invalid(world, extra):
    c = world.connect("attendee")
    assert ack(c, "history", {"room": world.booth, **extra})["error"]["code"] == "invalid"


def test_history_does_not_need_joining_but_needs_the_right(world):
    staff = world.connect("staff")
    room = dm(world.user["staff"], world.user["attendee"])
    ack(staff, "join", {"room": room})
    ack(staff, "send", {"room": room, "body": "hi", "client_id": "h"})
    assert len(ack(world.connect("attendee"), "history", {"room": room})["messages"]) == 1
    assert ack(world.connect("attendee2"), "history", {"room": room})["error"]["code"] == "forbidden"


# ---------------------------------------------------------------- delete

def _one_message(world, author="attendee"):
    c = world.connect(author)
    ack(c, "join", {"room": world.booth})
    return c, ack(c, "send", {"room": world.booth, "body": "to delete", "client_id": "d"})["message"]


@pytest.mark.parametrize("who, allowed", [
    ("attendee", True), ("staff", True), ("organiser", True), ("attendee2", False), ("other_staff", False),
])
def test_delete_permissions(world, who, allowed):
    author, message = _one_message(world)
    actor = author if who == "attendee" else world.connect(who)
    watcher = world.connect("attendee2") if who != "attendee2" else world.connect("organiser")
    ack(watcher, "join", {"room": world.booth})
    watcher.get_received()
    answer = ack(actor, "delete_message", {"id": message["id"]})
    history = ack(author, "history", {"room": world.booth})["messages"]
    if allowed:
        assert answer == {"ok": True}
        assert events(watcher, "message_deleted") == [{"id": message["id"], "room": world.booth}]
        assert history[0]["deleted"] is True and history[0]["body"] is None
    else:
        assert answer["error"]["code"] == "forbidden"
        assert events(watcher, "message_deleted") == []
        assert history[0]["deleted"] is False and history[0]["body"] == "to delete"


@pytest.mark.parametrize("payload, code", [({"id": 99999}, "not_found"), ({"id": "1"}, "invalid"), ({}, "invalid")])
def test_delete_bad_ids(world, payload, code):
    assert ack(world.connect("organiser"), "delete_message", payload)["error"]["code"] == code


def test_dm_messages_cannot_be_deleted_by_outsiders_but_by_organisers(world):
    a = world.connect("attendee")
    room = dm(world.user["attendee"], world.user["staff"])
    ack(a, "join", {"room": room})
    message = ack(a, "send", {"room": room, "body": "x", "client_id": "dd"})["message"]
    assert ack(world.connect("attendee2"), "delete_message", {"id": message["id"]})["error"]["code"] == "not_found"
    assert ack(world.connect("organiser"), "delete_message", {"id": message["id"]}) == {"ok": True}


def test_session_room_linked_to_a_booth_is_moderated_by_its_staff(app, world):
    room = make_session(app, "elektromobilitaet-sued-west")
    c = world.connect("attendee")
    ack(c, "join", {"room": room})
    message = ack(c, "send", {"room": room, "body": "q", "client_id": "s"})["message"]
    assert ack(world.connect("other_staff"), "delete_message", {"id": message["id"]})["error"]["code"] == "forbidden"
    assert ack(world.connect("staff"), "delete_message", {"id": message["id"]}) == {"ok": True}


# ---------------------------------------------------------------- mute

@pytest.mark.parametrize("who, allowed", [
    ("staff", True), ("organiser", True), ("attendee2", False), ("other_staff", False),
])
def test_mute_permissions_and_effect(app, world, who, allowed):
    target = world.connect("attendee")
    ack(target, "join", {"room": world.booth})
    target.get_received()
    answer = ack(world.connect(who), "mute", {"room": world.booth, "user_id": world.user["attendee"].id,
                                              "minutes": 10})
    send = ack(target, "send", {"room": world.booth, "body": "let me talk", "client_id": "mm"})
    if allowed:
        assert answer == {"ok": True}
        muted = events(target, "muted")
        assert len(muted) == 1 and muted[0]["room"] == world.booth and "T" in muted[0]["until"]
        assert send["error"]["code"] == "muted"
        assert stored(app) == []
    else:
        assert answer["error"]["code"] == "forbidden"
        assert send["ok"]


def test_mute_is_per_room(app, world):
    session = make_session(app)
    target = world.connect("attendee")
    ack(world.connect("staff"), "mute", {"room": world.booth, "user_id": world.user["attendee"].id, "minutes": 5})
    ack(target, "join", {"room": session})
    assert ack(target, "send", {"room": session, "body": "elsewhere", "client_id": "e"})["ok"]


@pytest.mark.parametrize("extra, code", [
    ({"minutes": 0}, "invalid"), ({"minutes": 100000}, "invalid"), ({"minutes": "5"}, "invalid"),
    ({"user_id": "1"}, "invalid"), ({"user_id": 99999}, "not_found"), ({"room": "booth:none"}, "not_found"),
])
def test_mute_bad_arguments(world, extra, code):
    payload = {"room": world.booth, "user_id": world.user["attendee"].id, "minutes": 5, **extra}
    assert ack(world.connect("organiser"), "mute", payload)["error"]["code"] == code


def test_staff_cannot_mute_organisers_but_organisers_can_mute_staff(world):
    payload = {"room": world.booth, "minutes": 5}
    staff, organiser = world.connect("staff"), world.connect("organiser")
    assert ack(staff, "mute", {**payload, "user_id": world.user["organiser"].id})["error"]["code"] == "forbidden"
    assert ack(organiser, "mute", {**payload, "user_id": world.user["staff"].id}) == {"ok": True}


def test_lobby_and_dm_are_moderated_by_organisers_only(world):
    payload = {"room": "lobby", "user_id": world.user["attendee"].id, "minutes": 5}
    assert ack(world.connect("staff"), "mute", payload)["error"]["code"] == "forbidden"
    assert ack(world.connect("organiser"), "mute", payload) == {"ok": True}


# ---------------------------------------------------------------- flood

def test_eleventh_message_in_ten_seconds_is_refused_and_not_stored(app, world):
    a, b = world.connect("attendee"), world.connect("attendee2")
    ack(a, "join", {"room": world.booth})
    ack(b, "join", {"room": world.booth})
    for i in range(10):
        assert ack(a, "send", {"room": world.booth, "body": f"{i}", "client_id": f"r{i}"})["ok"]
    assert ack(a, "send", {"room": world.booth, "body": "11th", "client_id": "r10"})["error"]["code"] == "rate_limited"
    assert "11th" not in [body for _, body, _ in stored(app)]
    assert ack(b, "send", {"room": world.booth, "body": "me too", "client_id": "b"})["ok"]
    ack(a, "join", {"room": "lobby"})
    assert ack(a, "send", {"room": "lobby", "body": "other room", "client_id": "lob"})["ok"]


def test_rate_limit_can_be_switched_off(app, world):
    app.config["CHAT_RATE_LIMIT"] = (0, 0)
    assert len(_fill(world.connect("attendee"), world.booth, 15)) == 15


# ---------------------------------------------------------------- presence and typing

def test_presence_joined_and_left_and_tabs(world):
    staff, visitor = world.connect("staff"), world.connect("attendee")
    ack(staff, "join", {"room": world.booth})
    staff.get_received()
    ack(visitor, "join", {"room": world.booth})
    joined = events(staff, "presence")
    assert joined == [{"room": world.booth, "user": joined[0]["user"], "status": "joined"}]
    assert joined[0]["user"]["id"] == world.user["attendee"].id
    second_tab = world.connect("attendee")
    ack(second_tab, "join", {"room": world.booth})
    assert events(staff, "presence") == []  # the person was already here
    ack(visitor, "leave", {"room": world.booth})
    assert events(staff, "presence") == []  # still here in another tab
    second_tab.disconnect()
    left = events(staff, "presence")
    assert [(p["user"]["id"], p["status"]) for p in left] == [(world.user["attendee"].id, "left")]
    present = ack(world.connect("organiser"), "join", {"room": world.booth})["present"]
    assert {u["id"] for u in present} == {world.user["staff"].id, world.user["organiser"].id}


def test_typing_goes_to_the_others_not_to_the_typist(world):
    a, b = world.connect("attendee"), world.connect("staff")
    for c in (a, b):
        ack(c, "join", {"room": world.booth})
        c.get_received()
    assert ack(a, "typing", {"room": world.booth}) == {"ok": True}
    assert events(a, "typing") == []
    typing = events(b, "typing")
    assert len(typing) == 1 and typing[0]["room"] == world.booth
    assert typing[0]["user"]["id"] == world.user["attendee"].id
    assert ack(world.connect("attendee2"), "typing", {"room": world.booth})["error"]["code"] == "forbidden"


def test_online_presence_follows_connections(world):
    from exhibition.presence import is_online
    c = world.connect("attendee")
    assert is_online(world.user["attendee"].id)
    c.disconnect()
    assert not is_online(world.user["attendee"].id)


# ---------------------------------------------------------------- announcements

def test_announcement_by_organiser_is_pushed_to_every_connection(world, client_for):
    listeners = [world.connect("attendee"), world.connect("staff")]
    for c in listeners:
        c.get_received()
    response = client_for(world.user["organiser"]).post("/api/announcements", json={"body": "  Keynote in 5 minutes  "})
    assert response.status_code == 201
    data = response.get_json()
    assert set(data) == {"id", "body", "created_at"} and data["body"] == "Keynote in 5 minutes"
    for c in listeners:
        assert events(c, "announcement") == [data]
    listed = client_for(world.user["attendee"]).get("/api/announcements").get_json()
    assert listed == {"announcements": [data]}


@pytest.mark.parametrize("who", ["attendee", "staff"])
def test_announcement_forbidden_for_others(world, client_for, who):
    listener = world.connect("attendee2")
    listener.get_received()
    response = client_for(world.user[who]).post("/api/announcements", json={"body": "Free beer"})
    assert response.status_code == 403 and response.get_json()["error"]["code"] == "forbidden"
    assert events(listener, "announcement") == []
    assert client_for(world.user[who]).get("/api/announcements").get_json() == {"announcements": []}


@pytest.mark.parametrize("body", [{}, {"body": ""}, {"body": "   "}, {"body": 5}, {"body": "x" * 2001}])
def test_announcement_bad_bodies(world, client_for, body):
    organiser = client_for(world.user["organiser"])
    response = organiser.post("/api/announcements", json=body)
    assert response.status_code == 400 and response.get_json()["error"]["code"] == "invalid"
    assert organiser.get("/api/announcements").get_json() == {"announcements": []}


def test_announcements_need_login_and_come_latest_first(world, client_for, anon):
    assert anon.get("/api/announcements").status_code == 401
    organiser = client_for(world.user["organiser"])
    for body in ("first", "second"):
        organiser.post("/api/announcements", json={"body": body})
    listed = organiser.get("/api/announcements").get_json()["announcements"]
    assert [a["body"] for a in listed] == ["second", "first"]


def test_disconnect_local_closes_that_persons_connections(world):
    from exhibition.presence import is_online
    from exhibition.realtime import disconnect_local
    mine, theirs = world.connect("attendee"), world.connect("attendee2")
    assert disconnect_local(world.user["attendee"].id) == 1
    assert not is_online(world.user["attendee"].id) and is_online(world.user["attendee2"].id)
    assert theirs.is_connected()
    assert not mine.is_connected()


def test_a_deleted_account_on_an_open_socket_gets_a_contract_error(world, app):
    """SPEC §5 lists the socket error codes; "unauthenticated" is not one of them."""
    from exhibition.accounts.models import User
    sock = world.connect("attendee")
    assert ack(sock, "join", {"room": "lobby"})["ok"]
    with app.app_context():
        db.session.delete(db.session.get(User, world.user["attendee"].id))
        db.session.commit()
    for event, payload in (("send", {"room": "lobby", "body": "still here?", "client_id": "gone-1"}),
                           ("history", {"room": "lobby"}), ("typing", {"room": "lobby"})):
        answer = ack(sock, event, payload)
        assert answer["ok"] is False and answer["error"]["code"] == "forbidden", (event, answer)
    assert stored(app) == []
