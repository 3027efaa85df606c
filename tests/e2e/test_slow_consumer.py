"""A client that stops reading (SPEC §11): the server drops it once its send queue is full,
instead of buffering its room's events without bound, and everyone else in the room keeps
getting every message.

Real server (eventlet, as run.py). The slow client is a raw WebSocket with a small receive
buffer that joins a booth room and then never reads again; a normal client in the same room
reads everything; a sender sends large messages as fast as its acks come back. With
SOCKETIO_SEND_QUEUE_LIMIT=100 the slow connection must be closed by the server (its person
leaves the room: the booth's visitors_now drops back) long before the sender is done."""
from __future__ import annotations

import socket
import threading
import time

import pytest
import socketio
import websocket

from .livesrv import LiveServer, cookie_header, http_login

pytestmark = [pytest.mark.e2e, pytest.mark.sqlite_only]

BOOTH = "elektromobilitaet-sued-west"
ROOM = f"booth:{BOOTH}"
MESSAGES = 1500
BODY = "x" * 1900
PEOPLE = [{"email": f"{who}@example.test", "name": who.title(), "role": "attendee"}
          for who in ("sender", "reader", "sleeper")]


@pytest.fixture
def server(tmp_path):
    live = LiveServer(tmp_path, users=PEOPLE, env={"SOCKETIO_SEND_QUEUE_LIMIT": "100", "CHAT_RATE_LIMIT": "0"})
    live.start()
    yield live
    live.stop()


def sleeping_socket(server: LiveServer, cookie: str) -> websocket.WebSocket:
    """Joins the room, then never reads again; a tiny receive buffer fills at once."""
    ws = websocket.create_connection(
        f"ws://127.0.0.1:{server.port}/socket.io/?EIO=4&transport=websocket", header=[f"Cookie: {cookie}"],
        timeout=5, sockopt=[(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)])
    assert ws.recv().startswith("0")
    ws.send("40")
    assert ws.recv().startswith("40")
    ws.send('420["join",{"room":"%s"}]' % ROOM)
    assert ws.recv().startswith("430")  # the join's ack
    return ws


def visitors_now(http) -> int:
    return http.get(f"{http.base_url}/api/booths/{BOOTH}", timeout=5).json()["visitors_now"]


def test_a_client_that_stops_reading_is_dropped_and_the_others_get_everything(server):
    sender_http, reader_http, sleeper_http = (http_login(server.url, p["email"]) for p in PEOPLE)
    reader_http.base_url = server.url
    got: list[int] = []
    done = threading.Event()
    reader = socketio.Client(reconnection=False)

    def on_message(message):
        if message["room"] == ROOM:
            got.append(message["id"])
            if len(got) == MESSAGES:
                done.set()

    reader.on("message", on_message)
    reader.connect(server.url, headers={"Cookie": cookie_header(reader_http)}, transports=["websocket"])
    assert reader.call("join", {"room": ROOM}, timeout=10)["ok"]
    sleeper = sleeping_socket(server, cookie_header(sleeper_http))
    sender = socketio.Client(reconnection=False)
    sender.connect(server.url, headers={"Cookie": cookie_header(sender_http)}, transports=["websocket"])
    assert sender.call("join", {"room": ROOM}, timeout=10)["ok"]
    assert visitors_now(reader_http) == 3

    acked = []
    for n in range(MESSAGES):
        ack = sender.call("send", {"room": ROOM, "body": BODY, "client_id": f"m{n}"}, timeout=10)
        assert ack["ok"], ack
        acked.append(ack["message"]["id"])

    assert done.wait(30), f"the reader got {len(got)} of {MESSAGES}"
    assert got == acked  # every message, in order, to the client that reads
    deadline = time.monotonic() + 10
    while visitors_now(reader_http) != 2 and time.monotonic() < deadline:
        time.sleep(0.2)
    assert visitors_now(reader_http) == 2  # the sleeper's connection was closed by the server
    assert "stopped reading" in server.log()
    assert server.errors_in_log() == []
    for client in (reader, sender):
        client.disconnect()
    sleeper.close()
