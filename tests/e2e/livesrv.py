"""A real server process for the browser and crash tests, on its own SQLite file.

``LiveServer(tmp_path, users=[...]).start()`` runs ``tests/e2e/serve_for_tests.py``
(which does what ``python run.py`` does, under eventlet) on a free port, waits for
``/healthz``, and can be killed with SIGKILL and started again on the same database.
These tests never touch the suite's database, so they are marked ``sqlite_only`` and
run once per CI run."""
from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[2]
LAUNCHER = Path(__file__).resolve().parent / "serve_for_tests.py"
PASSWORD = "e2e-password-1"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LiveServer:
    def __init__(self, workdir: Path, users: list[dict] | None = None, demo: bool = True,
                 env: dict | None = None):
        self.workdir = Path(workdir)
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.db_path = self.workdir / "e2e.db"
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.users = users or []
        self.demo = demo
        self.extra_env = env or {}
        self.process: subprocess.Popen | None = None
        self.log_path = self.workdir / "server.log"
        self.starts = 0

    def env(self) -> dict:
        env = {k: v for k, v in os.environ.items() if k not in ("TEST_DATABASE_URL",)}
        env.update({
            "HOST": "127.0.0.1", "PORT": str(self.port),
            "DATABASE_URL": f"sqlite:///{self.db_path}",
            "SECRET_KEY": "e2e-secret-key",
            "EXHIBITION_DEMO": "1" if self.demo else "0",
            "SOCKETIO_ASYNC_MODE": "eventlet",
            "E2E_INSTANCE": str(self.workdir / "instance"),
            "E2E_USERS": json.dumps(self.users),
            "E2E_PASSWORD": PASSWORD,
            "PYTHONUNBUFFERED": "1",
        })
        env.pop("SOCKETIO_MESSAGE_QUEUE", None)
        env.update(self.extra_env)
        return env

    def start(self, timeout: float = 60) -> LiveServer:
        self.starts += 1
        log = self.log_path.open("a")
        log.write(f"\n===== start {self.starts}\n")
        log.flush()
        self.process = subprocess.Popen([sys.executable, str(LAUNCHER)], cwd=str(ROOT), env=self.env(),
                                        stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited with {self.process.returncode}:\n{self.log()}")
            try:
                if requests.get(self.url + "/healthz", timeout=1).status_code == 200:
                    return self
            except requests.RequestException:
                pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"server did not answer /healthz:\n{self.log()}")

    def kill(self) -> None:
        """SIGKILL: no clean shutdown, no flushing, like a crash."""
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")[-6000:] if self.log_path.exists() else ""

    def errors_in_log(self) -> list[str]:
        """Tracebacks the server logged (an unhandled error is a bug even if the client coped)."""
        text = self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
        return [chunk[:1500] for chunk in text.split("Traceback (most recent call last):")[1:]]


def until(condition, timeout: float = 30, step: float = 0.2):
    """Poll ``condition`` until it is truthy or the (generous) bound passes; its last value."""
    deadline = time.monotonic() + timeout
    value = condition()
    while not value and time.monotonic() < deadline:
        time.sleep(step)
        value = condition()
    return value


def http_login(base_url: str, email: str, password: str = PASSWORD) -> requests.Session:
    """A requests session logged in through the JSON API (CSRF header included)."""
    http = requests.Session()
    token = http.get(base_url + "/api/csrf", timeout=10).json()["csrf_token"]
    http.headers["X-CSRFToken"] = token
    response = http.post(base_url + "/api/auth/login", json={"email": email, "password": password}, timeout=10)
    assert response.status_code == 200, response.text
    return http


def handle_events_in_wire_order(client) -> None:
    """Call after ``client.connect``: python-socketio's client hands every incoming event
    to a new thread, so handlers can run (and record) out of the order the server sent
    them. From now on they run one after another in the read loop, in wire order.
    Only for clients without automatic reconnection (a reconnect would run inline too)."""
    assert not client.reconnection, "a reconnecting client would reconnect inside its read loop"
    client.eio.start_background_task = lambda target, *args, **kwargs: target(*args, **kwargs)


def cookie_header(http: requests.Session) -> str:
    """The Cookie header of a logged-in requests session (for Socket.IO clients)."""
    return "; ".join(f"{c.name}={c.value}" for c in http.cookies)


def raw_socket(server: LiveServer, cookie: str, timeout: float = 5):
    """An Engine.IO v4 websocket with the default namespace connected (websocket-client)."""
    import websocket

    ws = websocket.create_connection(f"ws://127.0.0.1:{server.port}/socket.io/?EIO=4&transport=websocket",
                                     header=[f"Cookie: {cookie}"], timeout=timeout)
    assert ws.recv().startswith("0")  # open
    ws.send("40")
    assert ws.recv().startswith("40")  # namespace connected
    return ws
