"""SQLite settings for a serving process (docs/PERFORMANCE.md): write-ahead log
instead of the rollback journal.

With the default rollback journal every commit costs several fsyncs (measured here:
28 ms per commit), and under eventlet sqlite3 blocks the whole process while it
waits, so one chat message stalled every other client. In WAL mode a commit is one
append, and readers no longer wait for writers.

``SQLITE_SYNCHRONOUS`` (default ``FULL``): every commit waits for the disk (6–20 ms
here), so an acknowledged chat message survives a power loss too — the platform's
promise is that an acknowledged message is never lost. ``NORMAL`` (what Rails and
most SQLite servers choose) writes the log without waiting for the disk (0.01 ms):
a crash of the process (SIGKILL) still loses nothing committed, but a power loss or
OS crash may roll back the last transactions; set it where that trade is acceptable.
PostgreSQL (the scale-out database) is unaffected.
"""
from __future__ import annotations

import os
import sqlite3

from sqlalchemy import event
from sqlalchemy.engine import Engine

SYNCHRONOUS_LEVELS = ("OFF", "NORMAL", "FULL", "EXTRA")
_installed = False


def synchronous_level() -> str:
    level = (os.environ.get("SQLITE_SYNCHRONOUS") or "FULL").strip().upper()
    return level if level in SYNCHRONOUS_LEVELS else "FULL"


def _on_connect(dbapi_connection, _record) -> None:
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA journal_mode=WAL")  # a no-op answer "memory" for in-memory databases
        cursor.execute(f"PRAGMA synchronous={synchronous_level()}")
        cursor.execute("PRAGMA busy_timeout=5000")  # several processes on one file wait, not fail
    finally:
        cursor.close()


def install() -> None:
    """Apply the settings to every SQLite connection any engine opens (once per process)."""
    global _installed
    if not _installed:
        event.listen(Engine, "connect", _on_connect)
        _installed = True
