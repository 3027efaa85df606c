"""A light background task that samples how many people are online, once a minute,
for the organisers' "online over time" chart. Registered as a background task of every serving process."""
from __future__ import annotations

from flask import Flask

from exhibition.admin.services import record_online_sample
from exhibition.extensions import db, socketio

_started = False


def start_sampler(app: Flask, interval: float = 60.0) -> None:
    """Start the sampling loop once per process (socketio.sleep suits eventlet and threads)."""
    global _started
    if _started:
        return
    _started = True
    socketio.start_background_task(_loop, app, interval)


def _loop(app: Flask, interval: float) -> None:
    while True:
        try:
            with app.app_context():
                record_online_sample()
        except Exception:  # a database hiccup must not end the loop
            app.logger.exception("online sample failed")
            with app.app_context():
                db.session.rollback()
        finally:
            with app.app_context():
                db.session.remove()
        socketio.sleep(interval)
