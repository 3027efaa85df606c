"""Debian's nginx in front of two real processes on PostgreSQL + Redis, as in production:

- the test's nginx.conf is made from deploy/nginx.conf: its ``upstream`` (the sticky
  hash, with this test's two ports), its ``map`` for the Upgrade header and the
  ``location`` blocks of its TLS server, verbatim; served over plain HTTP on a free port,
  with one test-only header (``X-Upstream``: which process answered);
- each client address sticks to one process; one client is pinned to each process
  (source addresses on the loopback network), both talk WebSocket through the proxy,
  and a message sent by either reaches the other;
- /static/ is served by nginx from the checkout, without the app;
- a process that gets SIGTERM drains: its client reconnects through nginx to the other
  process by itself and chats on.

nginx runs as a child of the test (``daemon off``) with its own prefix, pid and log
files, and is stopped at the end. Missing nginx is a failure (``./dev test`` installs it)."""
from __future__ import annotations

import http.client
import os
import pwd
import re
import shutil
import signal
import socket
import subprocess
import threading
import time
from pathlib import Path

import pytest
import socketio

from .livesrv import ROOT, LiveServer, cookie_header, free_port, http_login
from .pgredis import fresh_database, fresh_redis

pytestmark = [pytest.mark.e2e, pytest.mark.sqlite_only]

USERS = [{"email": "ann@example.test", "name": "Ann", "role": "attendee"},
         {"email": "bob@example.test", "name": "Bob", "role": "attendee"}]
TEMPLATE = ROOT / "deploy" / "nginx.conf"


def block(text: str, header: str) -> str:
    """The ``header { ... }`` block of an nginx config (braces balanced), header included."""
    start = text.index(header)
    depth, i = 0, text.index("{", start)
    while True:
        if text[i] == "{":
            depth += 1
        elif text[i] == "}":
            depth -= 1
            if depth == 0:
                return text[start:i + 1]
        i += 1


def tls_server(text: str) -> str:
    """The server block of the template that has the certificates."""
    for match in re.finditer(r"^server \{", text, re.M):
        server = block(text[match.start():], "server {")
        if "ssl_certificate" in server:
            return server
    raise AssertionError("deploy/nginx.conf has no TLS server block")


def nginx_config(prefix: Path, port: int, backends: list[int]) -> str:
    """nginx.conf for the test, made from the template's blocks."""
    template = TEMPLATE.read_text()
    upstream = block(template, "upstream exhibition {")
    upstream = re.sub(r"^\s*server 127\.0\.0\.1:\d+.*\n", "", upstream, flags=re.M)
    assert "hash $remote_addr consistent;" in upstream
    servers = "".join(f"    server 127.0.0.1:{p} max_fails=1 fail_timeout=5s;\n" for p in backends)
    upstream = upstream.replace("{\n", "{\n" + servers, 1)
    upgrade_map = block(template, "map $http_upgrade $connection_upgrade {")
    server = tls_server(template)
    locations = "\n".join(block(server, f"location {path} {{").replace("/srv/exhibition", str(ROOT))
                          for path in ("/static/", "/socket.io/", "/"))
    user = f"user {pwd.getpwuid(os.getuid()).pw_name};" if os.geteuid() == 0 else ""  # workers read the checkout
    temp = "\n".join(f"    {kind}_temp_path {prefix}/{kind}_temp;" for kind in
                     ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    return f"""{user}
daemon off;
master_process on;
worker_processes 1;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log info;
events {{ worker_connections 512; }}
http {{
    include /etc/nginx/mime.types;
    log_format upstreams '$remote_addr|$upstream_addr|$status|$request';
    access_log {prefix}/access.log upstreams;
{temp}
{upstream}
{upgrade_map}
    server {{
        listen 127.0.0.1:{port};
        add_header X-Upstream $upstream_addr always;   # test only: which process answered
{locations}
    }}
}}
"""


class Nginx:
    def __init__(self, prefix: Path, backends: list[int]):
        binary = shutil.which("nginx") or "/usr/sbin/nginx"
        assert Path(binary).exists(), "nginx is missing: ./dev test installs it (apt-get install nginx)"
        self.prefix = prefix
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.conf = prefix / "nginx.conf"
        self.conf.write_text(nginx_config(prefix, self.port, backends))
        subprocess.run([binary, "-t", "-p", str(prefix), "-c", str(self.conf), "-e", str(prefix / "error.log")],
                       check=True, capture_output=True, timeout=30)
        self.process = subprocess.Popen([binary, "-p", str(prefix), "-c", str(self.conf),
                                         "-e", str(prefix / "error.log")],
                                        stdout=subprocess.DEVNULL, stderr=(prefix / "stderr.log").open("w"))
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            assert self.process.poll() is None, self.log("error.log")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                time.sleep(0.1)
        raise AssertionError("nginx did not listen: " + self.log("error.log"))

    def log(self, name: str) -> str:
        path = self.prefix / name
        return path.read_text(errors="replace") if path.exists() else ""

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGQUIT)  # graceful: workers finish, then the master exits
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)

    def get(self, path: str, source: str = "127.0.0.1") -> http.client.HTTPResponse:
        """GET through nginx from a given loopback source address."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10, source_address=(source, 0))
        conn.request("GET", path)
        response = conn.getresponse()
        response.body = response.read()  # type: ignore[attr-defined]
        conn.close()
        return response


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    env = {"DATABASE_URL": fresh_database(), "SOCKETIO_MESSAGE_QUEUE": fresh_redis(), "CHAT_RATE_LIMIT": "0",
           "PRESENCE_TTL": "3"}
    a = LiveServer(tmp_path_factory.mktemp("nginx-a"), users=USERS, demo=False, env=env).start()
    b = LiveServer(tmp_path_factory.mktemp("nginx-b"), users=USERS, demo=False, env=env).start()
    proxy = Nginx(tmp_path_factory.mktemp("nginx-prefix"), [a.port, b.port])
    yield proxy, a, b
    proxy.stop()
    for server in (a, b):
        server.stop()
    assert proxy.process.returncode == 0, proxy.log("error.log")
    for server in (a, b):
        assert server.errors_in_log() == [], server.log()


def pinned_addresses(proxy: Nginx, a: LiveServer, b: LiveServer) -> dict[int, str]:
    """A loopback source address for each process (the hash decides which goes where)."""
    found: dict[int, str] = {}
    for last in range(2, 60):
        source = f"127.0.0.{last}"
        upstream = proxy.get("/healthz", source).getheader("X-Upstream") or ""
        port = int(upstream.rsplit(":", 1)[1])
        found.setdefault(port, source)
        if len(found) == 2:
            break
    assert set(found) == {a.port, b.port}, found
    return found


class Client:
    """A logged-in person whose WebSocket goes through nginx from one source address."""

    def __init__(self, proxy: Nginx, email: str, source: str):
        http = http_login(proxy.url, email)  # the login itself goes through nginx too
        self.proxy, self.source, self.cookie = proxy, source, cookie_header(http)
        self.messages: list[dict] = []
        self.connects = 0
        self.changed = threading.Condition()
        self.sio = socketio.Client(reconnection=True, reconnection_delay=0.2, reconnection_delay_max=1)
        self.sio.on("message", self._message)
        self.sio.on("connect", self._connected)
        self._connect_from_source()
        # websocket-client sends Origin: http://127.0.0.1:<nginx's port>, as a browser would:
        # the server accepts it only if nginx forwarded the Host with its port
        self.sio.connect(proxy.url, transports=["websocket"], wait_timeout=10, headers={"Cookie": self.cookie})

    def _connect_from_source(self) -> None:
        # websocket-client takes a connected socket: the one bound to this client's address
        # (set again before every reconnect, as each connection needs its own socket)
        def fresh_socket() -> socket.socket:
            return socket.create_connection(("127.0.0.1", self.proxy.port), timeout=10,
                                            source_address=(self.source, 0))
        eio = self.sio.eio
        original = eio._connect_websocket

        def connect_websocket(url, headers, engineio_path):
            eio.websocket_extra_options = {"socket": fresh_socket()}
            return original(url, headers, engineio_path)
        eio._connect_websocket = connect_websocket

    def _message(self, message: dict) -> None:
        with self.changed:
            self.messages.append(message)
            self.changed.notify_all()

    def _connected(self) -> None:
        with self.changed:
            self.connects += 1
            self.changed.notify_all()

    def wait(self, predicate, timeout: float = 20) -> bool:
        with self.changed:
            return self.changed.wait_for(predicate, timeout=timeout)

    def call(self, event: str, payload: dict) -> dict:
        return self.sio.call(event, payload, timeout=10)


def websocket_upstreams(proxy: Nginx) -> dict[str, set[str]]:
    """source address -> upstreams its WebSocket upgrades (status 101) went to, from the
    access log (an upstream tried first and refused comes first: "B, A")."""
    seen: dict[str, set[str]] = {}
    for line in proxy.log("access.log").splitlines():
        source, upstream, status, request = line.split("|", 3)
        upstream = upstream.split(", ")[-1]
        if "transport=websocket" in request and status == "101":
            seen.setdefault(source, set()).add(upstream)
    return seen


def test_nginx_pins_one_client_to_each_process_and_chat_crosses_between_them(cluster, tmp_path):
    proxy, a, b = cluster
    pinned = pinned_addresses(proxy, a, b)
    for port, source in pinned.items():  # sticky: the same address, the same process, every time
        assert {proxy.get("/healthz", source).getheader("X-Upstream") for _ in range(5)} == {f"127.0.0.1:{port}"}

    static = proxy.get("/static/css/app.css")
    assert static.status == 200 and static.body == (ROOT / "static/css/app.css").read_bytes()  # type: ignore[attr-defined]
    assert static.getheader("X-Upstream") is None  # nginx served it; no process saw the request

    ann = Client(proxy, "ann@example.test", pinned[a.port])
    bob = Client(proxy, "bob@example.test", pinned[b.port])
    try:
        assert ann.sio.transport() == "websocket" and bob.sio.transport() == "websocket"
        assert ann.call("join", {"room": "lobby"})["ok"] and bob.call("join", {"room": "lobby"})["ok"]
        ack = ann.call("send", {"room": "lobby", "body": "via nginx from A", "client_id": "ngx-a"})
        assert ack["ok"], ack
        assert bob.wait(lambda: any(m["client_id"] == "ngx-a" for m in bob.messages))
        ack = bob.call("send", {"room": "lobby", "body": "via nginx from B", "client_id": "ngx-b"})
        assert ack["ok"], ack
        assert ann.wait(lambda: any(m["client_id"] == "ngx-b" for m in ann.messages))

        # B drains on SIGTERM: Bob's client reconnects through nginx, now to A, and chats on
        assert b.process is not None
        b.process.send_signal(signal.SIGTERM)
        assert b.process.wait(timeout=15) == 0, b.log()
        assert bob.wait(lambda: bob.connects >= 2), proxy.log("error.log")
        assert bob.call("join", {"room": "lobby"})["ok"]
        ack = bob.call("send", {"room": "lobby", "body": "after the restart", "client_id": "ngx-b2"})
        assert ack["ok"], ack
        assert ann.wait(lambda: any(m["client_id"] == "ngx-b2" for m in ann.messages))
    finally:
        for client in (ann, bob):
            client.sio.disconnect()
    b.start()  # for the fixture's clean stop

    # The access log is written when a WebSocket ends: each client's upgrades (101) went
    # to its pinned process, Bob's reconnect to A once B was gone.
    upstreams = websocket_upstreams(proxy)
    assert upstreams[pinned[a.port]] == {f"127.0.0.1:{a.port}"}, proxy.log("access.log")
    assert upstreams[pinned[b.port]] == {f"127.0.0.1:{b.port}", f"127.0.0.1:{a.port}"}, proxy.log("access.log")


def test_the_whole_example_with_tls_and_hsts_is_valid_nginx_config(tmp_path):
    """``nginx -t`` on deploy/nginx.conf as installed (in http{}), with a throw-away
    self-signed certificate in place of the commented certificate paths."""
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj",
                    "/CN=conference.example.org", "-keyout", str(tmp_path / "key.pem"),
                    "-out", str(tmp_path / "cert.pem")], check=True, capture_output=True, timeout=60)
    site = (TEMPLATE.read_text()
            .replace("/etc/letsencrypt/live/conference.example.org/fullchain.pem", str(tmp_path / "cert.pem"))
            .replace("/etc/letsencrypt/live/conference.example.org/privkey.pem", str(tmp_path / "key.pem")))
    assert "Strict-Transport-Security" in site and "ssl_certificate" in site
    conf = tmp_path / "nginx.conf"
    conf.write_text(f"pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\nevents {{}}\n"
                    f"http {{\n    access_log off;\n{site}\n}}\n")
    binary = shutil.which("nginx") or "/usr/sbin/nginx"
    result = subprocess.run([binary, "-t", "-p", str(tmp_path), "-c", str(conf), "-e", str(tmp_path / "error.log")],
                            capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stderr
