"""Entry point: `python run.py` serves the platform; `flask --app run …` runs the CLI.

The async library is patched here and only here (SOCKETIO_ASYNC_MODE: eventlet by
default, gevent, or threading), so the application code itself stays neutral.
"""
import os

ASYNC_MODE = os.environ.get("SOCKETIO_ASYNC_MODE", "eventlet")


def _patch(mode: str) -> None:
    if mode == "eventlet":
        import warnings

        with warnings.catch_warnings():
            # eventlet is the user's choice, deprecated upstream: see README "Choices".
            warnings.simplefilter("ignore")
            import eventlet

        eventlet.monkey_patch()
        from psycogreen.eventlet import patch_psycopg
        patch_psycopg()  # psycopg2 waits on the hub instead of blocking every client
    elif mode == "gevent":
        from gevent import monkey

        monkey.patch_all()
        from psycogreen.gevent import patch_psycopg
        patch_psycopg()


if __name__ == "__main__":
    _patch(ASYNC_MODE)

from exhibition import create_app, prepare_database  # noqa: E402
from exhibition.runtime.startup import serve  # noqa: E402

if __name__ == "__main__":
    application = create_app()
    prepare_database(application)
    serve(application)
