"""Start the platform as ``python run.py`` does, plus the accounts a test asks for.

Environment (set by livesrv.LiveServer): the usual settings, and E2E_INSTANCE (instance
folder), E2E_USERS (JSON list of {email, name, role, booth?}), E2E_PASSWORD."""
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

MODE = os.environ.get("SOCKETIO_ASYNC_MODE", "eventlet")
if MODE == "eventlet":  # as run.py: patch first, before anything imports socket or threading
    import eventlet

    eventlet.monkey_patch()
    from psycogreen.eventlet import patch_psycopg

    patch_psycopg()  # PostgreSQL queries wait on the hub, as in run.py
elif MODE == "gevent":
    from gevent import monkey

    monkey.patch_all()
    from psycogreen.gevent import patch_psycopg

    patch_psycopg()

import json  # noqa: E402

from exhibition import create_app, prepare_database  # noqa: E402
from exhibition.extensions import db  # noqa: E402
from exhibition.runtime.startup import serve  # noqa: E402


def _has_migrations() -> bool:
    return any((ROOT / "migrations" / "versions").glob("*.py"))


def main() -> None:
    app = create_app(instance_path=os.environ["E2E_INSTANCE"])
    if _has_migrations():
        prepare_database(app)
    else:  # before the first migration exists: the models' tables, then the demo
        with app.app_context():
            db.create_all()
            if app.config["EXHIBITION_DEMO"]:
                from exhibition.demo import load_demo
                load_demo()
    from exhibition.accounts.services import user_by_email
    from exhibition.admin.services import create_account as create_user
    with app.app_context():
        for person in json.loads(os.environ.get("E2E_USERS") or "[]"):
            if user_by_email(person["email"]) is None:
                create_user(person["email"], os.environ["E2E_PASSWORD"], person["name"],
                            person["role"], person.get("booth"))
        db.session.remove()
    serve(app)


if __name__ == "__main__":
    main()
