"""Per-room ordering of sends: the id a message gets, its commit and its broadcast
happen as one step per room, so clients never see message 11 before message 10
(a client that saw 11 and then reconnects asks for history after 11 and would
miss 10 for good).

Within a process a lock per room does it (green locks under eventlet/gevent, since
``threading`` is patched). Across processes on PostgreSQL a session advisory lock on
its own connection is held from before the insert until after the publish.
"""
from __future__ import annotations

import threading
from contextlib import contextmanager
from typing import Iterator

from sqlalchemy import text

from ..extensions import db

_guard = threading.Lock()
_locks: dict[str, threading.Lock] = {}


def _room_lock(room: str) -> threading.Lock:
    with _guard:
        lock = _locks.get(room)
        if lock is None:
            lock = _locks[room] = threading.Lock()
        return lock


@contextmanager
def room_sequence(room: str) -> Iterator[None]:
    """Hold the room's send order for the duration of the block."""
    with _room_lock(room):
        if db.engine.dialect.name != "postgresql":
            yield
            return
        with db.engine.connect() as conn:
            conn.execute(text("SELECT pg_advisory_lock(hashtext(:room))"), {"room": room})
            conn.commit()
            try:
                yield
            finally:
                conn.execute(text("SELECT pg_advisory_unlock(hashtext(:room))"), {"room": room})
                conn.commit()
