"""The real server under eventlet and gevent with the serving settings of
exhibition/serving.py: it serves pages, the API and Socket.IO in both async modes,
declines WebSocket compression, and holds more than eventlet's default 1,024
connections at once."""
from __future__ import annotations

import base64
import os
import resource
import socket
import threading

import pytest
import requests

socketio = pytest.importorskip("socketio")

from .livesrv import LiveServer, cookie_header, http_login  # noqa: E402

pytestmark = [pytest.mark.e2e, pytest.mark.sqlite_only]

USERS = [{"email": "ann@example.test", "name": "Ann", "role": "attendee"},
         {"email": "bob@example.test", "name": "Bob", "role": "attendee"}]


def connected_client(url: str, email: str) -> tuple[socketio.Client, list]:
    http = http_login(url, email)
    received: list = []
    got = threading.Event()
    client = socketio.Client(reconnection=False)
    client.on("message", lambda m: (received.append(m), got.set()))
    client.connect(url, headers={"Cookie": cookie_header(http)}, transports=["websocket"], wait_timeout=10)
    client.got = got
    return client, received


def websocket_handshake(port: int, extensions: str) -> str:
    """The server's answer to a raw WebSocket upgrade offering ``extensions``."""
    key = base64.b64encode(os.urandom(16)).decode()
    request = (f"GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
               f"Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
               f"Sec-WebSocket-Version: 13\r\nSec-WebSocket-Extensions: {extensions}\r\n\r\n")
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        s.sendall(request.encode())
        answer = b""
        while b"\r\n\r\n" not in answer:
            chunk = s.recv(4096)
            if not chunk:
                break
            answer += chunk
    return answer.decode("latin-1")


@pytest.fixture(params=["eventlet", "gevent"])
def server(request, tmp_path):
    srv = LiveServer(tmp_path, users=USERS, demo=False, env={"SOCKETIO_ASYNC_MODE": request.param})
    srv.start()
    yield srv
    srv.stop()
    assert srv.errors_in_log() == []


def test_chat_works_in_both_async_modes(server):
    assert requests.get(server.url + "/healthz", timeout=10).json() == {"status": "ok"}
    assert requests.get(server.url + "/login", timeout=10).status_code == 200
    ann, ann_got = connected_client(server.url, "ann@example.test")
    bob, bob_got = connected_client(server.url, "bob@example.test")
    try:
        assert ann.call("join", {"room": "lobby"}, timeout=10)["ok"]
        assert bob.call("join", {"room": "lobby"}, timeout=10)["ok"]
        ack = ann.call("send", {"room": "lobby", "body": "hello from ann", "client_id": "a-1"}, timeout=10)
        assert ack["ok"], ack
        assert bob.got.wait(10)
        assert [m["body"] for m in bob_got] == ["hello from ann"]
    finally:
        ann.disconnect()
        bob.disconnect()


def test_websocket_compression_is_declined(server):
    answer = websocket_handshake(server.port, "permessage-deflate; client_max_window_bits")
    assert answer.startswith("HTTP/1.1 101"), answer
    assert "sec-websocket-extensions" not in answer.lower()


def test_websocket_compression_accepted_when_configured(tmp_path):
    srv = LiveServer(tmp_path, demo=False, env={"SOCKETIO_WEBSOCKET_COMPRESSION": "1"}).start()
    try:
        answer = websocket_handshake(srv.port, "permessage-deflate; client_max_window_bits")
        assert answer.startswith("HTTP/1.1 101"), answer
        assert "permessage-deflate" in answer.lower()
    finally:
        srv.stop()


def test_more_than_1024_connections_at_once(tmp_path):
    """eventlet's default cap (1,024) would leave the last request waiting forever."""
    wanted = 1100
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < wanted + 200:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, wanted + 200), hard))
    srv = LiveServer(tmp_path, demo=False).start()
    idle = []
    try:
        for _ in range(wanted):  # connections the server has accepted and is waiting on
            idle.append(socket.create_connection(("127.0.0.1", srv.port), timeout=10))
        assert requests.get(srv.url + "/healthz", timeout=20).json() == {"status": "ok"}
    finally:
        for s in idle:
            s.close()
        srv.stop()


PREPARE = """
import json, os
from exhibition import create_app
from exhibition.extensions import db
from exhibition.accounts.services import create_user
app = create_app(instance_path=os.environ["E2E_INSTANCE"])
with app.app_context():
    db.create_all()
    for p in json.loads(os.environ["E2E_USERS"]):
        create_user(p["email"], os.environ["E2E_PASSWORD"], p["name"], p["role"])
"""


def test_gunicorn_serves_the_platform_under_gevent_and_drains_on_sigterm(tmp_path):
    """deploy/gunicorn.conf.py: one gevent worker serving chat; SIGTERM closes the
    connected clients' sockets and gunicorn exits 0 without a traceback."""
    import signal
    import subprocess
    import sys
    import time

    from .livesrv import ROOT

    srv = LiveServer(tmp_path, users=USERS, demo=False, env={"SOCKETIO_ASYNC_MODE": "gevent"})
    env = srv.env()
    subprocess.run([sys.executable, "-c", PREPARE], cwd=str(ROOT), env=env, check=True, timeout=60)
    log = srv.log_path.open("a")
    gunicorn = subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", "deploy/gunicorn.conf.py",
                                 "--bind", f"127.0.0.1:{srv.port}",
                                 # gunicorn alone would wait this long for the open sockets; the drain closes them
                                 "--graceful-timeout", "120", "deploy.wsgi:app"],
                                cwd=str(ROOT), env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if requests.get(srv.url + "/healthz", timeout=1).status_code == 200:
                    break
            except requests.RequestException:
                time.sleep(0.2)
        answer = websocket_handshake(srv.port, "permessage-deflate")
        assert answer.startswith("HTTP/1.1 101") and "permessage-deflate" not in answer.lower(), answer
        ann, _ = connected_client(srv.url, "ann@example.test")
        bob, bob_got = connected_client(srv.url, "bob@example.test")
        closed = threading.Event()
        bob.on("disconnect", lambda *_reason: closed.set())
        try:
            assert ann.call("join", {"room": "lobby"}, timeout=10)["ok"]
            assert bob.call("join", {"room": "lobby"}, timeout=10)["ok"]
            assert ann.call("send", {"room": "lobby", "body": "via gunicorn", "client_id": "g-1"}, timeout=10)["ok"]
            assert bob.got.wait(10)
            assert [m["body"] for m in bob_got] == ["via gunicorn"]
            gunicorn.send_signal(signal.SIGTERM)  # with both clients still connected
            assert gunicorn.wait(timeout=30) == 0, srv.log()
            assert closed.wait(10), "the drain did not close the client's socket"
        finally:
            ann.disconnect()
            bob.disconnect()
    finally:
        if gunicorn.poll() is None:
            gunicorn.kill()
            gunicorn.wait(timeout=20)
    assert "Traceback" not in srv.log_path.read_text(), srv.log()
