"""What `python run.py` does before serving: schema, demo event, logins printed."""
from __future__ import annotations

from flask import Flask
from .extensions import socketio


def prepare_database(app: Flask) -> None:
    """Create or upgrade the schema, load the demo event into an empty database."""
    from flask_migrate import upgrade

    from .demo import load_demo, print_logins

    with app.app_context():
        upgrade()
        if app.config["EXHIBITION_DEMO"]:
            if load_demo():
                print("Demo event loaded: European Cluster Conference 2020.", flush=True)
            print_logins(lambda line: print(line, flush=True))


def serve(app: Flask) -> None:
    host, port = app.config["HOST"], app.config["PORT"]
    print(f"Serving on http://{host}:{port} ({app.config['SOCKETIO_ASYNC_MODE']})", flush=True)
    start_background_tasks(app)
    mode = app.config["SOCKETIO_ASYNC_MODE"]
    from . import serving
    serving.tune_gc(app)
    if mode == "eventlet":
        serving.serve_eventlet(app, host, port)
    elif mode == "gevent":
        serving.serve_gevent(app, host, port)
    else:
        socketio.run(app, host=host, port=port, **server_options(app))


def start_background_tasks(app: Flask) -> None:
    """The per-process loops a serving process runs (also started by deploy/wsgi.py)."""
    from .admin.sampler import start_sampler
    start_sampler(app)  # "people online over time" for the organisers' figures
    from .schedule.reminders import start_scheduler
    start_scheduler(app)  # session_starting pushes, about 5 minutes before a favourite starts
    from .logout_relay import start_listener
    start_listener(app)  # with several processes: a logout closes the person's sockets in each


def server_options(app: Flask) -> dict:
    """Options for socketio.run in threading mode (development only); eventlet and
    gevent are served by exhibition/serving.py with measured settings."""
    if app.config["SOCKETIO_ASYNC_MODE"] == "threading":
        return {"allow_unsafe_werkzeug": True}
    return {}

