"""A browser's chat survives a server crash on its own: the page stays open while the
server is SIGKILLed and started again on the same database and port; the page
reconnects, catches up with what was said meanwhile, and its own message typed while
the server was down is sent once it is back — all without a reload."""
from __future__ import annotations

import uuid

from playwright.sync_api import expect

from ..livesrv import LiveServer, cookie_header, http_login
from .conftest import PageProblems, login

PEOPLE = [{"email": "reconnect-a@example.test", "name": "Rita Reconnect", "role": "attendee"},
          {"email": "reconnect-b@example.test", "name": "Bodo Bystander", "role": "attendee"}]


def test_the_lobby_chat_reconnects_and_catches_up_by_itself(browser, tmp_path):
    socketio = __import__("socketio")
    server = LiveServer(tmp_path, users=PEOPLE, demo=False, env={"CHAT_RATE_LIMIT": "0"}).start()
    context = browser.new_context(base_url=server.url)
    context.set_default_timeout(15_000)
    other = socketio.Client(reconnection=False)
    try:
        page = context.new_page()
        problems = PageProblems()
        problems.watch(page)
        login(page, PEOPLE[0]["email"])
        page.goto("/")
        messages = page.locator("[data-chat-messages] [data-message-id]")
        expect(page.locator("[data-chat-status]")).to_have_text("Connected.")

        server.kill()
        expect(page.locator("[data-chat-status]")).not_to_have_text("Connected.")
        typed_offline = f"typed while the server was down {uuid.uuid4().hex[:6]}"
        page.fill("[data-chat-input]", typed_offline)
        page.click("[data-chat-send]")

        server.start()
        http = http_login(server.url, PEOPLE[1]["email"])
        other.connect(server.url, headers={"Cookie": cookie_header(http)}, transports=["websocket"])
        assert other.call("join", {"room": "lobby"}, timeout=5)["ok"]
        missed = f"said while the page was away {uuid.uuid4().hex[:6]}"
        assert other.call("send", {"room": "lobby", "body": missed, "client_id": "missed-1"}, timeout=5)["ok"]

        expect(page.locator("[data-chat-status]")).to_have_text("Connected.", timeout=30_000)
        expect(messages.filter(has_text=missed)).to_have_count(1)
        expect(messages.filter(has_text=typed_offline)).to_have_count(1)
        history = other.call("history", {"room": "lobby", "after_id": 0}, timeout=5)["messages"]
        assert [m["body"] for m in history].count(typed_offline) == 1, "sent twice or not at all"
        live = f"and live again {uuid.uuid4().hex[:6]}"
        assert other.call("send", {"room": "lobby", "body": live, "client_id": "live-1"}, timeout=5)["ok"]
        expect(messages.filter(has_text=live)).to_have_count(1)
        real = [p for p in problems if "ERR_CONNECTION_REFUSED" not in p and "WebSocket" not in p]
        assert not real, real
    finally:
        other.disconnect()
        context.close()
        server.stop()
