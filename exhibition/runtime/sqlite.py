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

Foreign keys: SQLite ignores a schema's foreign keys, ON DELETE CASCADE and SET NULL
included, unless each connection asks for them (``PRAGMA foreign_keys=ON``), so every
connection does: deleting a booth, a session or a person removes or detaches the rows
that depend on it on SQLite exactly as on PostgreSQL, without deletes by hand.

Migrations: Alembic's batch mode rebuilds a SQLite table (new table, copy, DROP the old
one, rename). With foreign keys on, that DROP deletes the rows of every table that
references it with ON DELETE CASCADE (and nulls SET NULL references), so a migration
that rebuilds ``booths`` would take every visit, lead and staff link with it. Run
migrations inside ``foreign_keys_off(connection)`` (migrations/env.py), which switches
them off for the run, checks the result with ``PRAGMA foreign_key_check`` and switches
them on again.
"""
from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager

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
        cursor.execute("PRAGMA foreign_keys=ON")  # ON DELETE CASCADE / SET NULL as on PostgreSQL
    finally:
        cursor.close()


def _set_foreign_keys(connection, on: bool) -> None:
    """PRAGMA foreign_keys on a SQLAlchemy connection. SQLite ignores the pragma inside
    a transaction, so the one in progress ends first and the value is read back."""
    if connection.in_transaction():
        connection.commit()
    connection.exec_driver_sql(f"PRAGMA foreign_keys={'ON' if on else 'OFF'}")
    state = connection.exec_driver_sql("PRAGMA foreign_keys").scalar()
    connection.commit()
    if bool(state) != on:
        raise RuntimeError(f"SQLite kept foreign_keys={state} (a transaction was open on the connection)")


@contextmanager
def foreign_keys_off(connection) -> Iterator[None]:
    """Foreign keys off on this SQLite connection while the block runs (the schema
    migrations: see the module's docstring); afterwards every reference must hold
    (``PRAGMA foreign_key_check``), and they are on again even if the block failed.
    Any other database: the block just runs."""
    if connection.dialect.name != "sqlite":
        yield
        return
    _set_foreign_keys(connection, False)
    try:
        yield
        if connection.in_transaction():
            connection.commit()
        broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
        if broken:
            raise RuntimeError(f"the migration left rows whose referenced row is gone: {broken[:10]}")
    finally:
        if connection.in_transaction():
            connection.rollback()
        _set_foreign_keys(connection, True)


def install() -> None:
    """Apply the settings to every SQLite connection any engine opens (once per process;
    create_app calls it through ``serving.install``, so every app, the test suite's
    in-memory databases and ``flask db upgrade`` included)."""
    global _installed
    if not _installed:
        event.listen(Engine, "connect", _on_connect)
        _installed = True
