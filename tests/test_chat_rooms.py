"""Chat rooms over Flask-SocketIO's test client (SPEC §5): joining and leaving, who gets a
message, which rooms exist and who may use them (booth, lobby, session, direct), and the
history. The cast and booths: the ``world`` fixture (tests/conftest.py)."""
from __future__ import annotations

import pytest

from tests import factories as make
from tests.chat_helpers import ack, dm, events, fill, session_room, stored

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
    session = session_room(make.session(app))
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


# ---------------------------------------------------------------- history

def test_history_paging(app, world):
    app.config["CHAT_RATE_LIMIT"] = (0, 0)
    c = world.connect("attendee")
    ids = fill(c, world.booth, 60)
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
