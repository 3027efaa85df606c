"""Chat rules called directly (no Socket.IO), and the chat pages."""
from __future__ import annotations

from datetime import timedelta

import pytest

from exhibition.accounts.models import User
from exhibition.chat import sending, services
from exhibition.chat.models import Message, Mute
from exhibition.errors import Forbidden, Invalid, Muted, NotFound, RateLimited, TooLarge
from exhibition.extensions import db
from exhibition.runtime.clock import utcnow
from tests import factories as make
from tests.chat_helpers import dm, session_room


@pytest.fixture
def ctx(app):
    """An app context for calling services directly (no requests are made in these tests)."""
    with app.app_context():
        yield


def load(ref) -> User:
    return db.session.get(User, ref.id)


def test_room_access_rules(app, people):
    booth = make.booth(app, "cluster-one", staff=[people["staff"]]).room
    session = session_room(make.session(app, booth="cluster-one"))
    with app.app_context():
        a = load(people["attendee"])
        assert services.room_access(a, "lobby").kind == "lobby"
        assert services.room_access(a, booth).booth.slug == "cluster-one"
        assert services.room_access(a, session).booth.slug == "cluster-one"
        assert services.room_access(a, dm(people["attendee"], people["attendee2"])).dm_user_ids
        for name, error in [("booth:none", NotFound), ("session:12345", NotFound), ("session:1x", Invalid),
                            ("dm:x:y", Invalid), (dm(people["attendee2"], people["organiser"]), Forbidden),
                            (f"dm:{people['attendee'].id}:99999", NotFound), ("dm:1:2:3", Invalid),
                            ("lobby2", Invalid), (None, Invalid), (f"dm:{people['attendee'].id}:{10 ** 17}", NotFound)]:
            with pytest.raises(error):
                services.room_access(a, name)


def test_send_stores_trimmed_and_commits_before_returning(app, people, ctx):
    message, duplicate = sending.send_message(load(people["attendee"]), "lobby", "  hi there \n", "c-1")
    assert not duplicate
    db.session.rollback()  # nothing pending: it was committed
    stored = db.session.get(Message, message["id"])
    assert stored.body == "hi there" and stored.client_id == "c-1"


@pytest.mark.parametrize("body, error", [("", Invalid), (" ", Invalid), (None, Invalid), (1, Invalid),
                                         ("y" * 2001, TooLarge)])
def test_send_body_rules(app, people, ctx, body, error):
    with pytest.raises(error):
        sending.send_message(load(people["attendee"]), "lobby", body, "c")
    assert services.count_messages("lobby") == 0


def test_duplicate_client_id_returns_the_stored_message(app, people, ctx):
    a = load(people["attendee"])
    first, _ = sending.send_message(a, "lobby", "one", "same")
    again, duplicate = sending.send_message(a, "lobby", "different text", "same")
    assert duplicate and again["id"] == first["id"] and again["body"] == "one"
    assert services.count_messages("lobby") == 1


def test_duplicate_already_stored_when_the_insert_runs(app, people, ctx):
    """Another process stored the same client_id after any check could have seen it:
    the INSERT's conflict clause finds it and the stored message is the answer."""
    a = load(people["attendee"])
    first, _ = sending.send_message(a, "lobby", "one", "raced")
    again, duplicate = sending.send_message(load(people["attendee"]), "lobby", "one (retry)", "raced")
    assert duplicate and again["id"] == first["id"] and again["body"] == "one"
    assert services.count_messages("lobby") == 1


def test_flood_limit_counts_only_stored_messages_in_the_window(app, people, ctx):
    app.config["CHAT_RATE_LIMIT"] = (3, 10)
    a = load(people["attendee"])
    for i in range(3):
        sending.send_message(a, "lobby", f"m{i}", f"f{i}")
    with pytest.raises(RateLimited):
        sending.send_message(a, "lobby", "too many", "f3")
    assert services.count_messages("lobby") == 3
    # the window slides: messages older than 10 s no longer count
    for message in db.session.query(Message):
        message.created_at = utcnow() - timedelta(seconds=11)
    db.session.commit()
    assert sending.send_message(a, "lobby", "later", "f4")[0]["body"] == "later"


def test_mute_expires(app, people, ctx):
    org, a = load(people["organiser"]), load(people["attendee"])
    services.mute(org, "lobby", a.id, 5)
    with pytest.raises(Muted):
        sending.send_message(a, "lobby", "x", "m1")
    db.session.query(Mute).update({"until": utcnow() - timedelta(seconds=1)})
    db.session.commit()
    assert sending.send_message(a, "lobby", "free again", "m2")[0]["body"] == "free again"


def test_mute_again_extends_one_row(app, people, ctx):
    org, a = load(people["organiser"]), load(people["attendee"])
    services.mute(org, "lobby", a.id, 5)
    services.mute(org, "lobby", a.id, 60)
    rows = db.session.query(Mute).all()
    assert len(rows) == 1 and rows[0].until > utcnow() + timedelta(minutes=59)


def test_mute_yourself_is_invalid(app, people, ctx):
    with pytest.raises(Invalid):
        services.mute(load(people["organiser"]), "lobby", people["organiser"].id, 5)


def test_deleted_message_serialises_with_null_body(app, people, ctx):
    a = load(people["attendee"])
    message, _ = sending.send_message(a, "lobby", "secret", "d")
    services.delete_message(a, message["id"])
    data = services.serialise(db.session.get(Message, message["id"]))
    assert data["deleted"] is True and data["body"] is None
    assert services.delete_message(a, message["id"]).deleted  # deleting again is harmless


def test_history_order_and_paging(app, people, ctx):
    app.config["CHAT_RATE_LIMIT"] = (0, 0)
    a = load(people["attendee"])
    ids = [sending.send_message(a, "lobby", str(i), f"h{i}")[0]["id"] for i in range(7)]
    assert [m.id for m in services.history(a, "lobby", limit=3)] == ids[-3:]
    assert [m.id for m in services.history(a, "lobby", before_id=ids[3], limit=2)] == ids[1:3]
    assert [m.id for m in services.history(a, "lobby", after_id=ids[3])] == ids[4:]
    with pytest.raises(Invalid):
        services.history(a, "lobby", limit=101)
    with pytest.raises(Invalid):
        services.history(a, "lobby", after_id=2**40)


def test_conversations_list_latest_first_only_mine(app, people, ctx):
    a, b, org = load(people["attendee"]), load(people["attendee2"]), load(people["organiser"])
    sending.send_message(a, dm(a, b), "hi b", "1")
    sending.send_message(org, dm(a, org), "hi a, from the organisers", "2")
    sending.send_message(org, dm(b, org), "hi b, from the organisers", "3")
    listed = services.conversations(a)
    assert [c["other"]["id"] for c in listed] == [org.id, b.id]
    assert listed[0]["last_message"]["body"] == "hi a, from the organisers"
    assert [c["other"]["id"] for c in services.conversations(b)] == [org.id, a.id]


# ---------------------------------------------------------------- pages

def test_messages_pages(app, people, client_for, anon):
    a = client_for(people["attendee"])
    assert anon.get("/messages").status_code == 302
    assert anon.get(f"/messages/{people['attendee2'].id}").status_code == 302
    page = a.get(f"/messages/{people['attendee2'].id}").get_data(as_text=True)
    for hook in ("data-chat-messages", "data-chat-input", "data-chat-send",
                 f'data-chat-room="{dm(people["attendee"], people["attendee2"])}"'):
        assert hook in page
    assert a.get("/messages/99999").status_code == 404
    assert a.get(f"/messages/{people['attendee'].id}").status_code == 302
    with app.app_context():
        sending.send_message(load(people["attendee2"]), dm(people["attendee"], people["attendee2"]),
                              "<b>hello</b>", "p")
    listing = a.get("/messages").get_data(as_text=True)
    assert "&lt;b&gt;hello&lt;/b&gt;" in listing and "<b>hello</b>" not in listing
    assert f'href="/messages/{people["attendee2"].id}"' in listing
    assert a.get("/api/me/conversations").get_json()["conversations"][0]["other"]["id"] == people["attendee2"].id
    assert anon.get("/api/me/conversations").status_code == 401


def test_panel_shows_moderation_only_to_moderators(app, people, client_for):
    from flask import render_template
    room = make.booth(app, "cluster-two", staff=[people["staff"]]).room
    for who, expected in (("attendee", "false"), ("staff", "true"), ("organiser", "true")):
        with app.test_request_context():
            from flask_login import login_user
            with app.app_context():
                login_user(load(people[who]))
                html = render_template("chat/_panel.html", chat_room=room)
        assert f'data-can-moderate="{expected}"' in html and "data-chat-messages" in html
    with app.test_request_context():
        html = render_template("chat/_panel.html", chat_room=room)  # anonymous: nothing
    assert "data-chat-messages" not in html
