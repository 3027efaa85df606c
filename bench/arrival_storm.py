"""The arrival storm (issue 11, SPEC §11), run by hand: N people really log in
(GET /api/csrf, POST /api/auth/login with the production scrypt cost), connect their
Socket.IO and join booth:elektromobilitaet-sued-west, 100 at a time, while a few
people chat in another booth. Reports login, connect and join p50/p99, failures, and
the chat's delivery latency before, during and after the storm.

The server starts as bench/run.py starts it (``python run.py``, eventlet, pinned to
core 1 unless ``--server-cores`` says otherwise); the clients are Node
(bench/arrival.js, official socket.io-client, one process on core 0; its CPU time is
reported so you can see it was not the bottleneck).

    bench/run.sh needs to have installed bench/node_modules once; then
    .venv/bin/python bench/arrival_storm.py [--users 1000] [--batch 100] [--database-url URL]
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))
sys.path.insert(1, str(BENCH.parent))

import run as bench  # noqa: E402  (bench/run.py: servers, preparation, machine)

STORM_BOOTH = "elektromobilitaet-sued-west"
CHAT_ROOM = "booth:bench-0"


def add_storm_booth(database_url: str) -> None:
    """The booth everyone arriving joins (prepare_platform makes bench-0 … only)."""
    from sqlalchemy import create_engine, insert

    from config import database_url as normalised
    from exhibition.booths.models import Booth
    from exhibition.runtime.clock import utcnow

    engine = create_engine(normalised(database_url))
    with engine.begin() as conn:
        conn.execute(insert(Booth), [{
            "slug": STORM_BOOTH, "name": "Elektromobilität Süd-West", "tagline": "", "description": "",
            "topics": [], "website": "", "video_url": "", "logo_url": "", "created_at": utcnow()}])
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=1000)
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--chatters", type=int, default=4, help="one sender, the others receive")
    parser.add_argument("--chat-rate", type=float, default=5, help="messages per second in the other room")
    parser.add_argument("--quiet-seconds", type=float, default=10)
    parser.add_argument("--database-url", default="sqlite", help="'sqlite' (a fresh file) or a PostgreSQL URL")
    parser.add_argument("--server-cores", default="1", help="taskset list for the server, '' for no pinning")
    parser.add_argument("--env", action="append", default=[], help="NAME=VALUE for the server (repeatable)")
    args = parser.parse_args()
    bench.RESULTS.mkdir(exist_ok=True)

    url = bench.database_for("sqlite") if args.database_url == "sqlite" else args.database_url
    cookies = bench.prepare(url, args.users + args.chatters, booths=1)
    add_storm_booth(url)
    chat_cookies = bench.RESULTS / "arrival-chat-cookies.json"
    chat_cookies.write_text(json.dumps(cookies[args.users:]))

    cores = args.server_cores
    original_pinned = bench.pinned
    bench.pinned = lambda core, cmd: original_pinned(cores, cmd) if (core == "1" and cores) else (
        cmd if core == "1" else original_pinned(core, cmd))
    extra = dict(item.split("=", 1) for item in args.env)
    port = bench.free_port()
    server = bench.Server("arrival", [bench.PY, "run.py"],
                          bench.server_env({"PORT": str(port), "DATABASE_URL": url, **extra}), port)
    try:
        options = {"url": server.url, "users": args.users, "first": 0, "batch": args.batch,
                   "room": f"booth:{STORM_BOOTH}", "chatRoom": CHAT_ROOM, "chatCookiesFile": str(chat_cookies),
                   "chatRate": args.chat_rate, "quietSeconds": args.quiet_seconds}
        cpu_before = bench.cpu_seconds(server.proc.pid)
        started = time.monotonic()
        proc = subprocess.Popen(original_pinned("0", ["node", str(BENCH / "arrival.js"), json.dumps(options)]),
                                cwd=str(bench.ROOT), stdout=subprocess.PIPE, text=True)
        assert proc.stdout is not None
        result: dict = {}
        for line in proc.stdout:
            event = json.loads(line)
            if event["event"] == "progress":
                print(f"  {event['arrived']} arrived, failures {event['failures']}", flush=True)
            else:
                result = event
        proc.wait()
        wall = time.monotonic() - started
        result.update(server_cpu_seconds=round(bench.cpu_seconds(server.proc.pid) - cpu_before, 1),
                      server_rss_mib=round(bench.rss_kb(server.proc.pid) / 1024, 1), wall_seconds=round(wall, 1))
    finally:
        server.stop()
    report = {"machine": bench.machine(), "database": "postgresql" if url.startswith("postgres") else "sqlite",
              "server_cores": cores or "all", "server_env": extra, "result": result}
    out = bench.RESULTS / f"arrival-{time.strftime('%Y%m%d-%H%M%S')}.json"
    out.write_text(json.dumps(report, indent=2))
    print(json.dumps(report, indent=2))
    print(f"written to {out}")


if __name__ == "__main__":
    main()
