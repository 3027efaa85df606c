"""Prepare a database for the platform benchmark: the schema, N attendee accounts
(one precomputed scrypt hash for all: creating 10,000 accounts must not take 10,000
slow hashes), B booths ``bench-0`` … and a signed session cookie per account.

The cookies are what a login would set (Flask-Login's ``_user_id`` in Flask's signed
session), made with the server's SECRET_KEY instead of 10,000 logins: the benchmark
measures holding and using connections, not password hashing. (A real login works
too: every account's password is ``bench-password``.)

    python bench/prepare_platform.py --database-url URL --secret-key K --users N --booths B --out FILE
        [--sessions S --staff-every K --accounts-out FILE]   # the conference day (bench/confday.js)

The conference day logs everyone in for real (the stored hash is real scrypt, so each login
runs the full check); it uses the accounts file, not the cookies.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import secrets
import sys
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--secret-key", required=True)
    parser.add_argument("--users", type=int, default=10000)
    parser.add_argument("--booths", type=int, default=20)
    parser.add_argument("--out", required=True)
    parser.add_argument("--sessions", type=int, default=0,
                        help="sessions running now (the conference day's session rooms)")
    parser.add_argument("--staff-every", type=int, default=0,
                        help="every K-th account staffs a booth (round robin); 0: nobody")
    parser.add_argument("--accounts-out",
                        help="also write {accounts: [{id, email, password, staff_booth}], booths, sessions} here")
    parser.add_argument("--instance", default=str(ROOT / "bench" / "results" / "instance"))
    args = parser.parse_args()
    os.environ.update({"DATABASE_URL": args.database_url, "SECRET_KEY": args.secret_key,
                       "EXHIBITION_DEMO": "0", "SOCKETIO_ASYNC_MODE": "threading"})
    os.environ.pop("SOCKETIO_MESSAGE_QUEUE", None)

    from sqlalchemy import insert, text
    from werkzeug.security import generate_password_hash

    from exhibition import create_app
    from exhibition.accounts.models import LoginSession, User
    from exhibition.accounts.views import LOGIN_KEY
    from exhibition.booths.models import Booth, BoothStaff
    from exhibition.extensions import db
    from exhibition.runtime.clock import utcnow
    from exhibition.schedule.models import Session

    app = create_app(instance_path=args.instance)
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            db.session.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
            db.session.commit()
        else:
            db.drop_all()
        if any((ROOT / "migrations" / "versions").glob("*.py")):
            from flask_migrate import upgrade
            upgrade()
        else:
            db.create_all()
        password_hash = generate_password_hash("bench-password", method="scrypt")
        now = utcnow()
        db.session.execute(insert(User), [
            {"email": f"bench{i}@example.test", "password_hash": password_hash, "display_name": f"Bench {i}",
             "organisation": "Bench", "role": "attendee", "bio": "", "interests": [],
             "visible_in_directory": True, "created_at": now} for i in range(args.users)])
        db.session.execute(insert(Booth), [
            {"slug": f"bench-{b}", "name": f"Bench booth {b}", "tagline": "", "description": "", "topics": [],
             "website": "", "video_url": "", "logo_url": "", "created_at": now} for b in range(args.booths)])
        db.session.commit()
        ids = [row[0] for row in db.session.execute(text("SELECT id FROM users ORDER BY id"))]
        booth_ids = [row[0] for row in db.session.execute(text("SELECT id FROM booths ORDER BY id"))]
        staff_booth: dict[int, int] = {}  # account index -> booth index
        if args.staff_every and booth_ids:
            for k, i in enumerate(range(0, len(ids), args.staff_every)):
                staff_booth[i] = k % len(booth_ids)
            db.session.execute(insert(BoothStaff), [{"booth_id": booth_ids[b], "user_id": ids[i]}
                                                    for i, b in staff_booth.items()])
        if args.sessions:
            db.session.execute(insert(Session), [
                {"title": f"Bench session {k}", "abstract": "", "starts_at": now - timedelta(minutes=10),
                 "ends_at": now + timedelta(hours=3), "room": f"Hall {k}", "track": "Bench", "speakers": [],
                 "booth_id": None, "created_at": now, "updated_at": now} for k in range(args.sessions)])
        db.session.commit()
        session_ids = [row[0] for row in db.session.execute(text("SELECT id FROM sessions ORDER BY id"))]
        # One open login per account, as a login through the API would make it.
        tokens = {uid: secrets.token_urlsafe(32) for uid in ids}
        db.session.execute(insert(LoginSession), [
            {"token_hash": hashlib.sha256(token.encode()).hexdigest(), "user_id": uid, "created_at": now}
            for uid, token in tokens.items()])
        db.session.commit()
        serializer = app.session_interface.get_signing_serializer(app)
        name = app.config["SESSION_COOKIE_NAME"]
        cookies = [f"{name}={serializer.dumps({'_user_id': str(uid), '_fresh': False, LOGIN_KEY: tokens[uid]})}"
                   for uid in ids]
        db.session.remove()
        db.engine.dispose()
    Path(args.out).write_text(json.dumps(cookies))
    if args.accounts_out:
        Path(args.accounts_out).write_text(json.dumps({
            "accounts": [{"id": uid, "email": f"bench{i}@example.test", "password": "bench-password",
                          "staff_booth": staff_booth.get(i)} for i, uid in enumerate(ids)],
            "booths": [f"bench-{b}" for b in range(args.booths)], "sessions": session_ids}))
    print(f"{len(cookies)} accounts, {args.booths} booths ready", flush=True)


if __name__ == "__main__":
    main()
