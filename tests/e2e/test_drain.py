"""SIGTERM drains (SPEC §11), under eventlet and gevent, with a real server process:

two listeners are connected and a sender sends continuously into the lobby; the
process gets SIGTERM. It stops accepting, lets the batch in flight finish, closes every
Socket.IO connection at the transport and exits with code 0 (within a bound), with no
traceback in its log. Every message that was acknowledged is in the database, and the
listeners, which saw their socket closed, reconnect by themselves once a process serves
the port again (started anew here, as systemd's Restart would)."""
from __future__ import annotations

import signal
import sqlite3
import subprocess
import threading

import pytest
import socketio

from .livesrv import LiveServer, cookie_header, http_login

pytestmark = [pytest.mark.e2e, pytest.mark.sqlite_only]

USERS = [{"email": "ann@example.test", "name": "Ann", "role": "attendee"},
         {"email": "bob@example.test", "name": "Bob", "role": "attendee"},
         {"email": "cat@example.test", "name": "Cat", "role": "attendee"}]
EXIT_BOUND = 15  # seconds: a liveness bound (the drain itself waits at most 5 + 2 s)


class Listener:
    """A reconnecting client (as chat.js is) that records its disconnects and connects."""

    def __init__(self, server: LiveServer, email: str):
        http = http_login(server.url, email)
        self.disconnects = 0
        self.connects = 0
        self.changed = threading.Condition()
        self.sio = socketio.Client(reconnection=True, reconnection_delay=0.2, reconnection_delay_max=1)
        self.sio.on("connect", self._connected)
        self.sio.on("disconnect", self._disconnected)
        self.sio.connect(server.url, headers={"Cookie": cookie_header(http)}, transports=["websocket"],
                         wait_timeout=10)
        assert self.sio.call("join", {"room": "lobby"}, timeout=10)["ok"]

    def _connected(self) -> None:
        with self.changed:
            self.connects += 1
            self.changed.notify_all()

    def _disconnected(self, *_reason) -> None:
        with self.changed:
            self.disconnects += 1
            self.changed.notify_all()

    def wait(self, predicate, timeout: float = 30) -> bool:
        with self.changed:
            return self.changed.wait_for(predicate, timeout=timeout)


class Sender(threading.Thread):
    """Sends into the lobby one message after another until the server goes away."""

    def __init__(self, server: LiveServer):
        super().__init__(daemon=True)
        http = http_login(server.url, "ann@example.test")
        self.sio = socketio.Client(reconnection=False)
        self.sio.connect(server.url, headers={"Cookie": cookie_header(http)}, transports=["websocket"],
                         wait_timeout=10)
        assert self.sio.call("join", {"room": "lobby"}, timeout=10)["ok"]
        self.acked: dict[str, int] = {}  # client_id -> message id
        self.enough = threading.Event()

    def run(self) -> None:
        i = 0
        while True:
            client_id = f"drain-{i}"
            try:
                ack = self.sio.call("send", {"room": "lobby", "body": f"message {i}", "client_id": client_id},
                                    timeout=3)
            except Exception:  # the socket was closed by the drain (a call then waits for its timeout)
                return
            if ack.get("ok"):
                self.acked[client_id] = ack["message"]["id"]
            if len(self.acked) >= 30:
                self.enough.set()
            i += 1


@pytest.mark.parametrize("mode", ["eventlet", "gevent"])
def test_sigterm_drains_and_exits_cleanly_losing_no_acknowledged_message(tmp_path, mode):
    server = LiveServer(tmp_path, users=USERS, demo=False,
                        env={"SOCKETIO_ASYNC_MODE": mode, "CHAT_RATE_LIMIT": "0"}).start()
    listeners: list[Listener] = []
    sender = None
    try:
        listeners = [Listener(server, "bob@example.test"), Listener(server, "cat@example.test")]
        sender = Sender(server)
        sender.start()
        assert sender.enough.wait(30), server.log()

        assert server.process is not None
        server.process.send_signal(signal.SIGTERM)  # while the sender is still sending
        try:
            code = server.process.wait(timeout=EXIT_BOUND)
        except subprocess.TimeoutExpired:
            pytest.fail(f"no exit within {EXIT_BOUND} s of SIGTERM:\n{server.log()}")
        assert code == 0, server.log()
        sender.join(15)
        assert not sender.is_alive()
        assert "stopped (SIGTERM): connections drained" in server.log()
        assert server.errors_in_log() == [], server.log()
        for listener in listeners:
            assert listener.wait(lambda lst=listener: lst.disconnects >= 1), "socket not closed"

        with sqlite3.connect(server.db_path) as conn:
            stored = dict(conn.execute("SELECT client_id, id FROM messages WHERE client_id LIKE 'drain-%'"))
        assert len(sender.acked) >= 30
        assert {cid: stored.get(cid) for cid in sender.acked} == sender.acked

        server.start()  # a process serves the port again: the listeners come back by themselves
        for listener in listeners:
            assert listener.wait(lambda lst=listener: lst.connects >= 2), server.log()
    finally:
        for client in [*(lst.sio for lst in listeners), *([sender.sio] if sender else [])]:
            client.disconnect()
        server.stop()
    assert server.errors_in_log() == [], server.log()
