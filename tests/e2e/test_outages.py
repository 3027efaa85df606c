"""SPEC §11, outages: two real server processes on a PostgreSQL and a Redis of the test's
own (private instances on free ports, stopped and started again by the test):

- Redis stopped while clients of both processes chat: sends are stored and acknowledged,
  ``/healthz`` answers 503 on both; Redis started again on the same port: live delivery
  across the processes resumes within 10 s, and every message acknowledged meanwhile reaches
  the other process's client (live, or after the server's ``resync`` through ``history
  after_id``); no process is restarted.
- PostgreSQL restarted: meanwhile sends get an error ack and HTTP 503 ``unavailable``;
  afterwards the same processes serve again, and every acknowledged message is stored.

Private instances, so the tests run once per CI run (sqlite_only)."""
from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import threading
import time
from pathlib import Path

import psycopg2
import pytest
import requests
import socketio

from .livesrv import LiveServer, cookie_header, free_port, handle_events_in_wire_order, http_login, until

pytestmark = [pytest.mark.e2e, pytest.mark.sqlite_only]

USERS = [{"email": "ann@example.test", "name": "Ann", "role": "attendee"},
         {"email": "bob@example.test", "name": "Bob", "role": "attendee"}]
BACK_WITHIN = 10.0  # SPEC §11: live delivery resumes within 10 s of the queue's return


def _as_postgres() -> list[str]:
    """initdb and pg_ctl refuse to run as root: run them as the postgres user then."""
    return ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []


class PrivateRedis:
    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen | None = None

    def start(self) -> PrivateRedis:
        self.process = subprocess.Popen(
            [shutil.which("redis-server") or "redis-server", "--port", str(self.port), "--bind", "127.0.0.1",
             "--save", "", "--appendonly", "no"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        assert until(self._answers, 10), "private redis-server did not start"
        return self

    def _answers(self) -> bool:
        try:
            import redis
            return bool(redis.Redis.from_url(self.url, socket_connect_timeout=1).ping())
        except Exception:
            return False

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)


class PrivatePostgres:
    def __init__(self) -> None:
        self.port = free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="outage-pg-"))
        self.data, self.sockets = self.dir / "data", self.dir / "sock"
        self.sockets.mkdir()
        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres", "postgres")
            shutil.chown(self.sockets, "postgres", "postgres")
        self.url = f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, *args: str) -> None:
        subprocess.run([*_as_postgres(), *args], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT,
                       timeout=60)

    def init(self) -> PrivatePostgres:
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "-A", "trust", "--no-sync")
        return self.start()

    def start(self) -> PrivatePostgres:
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.dir / "log"), "-w",
                  "-o", f"-p {self.port} -k {self.sockets} -c listen_addresses=127.0.0.1 -c fsync=off", "start")
        return self

    def stop(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")

    def remove(self) -> None:
        try:
            self.stop()
        except subprocess.CalledProcessError:
            pass  # not running
        shutil.rmtree(self.dir, ignore_errors=True)



class Person:
    """A logged-in person with one Socket.IO connection, recording messages and resyncs."""

    def __init__(self, server: LiveServer, email: str) -> None:
        self.http = http_login(server.url, email)
        self.messages: list[dict] = []
        self.resyncs = 0
        self.lock = threading.Lock()
        self.sio = socketio.Client(reconnection=False)
        self.sio.on("message", self._message)
        self.sio.on("resync", self._resync)
        self.sio.connect(server.url, headers={"Cookie": cookie_header(self.http)}, transports=["websocket"],
                         wait_timeout=10)
        handle_events_in_wire_order(self.sio)

    def _message(self, m: dict) -> None:
        with self.lock:
            self.messages.append(m)

    def _resync(self, _payload=None) -> None:
        with self.lock:
            self.resyncs += 1

    def call(self, event: str, payload: dict) -> dict:
        return self.sio.call(event, payload, timeout=15)

    def ids(self) -> set[int]:
        with self.lock:
            return {m["id"] for m in self.messages}

    def catch_up(self, room: str, after_id: int) -> set[int]:
        """What chat.js does on ``resync``: history after the last message seen."""
        ack = self.call("history", {"room": room, "after_id": after_id, "limit": 100})
        assert ack["ok"], ack
        return {m["id"] for m in ack["messages"]}

    def close(self) -> None:
        if self.sio.connected:
            self.sio.disconnect()


def health(server: LiveServer) -> int:
    try:
        return requests.get(server.url + "/healthz", timeout=8).status_code
    except requests.RequestException:
        return 0


@pytest.fixture
def cluster(tmp_path):
    pg, queue = PrivatePostgres().init(), PrivateRedis().start()
    env = {"DATABASE_URL": pg.url, "SOCKETIO_MESSAGE_QUEUE": queue.url, "CHAT_RATE_LIMIT": "0", "PRESENCE_TTL": "3"}
    servers = []
    try:
        servers.append(LiveServer(tmp_path / "a", users=USERS, demo=False, env=env).start())
        servers.append(LiveServer(tmp_path / "b", users=USERS, demo=False, env=env).start())
        yield servers[0], servers[1], pg, queue
    finally:
        for server in servers:
            server.stop()
        queue.stop()
        pg.remove()


def send(person: Person, body: str) -> dict:
    return person.call("send", {"room": "lobby", "body": body, "client_id": body})


def test_redis_outage_sends_are_acked_healthz_503_and_everything_arrives_once_it_is_back(cluster):
    a, b, _pg, queue = cluster
    pids = (a.process.pid, b.process.pid)
    ann, bob = Person(a, "ann@example.test"), Person(b, "bob@example.test")
    try:
        assert ann.call("join", {"room": "lobby"})["ok"] and bob.call("join", {"room": "lobby"})["ok"]
        before = send(ann, "before the outage")
        assert before["ok"], before
        assert until(lambda: before["message"]["id"] in bob.ids(), 10)
        last_seen = {ann: max(ann.ids() | {before["message"]["id"]}), bob: max(bob.ids())}

        queue.stop()
        assert until(lambda: health(a) == 503 and health(b) == 503, 10), "healthz must answer 503 without Redis"
        acked = {ann: [], bob: []}
        for i in range(4):
            for person, name in ((ann, "ann"), (bob, "bob")):
                ack = send(person, f"{name} during the outage {i}")
                assert ack["ok"] or ack["error"]["message"], ack  # acknowledged, or refused clearly
                if ack["ok"]:
                    acked[person].append(ack["message"]["id"])
        assert acked[ann] and acked[bob], "sends are stored and acknowledged while Redis is down"

        queue.start()
        back = time.monotonic()
        probe_ids: list[int] = []

        def live_again() -> bool:
            ack = send(ann, f"probe {len(probe_ids)}")
            assert ack["ok"], ack
            probe_ids.append(ack["message"]["id"])
            return bool(set(probe_ids) & bob.ids())
        assert until(live_again, BACK_WITHIN - 1, step=0.5), "live delivery A → B did not resume within 10 s"
        reply = send(bob, "B is live again")
        assert reply["ok"] and until(lambda: reply["message"]["id"] in ann.ids(), BACK_WITHIN - (time.monotonic() - back))

        # every message acknowledged during the outage reaches the other side: live, or the
        # server said resync and history after the last seen id brings it
        for receiver, sender in ((bob, ann), (ann, bob)):
            missing = set(acked[sender]) - receiver.ids()
            if missing:
                assert until(lambda r=receiver: r.resyncs > 0, 10), "missed messages without a resync"
                missing -= receiver.catch_up("lobby", last_seen[receiver])
            assert not missing, f"acknowledged during the outage, never reached the other process: {missing}"
        assert health(a) == 200 and health(b) == 200
        assert (a.process.pid, b.process.pid) == pids and a.process.poll() is None and b.process.poll() is None
    finally:
        ann.close()
        bob.close()
    for server in (a, b):
        assert server.errors_in_log() == [], server.log()


def test_postgres_restart_gives_clear_errors_meanwhile_and_the_same_processes_serve_after(cluster):
    a, b, pg, _queue = cluster
    pids = (a.process.pid, b.process.pid)
    ann, bob = Person(a, "ann@example.test"), Person(b, "bob@example.test")
    acked: list[int] = []
    try:
        assert ann.call("join", {"room": "lobby"})["ok"] and bob.call("join", {"room": "lobby"})["ok"]
        first = send(ann, "before the restart")
        assert first["ok"], first
        acked.append(first["message"]["id"])

        pg.stop()
        for person, name in ((ann, "ann"), (bob, "bob")):
            ack = send(person, f"{name} while the database is down")
            assert not ack["ok"] and ack["error"]["code"] == "invalid" and "unavailable" in ack["error"]["message"], ack
        for server, person in ((a, ann), (b, bob)):
            response = person.http.get(server.url + "/api/booths", timeout=10)
            assert response.status_code == 503, response.text
            assert response.json()["error"]["code"] == "unavailable"
            assert health(server) == 503

        pg.start()
        assert until(lambda: health(a) == 200 and health(b) == 200, 15), "the pool did not recover"
        for person, name in ((ann, "ann"), (bob, "bob")):
            ack = send(person, f"{name} after the restart")
            assert ack["ok"], ack
            acked.append(ack["message"]["id"])
        assert until(lambda: acked[-1] in ann.ids() and acked[-2] in bob.ids(), 10), "live delivery after the restart"
        for server, person in ((a, ann), (b, bob)):
            assert person.http.get(server.url + "/api/booths", timeout=10).status_code == 200
        assert (a.process.pid, b.process.pid) == pids and a.process.poll() is None and b.process.poll() is None
    finally:
        ann.close()
        bob.close()
    conn = psycopg2.connect(pg.url, connect_timeout=5)
    with conn, conn.cursor() as cur:
        cur.execute("SELECT id FROM messages WHERE id = ANY(%s)", (acked,))
        assert {row[0] for row in cur.fetchall()} == set(acked)
    conn.close()
    for server in (a, b):
        assert server.errors_in_log() == [], server.log()
