"""Crash durability: under chat load the server is SIGKILLed and started again.

Several python-socketio clients send into the lobby as fast as their acks come back.
Mid-stream the server process is killed (no clean shutdown) and restarted on the same
SQLite file. The clients reconnect by themselves, join again, catch up with
``history {after_id}`` and resend what was never acknowledged, with the same client_id.

Afterwards: every acknowledged message is in the history exactly once, in the order
each sender had it acknowledged; no client_id appears twice; every client knows every
message (live or from its catch-up)."""
from __future__ import annotations

import threading
import time

import pytest
import socketio

from .livesrv import LiveServer, cookie_header, http_login

pytestmark = [pytest.mark.e2e, pytest.mark.sqlite_only]

ROOM = "lobby"
SENDERS = [{"email": f"sender{i}@example.test", "name": f"Sender {i}", "role": "attendee"} for i in range(4)]


class ChatClient:
    """One person's connection, reconnecting and catching up on its own."""

    def __init__(self, server: LiveServer, email: str, name: str):
        self.server, self.name = server, name
        self.http = http_login(server.url, email)
        self.sio = socketio.Client(reconnection=True, reconnection_attempts=0, reconnection_delay=0.3,
                                   reconnection_delay_max=1, randomization_factor=0.2)
        self.known: dict[int, str] = {}  # message id -> client_id, live or from history
        self.acked: list[tuple[str, int]] = []  # (client_id, id) in the order acks came back
        self.pending: str | None = None  # sent, not acknowledged yet: resent after reconnect
        self.needs_join = threading.Event()
        self.connects = 0
        self.lock = threading.Lock()
        self.sio.on("connect", self._on_connect)
        self.sio.on("message", self._on_message)

    def cookie_header(self) -> str:
        return cookie_header(self.http)

    def connect(self) -> None:
        self.sio.connect(self.server.url, headers={"Cookie": self.cookie_header()},
                         transports=["websocket"], wait_timeout=10)

    def _on_connect(self) -> None:
        self.connects += 1
        self.needs_join.set()  # the read loop must not block: the sender thread joins

    def _on_message(self, message: dict) -> None:
        if message.get("room") == ROOM:
            with self.lock:
                self.known[message["id"]] = message["client_id"]

    def join_and_catch_up(self) -> None:
        # Catch up after the last message seen *before* this join, as the browser does: the
        # join's history holds only the 50 newest, and more than 50 may have been sent while
        # this client was away (taking the maximum after merging that history skipped them).
        with self.lock:
            last = max(self.known, default=0)
        ack = self.sio.call("join", {"room": ROOM}, timeout=5)
        assert ack["ok"], ack
        with self.lock:
            for m in ack["history"]:
                self.known[m["id"]] = m["client_id"]
        while True:
            ack = self.sio.call("history", {"room": ROOM, "after_id": last, "limit": 100}, timeout=5)
            assert ack["ok"], ack
            with self.lock:
                for m in ack["messages"]:
                    self.known[m["id"]] = m["client_id"]
            if len(ack["messages"]) < 100:
                break
            last = ack["messages"][-1]["id"]
        self.needs_join.clear()

    def send_until(self, stop: threading.Event) -> None:
        n = 0
        while not stop.is_set():
            try:
                if self.needs_join.is_set():
                    self.join_and_catch_up()
                if self.pending is None:
                    n += 1
                    self.pending = f"{self.name}-{n}"
                ack = self.sio.call("send", {"room": ROOM, "body": f"message {self.pending}",
                                             "client_id": self.pending}, timeout=3)
            except Exception:  # the server is down or the connection not back yet
                time.sleep(0.05)
                continue
            if ack.get("ok"):
                message = ack["message"]
                assert message["client_id"] == self.pending
                self.acked.append((self.pending, message["id"]))
                with self.lock:
                    self.known[message["id"]] = message["client_id"]
                self.pending = None
            else:
                raise AssertionError(f"{self.name}: send refused: {ack}")

    def finish(self) -> None:
        """Resend the last unacknowledged message, then catch up a last time."""
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                if self.needs_join.is_set():
                    self.join_and_catch_up()
                if self.pending is not None:
                    ack = self.sio.call("send", {"room": ROOM, "body": f"message {self.pending}",
                                                 "client_id": self.pending}, timeout=3)
                    assert ack["ok"], ack
                    self.acked.append((self.pending, ack["message"]["id"]))
                    self.pending = None
                self.needs_join.set()
                self.join_and_catch_up()
                return
            except Exception:
                time.sleep(0.2)
        raise AssertionError(f"{self.name} could not finish after the restart")


def full_history(client: ChatClient) -> list[dict]:
    messages, last = [], 0
    while True:
        ack = client.sio.call("history", {"room": ROOM, "after_id": last, "limit": 100}, timeout=5)
        assert ack["ok"], ack
        messages += ack["messages"]
        if len(ack["messages"]) < 100:
            return messages
        last = ack["messages"][-1]["id"]


def wait_until(condition, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def test_acknowledged_messages_survive_sigkill(tmp_path):
    server = LiveServer(tmp_path, users=SENDERS, demo=False, env={"CHAT_RATE_LIMIT": "0"}).start()
    clients = []
    try:
        clients = [ChatClient(server, s["email"], f"c{i}") for i, s in enumerate(SENDERS)]
        for c in clients:
            c.connect()
        stop = threading.Event()
        threads = [threading.Thread(target=c.send_until, args=(stop,), daemon=True) for c in clients]
        for t in threads:
            t.start()
        wait_until(lambda: sum(len(c.acked) for c in clients) >= 80, 30, "load before the crash")
        server.kill()
        acked_before_crash = sum(len(c.acked) for c in clients)
        time.sleep(0.5)
        server.start()
        wait_until(lambda: all(c.connects >= 2 for c in clients), 30, "every client to reconnect")
        wait_until(lambda: sum(len(c.acked) for c in clients) >= acked_before_crash + 40, 30,
                   "load after the restart")
        stop.set()
        for t in threads:
            t.join(timeout=10)
            assert not t.is_alive(), "a sender hung"
        for c in clients:
            c.finish()

        history = full_history(clients[0])
        ids = [m["id"] for m in history]
        client_ids = [m["client_id"] for m in history]
        assert ids == sorted(ids) and len(set(ids)) == len(ids), "history out of order or repeated"
        assert len(set(client_ids)) == len(client_ids), "a client_id was stored twice"
        by_client_id = {m["client_id"]: m["id"] for m in history}
        for c in clients:
            assert len(c.acked) > 0
            for client_id, message_id in c.acked:
                assert by_client_id.get(client_id) == message_id, f"acked {client_id} lost or changed"
            acked_ids = [message_id for _, message_id in c.acked]
            assert acked_ids == sorted(acked_ids), f"{c.name}: acks out of order"
            assert set(c.known) == set(ids), f"{c.name} did not catch up: misses {sorted(set(ids) - set(c.known))[:10]}"
        assert all(not m["deleted"] and m["body"] == f"message {m['client_id']}" for m in history)
        assert not server.errors_in_log(), server.errors_in_log()
    finally:
        for c in clients:
            try:
                c.sio.disconnect()
            except Exception:
                pass
        server.stop()
