"""GET /healthz: 200 when the database (and the message queue, if any) answer, 503 otherwise."""
from __future__ import annotations

import redis
from flask import Flask, current_app, jsonify
from sqlalchemy import text

from exhibition.extensions import db


def _queue_ok(url: str) -> bool:
    client = redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2)
    try:
        return bool(client.ping())
    finally:
        client.close()


def register(app: Flask) -> None:
    @app.get("/healthz")
    def healthz():
        problems = []
        try:
            db.session.execute(text("SELECT 1"))
        except Exception as err:  # any failure means not healthy
            db.session.rollback()
            problems.append(f"database: {type(err).__name__}")
        queue = current_app.config.get("SOCKETIO_MESSAGE_QUEUE")
        if queue:
            try:
                if not _queue_ok(queue):
                    problems.append("queue: no answer")
            except Exception as err:
                problems.append(f"queue: {type(err).__name__}")
        if problems:
            return jsonify({"status": "unavailable", "problems": problems}), 503
        return jsonify({"status": "ok"})
