"""Join cost by room size (SPEC §5 "Large rooms"; run by hand, never in CI).

    .venv/bin/python bench/large_room.py                      # rooms of 10 and 5,000 present
    .venv/bin/python bench/large_room.py --sizes 10,1000 --joins 100

In one process, with Flask-SocketIO's test client (threading mode, SQLite in a temporary
file): for each size N, N people (accounts made in bulk, logged in through a session cookie
as bench/prepare_platform.py makes them) are connected and joined to one booth room; then
``--joins`` more people join it one after the other, each measured from emit to ack and
leaving again (not measured), so the room stays at N. The
test client delivers in memory, so a join's time is the server's work for it: the access
check, presence, the history and present list, and the events it broadcasts to the room
(every member's copy). Figures go to docs/PERFORMANCE.md ("Large rooms") by hand.
"""
from __future__ import annotations

import argparse
import gc
import hashlib
import os
import platform
import secrets
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="10,5000", help="people present before the measured joins")
    parser.add_argument("--joins", type=int, default=200, help="measured joins per size")
    parser.add_argument("--inline", action="store_true",
                        help="no presence_count loop: the join that is due sends it (as in the tests)")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]

    tmp = tempfile.mkdtemp(prefix="large-room-")
    os.environ.update({"DATABASE_URL": f"sqlite:///{tmp}/bench.db", "SECRET_KEY": secrets.token_hex(16),
                       "EXHIBITION_DEMO": "0", "SOCKETIO_ASYNC_MODE": "threading", "CHAT_RATE_LIMIT": "0"})
    os.environ.pop("SOCKETIO_MESSAGE_QUEUE", None)

    from sqlalchemy import insert, select
    from werkzeug.security import generate_password_hash

    from exhibition import create_app
    from exhibition.accounts.models import LoginSession, User
    from exhibition.accounts.views import LOGIN_KEY
    from exhibition.booths.models import Booth, BoothStaff
    from exhibition.extensions import db, socketio
    from exhibition.runtime.clock import utcnow
    try:  # a serving process runs the presence_count loop (not in the old code)
        from exhibition.realtime.presence import start_count_flusher
    except ImportError:
        start_count_flusher = None

    app = create_app({"TESTING": False}, instance_path=f"{tmp}/instance")
    if start_count_flusher is not None and "--inline" not in sys.argv:
        start_count_flusher(app)  # a thread here (threading mode), as in a serving process
    people = sum(sizes) + args.joins * len(sizes)
    with app.app_context():
        db.create_all()
        password_hash = generate_password_hash("bench-password", method="scrypt")
        now = utcnow()
        db.session.execute(insert(User), [
            {"email": f"bench{i}@example.test", "password_hash": password_hash, "display_name": f"Bench {i:05d}",
             "organisation": "Bench", "role": "attendee", "bio": "", "interests": [],
             "visible_in_directory": True, "created_at": now} for i in range(people)])
        db.session.execute(insert(Booth), [
            {"slug": f"room-{n}", "name": f"Room of {n}", "tagline": "", "description": "", "topics": [],
             "website": "", "video_url": "", "logo_url": "", "created_at": now} for n in sizes])
        db.session.commit()
        ids = list(db.session.scalars(select(User.id).order_by(User.id)))
        booths = {b.slug: b.id for b in db.session.scalars(select(Booth))}
        for n in sizes:  # the first person of each room staffs its booth
            db.session.add(BoothStaff(booth_id=booths[f"room-{n}"], user_id=ids[0]))
        tokens = {uid: secrets.token_urlsafe(32) for uid in ids}
        db.session.execute(insert(LoginSession), [
            {"token_hash": hashlib.sha256(token.encode()).hexdigest(), "user_id": uid, "created_at": now}
            for uid, token in tokens.items()])
        db.session.commit()
        serializer = app.session_interface.get_signing_serializer(app)
        cookie_name = app.config["SESSION_COOKIE_NAME"]
        cookies = {uid: serializer.dumps({"_user_id": str(uid), "_fresh": False, LOGIN_KEY: tokens[uid]})
                   for uid in ids}
        db.session.remove()

    def connect(uid: int):
        http = app.test_client()
        http.set_cookie(cookie_name, cookies[uid])
        client = socketio.test_client(app, flask_test_client=http)
        assert client.is_connected(), uid
        return client

    def drain(clients) -> int:
        return sum(len(c.get_received()) for c in clients)

    print(f"# large_room.py, {time.strftime('%Y-%m-%d %H:%M %Z')}, {platform.node()}, "
          f"Python {platform.python_version()}, {os.cpu_count()} CPUs", flush=True)
    print("| present | fill: s | join median ms | join p99 ms | join max ms | events per member per join+leave |")
    print("| ---: | ---: | ---: | ---: | ---: | ---: |")
    start_id = 1
    for n in sizes:
        room = f"booth:room-{n}"
        members = []
        began = time.perf_counter()
        for uid in [ids[0]] + ids[start_id:start_id + n - 1]:
            client = connect(uid)
            assert client.emit("join", {"room": room}, callback=True)["ok"]
            members.append(client)
            if len(members) % 200 == 0:
                drain(members)  # the test client keeps every event: do not let it pile up
        fill = time.perf_counter() - began
        start_id += n - 1
        drain(members)
        gc.collect()
        times, delivered = [], 0
        newcomers = [connect(uid) for uid in ids[start_id:start_id + args.joins]]
        start_id += args.joins
        for client in newcomers:
            t0 = time.perf_counter()
            answer = client.emit("join", {"room": room}, callback=True)
            times.append((time.perf_counter() - t0) * 1000)
            assert answer["ok"] and answer["present_count" if "present_count" in answer else "ok"]
            client.emit("leave", {"room": room}, callback=True)  # the room stays at n present
            delivered += drain(members)
        times.sort()
        p99 = times[min(len(times) - 1, int(len(times) * 0.99))]
        print(f"| {n:,} | {fill:.1f} | {statistics.median(times):.2f} | {p99:.2f} | {times[-1]:.2f} | "
              f"{delivered / max(1, len(newcomers)) / max(1, len(members)):.3f} |", flush=True)
        for client in members + newcomers:
            client.disconnect()


if __name__ == "__main__":
    main()
