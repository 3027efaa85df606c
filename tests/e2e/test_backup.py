"""`flask db backup PATH` taken while a real server process (eventlet, as `python run.py`)
is under chat load, then restored and opened with the platform — on SQLite and on
PostgreSQL (its own databases: tests/e2e/pgredis.py; the e2e tests run once per CI run).

Load: several senders send into the lobby as fast as their acks come back, and newcomers
keep registering and sending a first message (a copy that was not one snapshot would
hold messages of people it does not hold). Mid-load the backup runs as a subprocess with
the server's DATABASE_URL; the load goes on while it runs and afterwards. The backup is
restored with `db restore` into a new database, which `db upgrade` and create_app open.

Checked: every message acknowledged before the backup started is in the restored copy,
with its id and body; every message there was really sent, once; every message's sender
is there; SQLite's foreign_key_check finds nothing; the server kept acknowledging during
and after the backup and logged no traceback."""
from __future__ import annotations

import itertools
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import requests
import socketio
from sqlalchemy import text

from config import database_url
from exhibition import create_app
from exhibition.extensions import db

from .livesrv import ROOT, LiveServer, cookie_header, http_login
from .pgredis import DATABASE_URL, RESTORE_DATABASE_URL, fresh_database

pytestmark = [pytest.mark.e2e, pytest.mark.sqlite_only]

ROOM = "lobby"
SENDERS = [{"email": f"sender{i}@example.test", "name": f"Sender {i}", "role": "attendee"} for i in range(4)]


class Acks:
    """Every acknowledged message, with the time its ack came back."""

    def __init__(self):
        self.lock = threading.Lock()
        self.acked: list[tuple[float, str, int, str]] = []  # (monotonic, client_id, id, body)
        self.sent: set[str] = set()  # client_ids sent, acknowledged or not
        self.errors: list[str] = []

    def record(self, client_id: str, message: dict) -> None:
        with self.lock:
            self.acked.append((time.monotonic(), client_id, message["id"], message["body"]))

    def count(self) -> int:
        with self.lock:
            return len(self.acked)

    def acked_before(self, moment: float) -> list[tuple[str, int, str]]:
        with self.lock:
            return [(cid, mid, body) for at, cid, mid, body in self.acked if at < moment]


def connect(server: LiveServer, http: requests.Session) -> socketio.Client:
    sio = socketio.Client(reconnection=False)
    sio.connect(server.url, headers={"Cookie": cookie_header(http)}, transports=["websocket"], wait_timeout=10)
    ack = sio.call("join", {"room": ROOM}, timeout=10)
    assert ack["ok"], ack
    return sio


def send(sio: socketio.Client, acks: Acks, client_id: str) -> None:
    with acks.lock:
        acks.sent.add(client_id)
    ack = sio.call("send", {"room": ROOM, "body": f"message {client_id}", "client_id": client_id}, timeout=10)
    if not ack.get("ok"):
        raise AssertionError(f"{client_id}: send refused: {ack}")
    acks.record(client_id, ack["message"])


def sender(server: LiveServer, email: str, name: str, acks: Acks, stop: threading.Event) -> None:
    try:
        sio = connect(server, http_login(server.url, email))
        try:
            for n in itertools.count(1):
                if stop.is_set():
                    return
                send(sio, acks, f"{name}-{n}")
        finally:
            sio.disconnect()
    except Exception as err:  # reported by the test: a sender must never fail
        acks.errors.append(f"{name}: {err!r}")


def newcomers(server: LiveServer, acks: Acks, stop: threading.Event) -> None:
    """People registering during the load, each sending one first message."""
    try:
        for n in itertools.count(1):
            if stop.is_set():
                return
            http = requests.Session()
            http.headers["X-CSRFToken"] = http.get(server.url + "/api/csrf", timeout=10).json()["csrf_token"]
            response = http.post(server.url + "/api/auth/register", timeout=30, json={
                "email": f"newcomer{n}@example.test", "password": "newcomer-password-1", "display_name": f"Newcomer {n}"})
            assert response.status_code == 201, response.text
            sio = connect(server, http)
            try:
                send(sio, acks, f"newcomer-{n}")
            finally:
                sio.disconnect()
    except Exception as err:
        acks.errors.append(f"newcomers: {err!r}")


def wait_until(condition, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def flask_cli(url: str, *args: str) -> subprocess.CompletedProcess:
    """`flask --app run db …` as an operator runs it, against the database ``url``."""
    env = {k: v for k, v in os.environ.items() if k not in ("TEST_DATABASE_URL", "SOCKETIO_MESSAGE_QUEUE")}
    env.update(DATABASE_URL=url, EXHIBITION_DEMO="0", SECRET_KEY="e2e-secret-key", PYTHONWARNINGS="ignore")
    return subprocess.run([sys.executable, "-m", "flask", "--app", "run", "db", *args], cwd=str(ROOT), env=env,
                          capture_output=True, text=True, timeout=300)


def backup_under_load(server: LiveServer, backup_path: Path) -> tuple[Acks, float]:
    """Load on the server, the backup in the middle of it; the acks and when it started."""
    acks, stop = Acks(), threading.Event()
    threads = [threading.Thread(target=sender, args=(server, s["email"], f"s{i}", acks, stop), daemon=True)
               for i, s in enumerate(SENDERS)]
    threads.append(threading.Thread(target=newcomers, args=(server, acks, stop), daemon=True))
    for t in threads:
        t.start()
    try:
        # both kinds of load under way first: messages, and newcomers (each a registration at
        # the production hash cost, so the first can take a while on a busy machine)
        wait_until(lambda: (acks.count() >= 150 and any(cid.startswith("newcomer-") for cid, _, _ in
                                                        acks.acked_before(time.monotonic())))
                   or acks.errors, 90, "load before the backup")
        started = time.monotonic()
        result = flask_cli(server.env()["DATABASE_URL"], "backup", str(backup_path))
        print(f"backup: {time.monotonic() - started:.1f} s, {acks.count()} acks, {len(acks.acked_before(started))} before")
        assert result.returncode == 0, result.stdout + result.stderr
        assert "written to" in result.stdout
        during = acks.count() - len(acks.acked_before(started))
        wait_until(lambda: acks.count() >= len(acks.acked_before(started)) + during + 100 or acks.errors, 60,
                   "load after the backup")
    finally:
        stop.set()
        for t in threads:
            t.join(timeout=30)
    print(f"load: {acks.count()} acks")
    assert not acks.errors, acks.errors
    assert not any(t.is_alive() for t in threads), "a sender hung"
    return acks, started


def check_restored(url: str, workdir: Path, acks: Acks, started: float) -> int:
    """The restored database opens with the platform and holds a consistent snapshot
    with everything acknowledged before the backup started; returns its message count."""
    upgraded = flask_cli(url, "upgrade")
    assert upgraded.returncode == 0, upgraded.stdout + upgraded.stderr
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url(url), "TESTING": True, "EXHIBITION_DEMO": False,
                      "SOCKETIO_ASYNC_MODE": "threading", "SOCKETIO_MESSAGE_QUEUE": None},
                     instance_path=str(workdir / "instance-restored"))
    with app.app_context():
        rows = db.session.execute(text("SELECT id, client_id, body, sender_id FROM messages")).all()
        users = set(db.session.execute(text("SELECT id FROM users")).scalars())
        orphans = db.session.execute(text(
            "SELECT m.id FROM messages m LEFT JOIN users u ON u.id = m.sender_id WHERE u.id IS NULL")).all()
        if db.engine.dialect.name == "sqlite":
            broken = db.session.execute(text("PRAGMA foreign_key_check")).all()
            assert broken == [], f"references to rows the copy lacks: {broken[:10]}"
        db.session.remove()
        db.engine.dispose()
    assert orphans == [], f"messages whose sender is missing: {orphans[:10]}"
    assert all(sender_id in users for *_, sender_id in rows)
    stored = {client_id: (message_id, body) for message_id, client_id, body, _ in rows}
    assert len(stored) == len(rows), "a client_id is in the copy twice"
    with acks.lock:
        sent = set(acks.sent)
    assert set(stored) <= sent, f"messages nobody sent: {sorted(set(stored) - sent)[:10]}"
    before = acks.acked_before(started)
    missing = [(cid, mid) for cid, mid, body in before if stored.get(cid) != (mid, body)]
    assert missing == [], f"{len(missing)} of {len(before)} messages acknowledged before the backup are missing: {missing[:10]}"
    assert any(cid.startswith("newcomer-") for cid, _, _ in before), "no newcomer before the backup"
    assert len(rows) < acks.count(), "the copy holds messages acknowledged long after the backup"
    if url.startswith("sqlite"):
        # SQLite commits one after another, so ids grow in commit order: a snapshot holds
        # every acknowledged message up to its newest one, without a gap.
        newest = max(mid for mid, _ in stored.values())
        with acks.lock:
            gaps = [cid for _, cid, mid, _ in acks.acked if mid <= newest and cid not in stored]
        assert gaps == [], f"not one snapshot: acknowledged messages older than the newest copied are missing: {gaps[:10]}"
    return len(rows)


def test_sqlite_backup_under_chat_load_restores_every_acknowledged_message(tmp_path):
    server = LiveServer(tmp_path / "server", users=SENDERS, demo=False, env={"CHAT_RATE_LIMIT": "0"}).start()
    try:
        acks, started = backup_under_load(server, tmp_path / "backup.db")
    finally:
        server.stop()
    assert not server.errors_in_log(), server.errors_in_log()
    restored = f"sqlite:///{tmp_path / 'restored.db'}"
    result = flask_cli(restored, "restore", str(tmp_path / "backup.db"))
    assert result.returncode == 0, result.stdout + result.stderr
    assert check_restored(restored, tmp_path, acks, started) >= 150


def test_postgresql_backup_under_chat_load_restores_every_acknowledged_message(tmp_path):
    source, target = fresh_database(DATABASE_URL), fresh_database(RESTORE_DATABASE_URL)
    server = LiveServer(tmp_path / "server", users=SENDERS, demo=False,
                        env={"CHAT_RATE_LIMIT": "0", "DATABASE_URL": source}).start()
    try:
        acks, started = backup_under_load(server, tmp_path / "backup.dump")
    finally:
        server.stop()
    assert not server.errors_in_log(), server.errors_in_log()
    assert (tmp_path / "backup.dump").read_bytes()[:5] == b"PGDMP"  # pg_dump's custom format
    result = flask_cli(target, "restore", str(tmp_path / "backup.dump"))
    assert result.returncode == 0, result.stdout + result.stderr
    refused = flask_cli(target, "restore", str(tmp_path / "backup.dump"))
    assert refused.returncode == 1 and "not empty" in refused.stderr
    assert check_restored(target, tmp_path, acks, started) >= 150
