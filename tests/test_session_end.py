"""Rights end at once: a person removed from a booth's staff loses its powers on the
very next request and socket event (no re-login, no reconnect), and logging out
disconnects that person's open sockets."""
from __future__ import annotations

from tests import factories as make


def test_removed_staff_loses_moderation_at_once_also_on_an_open_socket(app, make_user, client_for, socket_client):
    staff, visitor, organiser = make_user("staff"), make_user(), make_user("organiser")
    room = make.booth(app, "alpha", staff=[staff]).room
    staff_api = client_for(staff)
    sock = socket_client(staff_api)
    assert sock.emit("join", {"room": room}, callback=True)["ok"]
    first = make.message(app, room, visitor, "hello", client_id="v1")
    second = make.message(app, room, visitor, "hello", client_id="v2")
    # staff today: may moderate and edit
    assert sock.emit("delete_message", {"id": first}, callback=True)["ok"]
    assert staff_api.get("/api/booths/alpha/leads").status_code == 200

    removed = client_for(organiser).delete(f"/api/booths/alpha/staff/{staff.id}")
    assert removed.status_code == 204

    # the same socket, the same session, the very next event and request
    assert sock.is_connected()
    ack = sock.emit("delete_message", {"id": second}, callback=True)
    assert ack == {"ok": False, "error": {"code": "forbidden", "message": ack["error"]["message"]}}
    ack = sock.emit("mute", {"room": room, "user_id": visitor.id, "minutes": 5}, callback=True)
    assert ack["ok"] is False and ack["error"]["code"] == "forbidden"
    assert staff_api.get("/api/booths/alpha/leads").status_code == 403
    assert staff_api.patch("/api/booths/alpha", json={"tagline": "still mine?"}).status_code == 403
    assert staff_api.get("/api/booths/alpha/stats").status_code == 403
    # still an ordinary visitor of the booth
    assert sock.emit("send", {"room": room, "body": "hi", "client_id": "s1"}, callback=True)["ok"]


def test_added_staff_gains_moderation_at_once(app, make_user, client_for, socket_client):
    person, visitor, organiser = make_user(), make_user(), make_user("organiser")
    room = make.booth(app, "beta").room
    api = client_for(person)
    sock = socket_client(api)
    assert sock.emit("join", {"room": room}, callback=True)["ok"]
    message = make.message(app, room, visitor, "hello", client_id="v1")
    assert sock.emit("delete_message", {"id": message}, callback=True)["error"]["code"] == "forbidden"
    assert client_for(organiser).put(f"/api/booths/beta/staff/{person.id}").status_code == 204
    assert sock.emit("delete_message", {"id": message}, callback=True)["ok"]
    assert api.get("/api/me").get_json()["user"]["role"] == "staff"


def test_logout_disconnects_that_persons_sockets(app, make_user, client_for, socket_client):
    visitor, other = make_user(), make_user()
    api = client_for(visitor)
    mine = [socket_client(api), socket_client(api)]
    others = socket_client(client_for(other))
    assert all(s.is_connected() for s in mine) and others.is_connected()
    assert api.post("/api/auth/logout").status_code == 204
    assert not any(s.is_connected() for s in mine), "a logged-out session's socket is still connected"
    assert others.is_connected()
    # and it cannot come back with the logged-out session
    assert not socket_client(api).is_connected()


def test_logout_through_the_page_form_disconnects_too(app, make_user, client_for, socket_client):
    visitor = make_user()
    api = client_for(visitor)
    sock = socket_client(api)
    assert sock.is_connected()
    response = api.http.post("/logout", data={"csrf_token": api.token})
    assert response.status_code in (302, 303)
    assert not sock.is_connected()
