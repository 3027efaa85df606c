"""The floor: a bare Flask-SocketIO server on eventlet (no auth, no database, no
presence), with the same events the load generator uses on the platform:

- ``join {room}`` → ack ``{ok, room}``;
- ``send {room, body, client_id}`` → broadcast ``message {room, body, client_id}`` to the
  room, ack ``{ok, message}``.

Server settings: ``--defaults`` serves with socketio.run's eventlet defaults (1,024
connections, no TCP_NODELAY, permessage-deflate accepted); otherwise with the
platform's settings (exhibition/serving.py), so that the ratios measure the
platform's own work, not its server settings. Settings can also be flipped one by
one (--nodelay 0/1, --deflate 0/1, --max-connections N, --gc-threshold a,b,c) to
measure each of them.

    python bench/floor_server.py --port 6001
"""
import eventlet

eventlet.monkey_patch()

import argparse  # noqa: E402
import socket  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask import Flask  # noqa: E402
from flask_socketio import SocketIO, emit, join_room  # noqa: E402


def build() -> tuple[Flask, SocketIO]:
    app = Flask("floor")
    sio = SocketIO(app, async_mode="eventlet", cors_allowed_origins="*")
    counter = {"id": 0}

    @app.get("/healthz")
    def healthz():
        return {"status": "ok"}

    @sio.on("join")
    def on_join(data):
        join_room(data["room"])
        return {"ok": True, "room": data["room"]}

    @sio.on("send")
    def on_send(data):
        counter["id"] += 1
        message = {"id": counter["id"], "room": data["room"], "body": data["body"],
                   "client_id": data.get("client_id"), "sender": {"id": 0, "display_name": "floor"}}
        emit("message", message, to=data["room"])
        return {"ok": True, "message": message}

    return app, sio


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=6001)
    parser.add_argument("--defaults", action="store_true", help="socketio.run's eventlet defaults")
    parser.add_argument("--nodelay", type=int, default=1)
    parser.add_argument("--deflate", type=int, default=0)
    parser.add_argument("--max-connections", type=int, default=10000)
    parser.add_argument("--backlog", type=int, default=2048)
    parser.add_argument("--gc-threshold", default="", help="the platform's SERVER_GC_THRESHOLD (default: Python's)")
    args = parser.parse_args()
    app, sio = build()
    if args.gc_threshold:  # the same freeze + thresholds as the platform (exhibition/serving.py: tune_gc)
        import gc

        from exhibition.runtime.serving import gc_threshold
        gc.collect()
        gc.freeze()
        gc.set_threshold(*gc_threshold(args.gc_threshold))
    print(f"floor on {args.host}:{args.port}", flush=True)
    if args.defaults:
        sio.run(app, host=args.host, port=args.port, log_output=False)
        return
    import eventlet.wsgi

    from exhibition.runtime.serving import DeclineWebSocketCompression, listening_socket, raise_open_files_limit
    if not args.deflate:
        app.wsgi_app = DeclineWebSocketCompression(app.wsgi_app)
    raise_open_files_limit(args.max_connections + 256)
    sock = listening_socket(eventlet.green.socket.socket(socket.AF_INET, socket.SOCK_STREAM),
                            args.host, args.port, args.backlog, bool(args.nodelay))
    eventlet.wsgi.server(sock, app, log_output=False, max_size=args.max_connections, socket_timeout=None)


if __name__ == "__main__":
    main()
