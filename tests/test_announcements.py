"""Announcements (SPEC §4, §5): organisers post them over HTTP, every open connection gets
them at once, everyone logged in reads them latest first; nobody else may post.
The cast: the ``world`` fixture (tests/conftest.py)."""
from __future__ import annotations

import pytest

from tests.chat_helpers import events

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
