"""How one process serves HTTP and Socket.IO: the server settings that matter under
load, each chosen on measurements (docs/PERFORMANCE.md) and each configurable
(docs/SCALING.md):

- ``SERVER_MAX_CONNECTIONS`` (10000): eventlet's wsgi server caps simultaneous
  connections at 1,024 unless told otherwise, and a connection above the cap waits
  in the backlog until it times out. Socket.IO holds a connection per person, so
  the cap is raised, and the open-files limit with it.
- ``SERVER_BACKLOG`` (2048): eventlet's default listen backlog is 50, too few when a
  hall of people reconnects at once after a restart (the kernel caps it at somaxconn).
- ``SERVER_TCP_NODELAY`` (1): without it, a small second write (an ack after the
  frame header, a message after an ack) waits for the client's delayed ACK, about
  40 ms. Set on the listening socket; Linux hands it on to accepted sockets.
- ``SOCKETIO_WEBSOCKET_COMPRESSION`` (0): browsers offer permessage-deflate and
  eventlet accepts it; every connection then keeps two zlib streams (measured: 64 →
  154 KB per connection) and each fan-out compresses per receiver. Chat messages
  are small, so the offer is declined unless this is 1.
- ``SERVER_GC_THRESHOLD`` ("10000,10,10"): Python's cyclic garbage collector with its
  defaults (700,10,10) runs a young collection every 700 allocations, and its older
  collections walk every object of a process that holds thousands of connections;
  those pauses stop every client at once (fan-out to 1,000 receivers: p99 108 ms).
  Objects made at start-up are frozen out of collection (``gc.freeze``) and the young
  generation is collected every 10,000 allocations (p99 26 ms). Empty: Python's own.
- ``SOCKETIO_SEND_QUEUE_LIMIT`` (1000): packets waiting for one connection. A client that
  stops reading (a frozen tab, a dead network that has not timed out yet) would make its
  queue grow with every event of its rooms until the ping timeout (45 s); past the limit
  the connection is dropped instead (exhibition/realtime/backpressure.py) and the client,
  if alive, reconnects and catches up with ``history``.
"""
from __future__ import annotations

import gc
import os
import resource
import socket
from collections.abc import Callable, Mapping
from typing import Any

from flask import Flask

from exhibition.runtime.sqlite import install as tune_sqlite

DEFAULTS: dict[str, Any] = {
    "SERVER_MAX_CONNECTIONS": 10000,
    "SERVER_BACKLOG": 2048,
    "SERVER_TCP_NODELAY": True,
    "SOCKETIO_WEBSOCKET_COMPRESSION": False,
    "SERVER_GC_THRESHOLD": "10000,10,10",
    "SOCKETIO_SEND_QUEUE_LIMIT": 1000,
}


def _flag(raw: str | None, default: bool) -> bool:
    if raw is None or raw.strip() == "":
        return default
    return raw.strip().lower() not in ("0", "false", "no", "off")


def settings_from_env(env: Mapping[str, str] | None = None) -> dict:
    """The serving settings from the environment (config.load_config merges them)."""
    env = os.environ if env is None else env
    return {
        "SERVER_MAX_CONNECTIONS": int(env.get("SERVER_MAX_CONNECTIONS") or DEFAULTS["SERVER_MAX_CONNECTIONS"]),
        "SERVER_BACKLOG": int(env.get("SERVER_BACKLOG") or DEFAULTS["SERVER_BACKLOG"]),
        "SERVER_TCP_NODELAY": _flag(env.get("SERVER_TCP_NODELAY"), DEFAULTS["SERVER_TCP_NODELAY"]),
        "SOCKETIO_WEBSOCKET_COMPRESSION": _flag(env.get("SOCKETIO_WEBSOCKET_COMPRESSION"),
                                                DEFAULTS["SOCKETIO_WEBSOCKET_COMPRESSION"]),
        "SERVER_GC_THRESHOLD": gc_threshold(env.get("SERVER_GC_THRESHOLD", DEFAULTS["SERVER_GC_THRESHOLD"])),
        "SOCKETIO_SEND_QUEUE_LIMIT": int(env.get("SOCKETIO_SEND_QUEUE_LIMIT")
                                         or DEFAULTS["SOCKETIO_SEND_QUEUE_LIMIT"]),
    }


def gc_threshold(raw: str) -> tuple[int, ...] | None:
    """"a,b,c" (1–3 positive integers) → a tuple for gc.set_threshold; "" → None (Python's own)."""
    raw = (raw or "").strip()
    if not raw:
        return None
    try:
        values = tuple(int(part) for part in raw.split(","))
    except ValueError:
        values = ()
    if not 1 <= len(values) <= 3 or min(values) < 1:
        raise ValueError(f"SERVER_GC_THRESHOLD must be one to three positive integers like 10000,10,10, not {raw!r}")
    return values


def tune_gc(app: Flask) -> None:
    """Before serving: freeze what start-up made and set the collection thresholds."""
    threshold = setting(app, "SERVER_GC_THRESHOLD")
    if threshold:
        gc.collect()
        gc.freeze()
        gc.set_threshold(*threshold)


def setting(app: Flask, name: str) -> Any:
    if name in app.config:
        return app.config[name]
    return settings_from_env()[name]


class DeclineWebSocketCompression:
    """WSGI middleware: hide the client's Sec-WebSocket-Extensions offer, so the
    WebSocket server (eventlet's, or simple-websocket's) answers without
    permessage-deflate. Plain HTTP requests pass untouched."""

    def __init__(self, wsgi_app: Callable) -> None:
        self.wsgi_app = wsgi_app

    def __call__(self, environ: dict, start_response: Callable):
        environ.pop("HTTP_SEC_WEBSOCKET_EXTENSIONS", None)
        return self.wsgi_app(environ, start_response)


def install(app: Flask) -> None:
    """Called by create_app after Socket.IO is set up: the middleware goes outermost."""
    if not setting(app, "SOCKETIO_WEBSOCKET_COMPRESSION"):
        app.wsgi_app = DeclineWebSocketCompression(app.wsgi_app)  # type: ignore[method-assign]
    tune_sqlite()  # WAL: a commit no longer stalls the process for several fsyncs


def raise_open_files_limit(wanted: int) -> int:
    """Raise the soft limit of open files towards ``wanted`` (at most the hard limit)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != resource.RLIM_INFINITY and soft < wanted:
        new = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
        resource.setrlimit(resource.RLIMIT_NOFILE, (new, hard))
        soft = new
    return soft


def listening_socket(sock: socket.socket, host: str, port: int, backlog: int, nodelay: bool) -> socket.socket:
    """Bind ``sock`` (a green socket for eventlet/gevent). No SO_REUSEPORT: a second
    process on the same port must fail loudly, not share the port silently."""
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if nodelay:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sock.bind((host, port))
    sock.listen(backlog)
    return sock


STOP_GRACE = 2.0  # seconds after the drain for HTTP requests still running


def serve_eventlet(app: Flask, host: str, port: int, on_stop: Callable[[], None] = lambda: None) -> None:
    """Serve until SIGTERM (or SIGINT), then stop accepting, run ``on_stop`` (the drain),
    give running requests ``STOP_GRACE`` seconds and return."""
    import signal

    import eventlet
    import eventlet.event
    import eventlet.wsgi

    max_connections = setting(app, "SERVER_MAX_CONNECTIONS")
    limit = raise_open_files_limit(max_connections + 256)
    if limit < max_connections + 64:
        print(f"warning: open files limit {limit} is below SERVER_MAX_CONNECTIONS={max_connections}", flush=True)
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = listening_socket(eventlet.green.socket.socket(family, socket.SOCK_STREAM), host, port,
                            setting(app, "SERVER_BACKLOG"), setting(app, "SERVER_TCP_NODELAY"))
    pool = eventlet.GreenPool(max_connections)
    stopped = eventlet.event.Event()

    def accept() -> None:
        try:
            eventlet.wsgi.server(sock, app, log_output=False, max_size=max_connections,
                                 socket_timeout=None, keepalive=True, custom_pool=pool)
        except OSError:  # the listening socket was closed under accept(): the stop has begun
            pass

    def stop() -> None:
        sock.close()  # no new connections; the proxy sends them to the other processes
        on_stop()
        with eventlet.Timeout(STOP_GRACE, False):
            while pool.running():
                eventlet.sleep(0.05)
        stopped.send()

    def on_signal(_signum: int, _frame: Any) -> None:
        # A Python signal handler runs in whichever green thread was interrupted:
        # the stop runs in a green thread of its own, once.
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        eventlet.spawn(stop)

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    eventlet.spawn(accept)
    stopped.wait()
    print("stopped (SIGTERM): connections drained", flush=True)


def serve_gevent(app: Flask, host: str, port: int, on_stop: Callable[[], None] = lambda: None) -> None:
    """As serve_eventlet, under gevent: SIGTERM closes the listener, runs ``on_stop``,
    and returns, killing requests still running after ``STOP_GRACE`` seconds."""
    import signal

    import gevent
    import gevent.event
    from gevent import pywsgi
    from gevent import socket as gsocket
    from gevent.pool import Pool

    max_connections = setting(app, "SERVER_MAX_CONNECTIONS")
    raise_open_files_limit(max_connections + 256)
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = listening_socket(gsocket.socket(family, socket.SOCK_STREAM), host, port,
                            setting(app, "SERVER_BACKLOG"), setting(app, "SERVER_TCP_NODELAY"))
    pool = Pool(max_connections)
    kwargs: dict[str, Any] = {"spawn": pool, "log": None}
    try:  # gevent-websocket if installed (engine.io then expects its handler), else simple-websocket
        from geventwebsocket.handler import WebSocketHandler
        kwargs["handler_class"] = WebSocketHandler
    except ImportError:
        pass
    server = pywsgi.WSGIServer(sock, app, **kwargs)
    stopped = gevent.event.Event()

    def stop() -> None:
        server.close()  # no new connections (serve_forever would return here: not used)
        on_stop()
        pool.join(timeout=STOP_GRACE)
        pool.kill(block=True, timeout=1)
        stopped.set()

    def on_signal() -> None:
        for handler in handlers:
            handler.cancel()  # once
        gevent.spawn(stop)

    handlers = [gevent.signal_handler(signal.SIGTERM, on_signal), gevent.signal_handler(signal.SIGINT, on_signal)]
    server.start()
    stopped.wait()
    print("stopped (SIGTERM): connections drained", flush=True)
