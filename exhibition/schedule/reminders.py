"""The background loop that sends ``session_starting`` about five minutes before a
favourited session starts. A background task of every serving process (never in tests): every
``REMINDER_INTERVAL`` seconds (default 30) it runs ``services.send_due_reminders``; the database row
each reminder claims makes it send once even with several processes."""
from __future__ import annotations

from flask import Flask

from exhibition.extensions import db, socketio
from exhibition.schedule.services import send_due_reminders

INTERVAL = 30.0
_started = False


def start_scheduler(app: Flask, interval: float | None = None) -> None:
    """Start the reminder loop once per process (socketio.sleep suits eventlet and threads)."""
    global _started
    if _started:
        return
    _started = True
    interval = interval or app.config.get("REMINDER_INTERVAL") or INTERVAL
    socketio.start_background_task(_loop, app, interval)


def tick(app: Flask) -> list[int]:
    """One round, errors logged and swallowed, so the loop never ends."""
    try:
        with app.app_context():
            return send_due_reminders()
    except Exception:  # a database hiccup must not end the loop
        app.logger.exception("session reminders failed")
        with app.app_context():
            db.session.rollback()
        return []
    finally:
        with app.app_context():
            db.session.remove()


def _loop(app: Flask, interval: float) -> None:
    while True:
        tick(app)
        socketio.sleep(interval)
