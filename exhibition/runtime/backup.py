"""Backups of the platform's database, taken while it serves, and their restore
(``flask --app run db backup PATH`` / ``db restore PATH``: runtime/backup_cli.py;
the procedure: README "Backups" and docs/SCALING.md).

- SQLite: the online backup API (``sqlite3.Connection.backup``) copies every page in one
  step inside one read transaction. In WAL mode readers do not block writers, so the
  platform keeps committing while the copy runs, and the copy is the database as it was
  when that transaction began: every message acknowledged before it is in it, nothing
  half-written is. (Copying in several steps would restart on every commit of another
  connection and, under chat load, might never finish.)
- PostgreSQL: ``pg_dump -Fc`` (custom format, for ``pg_restore``), which dumps from one
  repeatable-read snapshot. pg_dump refuses servers newer than itself, so its major
  version is checked first, with a message that says what to install.

A backup is written to a temporary file next to PATH and moved there only when it is
complete, so a failed or interrupted backup never leaves a PATH that looks like one.
"""
from __future__ import annotations

import glob
import os
import re
import shutil
import sqlite3
import subprocess
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from sqlalchemy import create_engine, exc, text
from sqlalchemy.engine import URL, Connection, make_url
from sqlalchemy.pool import NullPool

# Where Debian and the PostgreSQL images keep the versioned client tools, searched after
# PATH when the PATH's tool is missing or older than the server.
PG_BIN_GLOBS: Sequence[str] = ("/usr/lib/postgresql/*/bin", "/usr/local/pgsql/bin")
T = TypeVar("T")


class BackupError(Exception):
    """A backup or restore that cannot be done; ``str(err)`` says why and what to do."""


@dataclass(frozen=True)
class BackupResult:
    path: Path
    size: int
    kind: str  # "sqlite" or "postgresql"


# ---------------------------------------------------------------- paths

def check_target(path: str | os.PathLike, force: bool = False) -> Path:
    """The file a backup is written to: its directory must exist, and an existing file
    is replaced only with ``force`` (a directory never)."""
    target = Path(path).expanduser()
    if not str(path).strip():
        raise BackupError("no backup path given")
    if target.is_dir():
        raise BackupError(f"{target} is a directory: give the path of the backup file")
    if not target.parent.is_dir():
        raise BackupError(f"directory {target.parent} does not exist: create it first")
    if target.exists() and not force:
        raise BackupError(f"{target} exists: choose another path or pass --force to overwrite it")
    return target


@contextmanager
def _staged(target: Path, force: bool) -> Iterator[Path]:
    """A temporary file next to ``target`` that becomes ``target`` when the block ends
    without an error (and is removed otherwise)."""
    fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".partial", dir=target.parent)
    os.close(fd)
    staged = Path(name)
    try:
        yield staged
        _fsync(staged)
        if force:
            os.replace(staged, target)
        else:
            try:
                os.link(staged, target)  # fails if PATH appeared meanwhile: still no overwrite
            except FileExistsError:
                raise BackupError(f"{target} exists: choose another path or pass --force to overwrite it") from None
        _fsync_dir(target.parent)
    finally:
        staged.unlink(missing_ok=True)


def _fsync(path: Path) -> None:
    with path.open("rb") as f:
        os.fsync(f.fileno())


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


# ---------------------------------------------------------------- backup

def backup(database_url: str, path: str | os.PathLike, force: bool = False) -> BackupResult:
    """Back up the database at ``database_url`` (the app's SQLALCHEMY_DATABASE_URI)
    into the file ``path``; raises BackupError with the reason."""
    target = check_target(path, force)
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        source = sqlite_file(url)
        if target.resolve() == source.resolve():
            raise BackupError(f"{target} is the database itself: choose another path")
        with _staged(target, force) as staged:
            backup_sqlite(source, staged)
        _remove_sidecars(target)
        return BackupResult(target, target.stat().st_size, "sqlite")
    if url.get_backend_name() == "postgresql":
        with _staged(target, force) as staged:
            dump_postgresql(url, staged)
        return BackupResult(target, target.stat().st_size, "postgresql")
    raise BackupError(f"backups of {url.get_backend_name()} databases are not supported (SQLite and PostgreSQL are)")


def sqlite_file(url: URL) -> Path:
    """The file of a SQLite URL; in-memory databases have none to back up."""
    if not url.database or url.database == ":memory:" or url.query.get("mode") == "memory":
        raise BackupError("the database is in memory: there is no file to back up")
    path = Path(url.database)
    if not path.is_file():
        raise BackupError(f"database file {path} does not exist")
    return path


def backup_sqlite(source: Path, destination: Path) -> None:
    """Copy the SQLite database ``source`` into the (new) file ``destination`` with
    the online backup API, while other processes keep writing (see the module docstring),
    then check the copy."""
    try:
        src = sqlite3.connect(source, timeout=30)  # (sqlite_file checked it exists: nothing is created)
    except sqlite3.Error as err:
        raise BackupError(f"cannot open {source}: {err}") from None
    try:
        dst = sqlite3.connect(destination)
        try:
            src.backup(dst)  # pages=-1: everything in one step, one snapshot
            # The copy keeps the source's WAL flag; a standalone file is simpler to move,
            # and the platform switches it to WAL again when it opens it.
            dst.execute("PRAGMA journal_mode=DELETE")
            result = dst.execute("PRAGMA quick_check").fetchone()[0]
            if result != "ok":
                raise BackupError(f"the copy failed its check: {result}")
        finally:
            dst.close()
    except sqlite3.Error as err:
        raise BackupError(f"backup of {source} failed: {err}") from None
    finally:
        src.close()


def _remove_sidecars(target: Path) -> None:
    """A -wal/-shm left next to a replaced file would be replayed onto the new one."""
    for suffix in ("-wal", "-shm", "-journal"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)


# ---------------------------------------------------------------- PostgreSQL

def libpq_url(url: URL) -> tuple[str, dict[str, str]]:
    """A URL for pg_dump/pg_restore/psql (no SQLAlchemy driver, no password: that goes
    into the environment as PGPASSWORD, not onto a command line others can read)."""
    env = {"PGPASSWORD": url.password} if url.password else {}
    # (URL.set(password=None) keeps the password: build the URL without it)
    plain = URL.create("postgresql", username=url.username, host=url.host, port=url.port,
                       database=url.database, query=url.query)
    return plain.render_as_string(hide_password=False), env


def _with_connection(url: URL, work: Callable[[Connection], T]) -> T:
    """``work(connection)`` on a connection of its own (the platform's driver)."""
    engine = create_engine(url, poolclass=NullPool, connect_args={"connect_timeout": 5})
    try:
        with engine.connect() as conn:
            return work(conn)
    except exc.DBAPIError as err:
        raise BackupError(f"cannot connect to the database: {str(err.orig).strip()}") from None
    finally:
        engine.dispose()


def server_major(url: URL) -> int:
    """The PostgreSQL server's major version (15 for 15.4)."""
    number = _with_connection(url, lambda conn: conn.exec_driver_sql("SHOW server_version_num").scalar())
    return _major_of_number(int(str(number)))


def _major_of_number(version: int) -> int:
    return version // 10000 if version >= 100000 else version // 100  # 90624 -> 906: older than 10


def tool_major(executable: str) -> int | None:
    """The major version ``executable --version`` reports, or None if it does not run."""
    try:
        out = subprocess.run([executable, "--version"], capture_output=True, text=True, timeout=10).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    match = re.search(r"\)\s+(\d+)(?:\.(\d+))?", out) or re.search(r"(\d+)(?:\.(\d+))?", out)
    if not match:
        return None
    major = int(match.group(1))
    # 9.6 -> 906, comparable with _major_of_number's answer for servers before 10
    return major * 100 + int(match.group(2) or 0) if major < 10 else major


def find_pg_tool(name: str, needed_major: int, search_path: str | None = None,
                 extra_globs: Sequence[str] | None = None) -> str:
    """The path of ``name`` (pg_dump, pg_restore) of at least ``needed_major``: the
    one on PATH first, then the versioned installs (PG_BIN_GLOBS). BackupError saying
    what was found and what to install if there is none."""
    candidates: list[str] = []
    on_path = shutil.which(name, path=search_path)
    if on_path:
        candidates.append(on_path)
    for pattern in PG_BIN_GLOBS if extra_globs is None else extra_globs:
        for directory in sorted(glob.glob(pattern), reverse=True):
            tool = os.path.join(directory, name)
            if os.access(tool, os.X_OK) and tool not in candidates:
                candidates.append(tool)
    found = []
    for tool in candidates:
        major = tool_major(tool)
        if major is not None and major >= needed_major:
            return tool
        found.append(f"{tool} ({_version_text(major)})")
    wanted = _version_text(needed_major)
    if not found:
        raise BackupError(f"{name} not found on PATH: install the PostgreSQL client tools, "
                          f"version {wanted} or newer (Debian: postgresql-client-{wanted})")
    raise BackupError(f"{name} is older than the database server ({wanted}): found {', '.join(found)}; "
                      f"install postgresql-client-{wanted} or newer and put its bin directory on PATH")


def _version_text(major: int | None) -> str:
    if major is None:
        return "version unknown"
    return f"{major // 100}.{major % 100}" if major >= 100 else str(major)


def _run(command: list[str], env: dict[str, str], what: str) -> None:
    result = subprocess.run(command, env={**os.environ, **env}, capture_output=True, text=True)
    if result.returncode != 0:
        raise BackupError(f"{what} failed (exit {result.returncode}): {result.stderr.strip()[-2000:]}")


def dump_postgresql(url: URL, destination: Path) -> None:
    """``pg_dump -Fc`` of the database into ``destination``."""
    pg_dump = find_pg_tool("pg_dump", server_major(url))
    dsn, env = libpq_url(url)
    # --no-password: fail instead of waiting for a password at a prompt nobody sees
    _run([pg_dump, "--format=custom", "--no-password", f"--file={destination}", f"--dbname={dsn}"], env, "pg_dump")


# ---------------------------------------------------------------- restore

def restore(database_url: str, path: str | os.PathLike, force: bool = False) -> str:
    """Restore the backup file ``path`` into the database at ``database_url``, which
    must be empty unless ``force`` (then what the backup holds replaces what is there).
    Run it with every serving process stopped; ``db upgrade`` afterwards. Returns the
    kind of database restored."""
    source = Path(path).expanduser()
    if not source.is_file():
        raise BackupError(f"backup file {source} does not exist")
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        restore_sqlite(source, sqlite_target(url), force)
        return "sqlite"
    if url.get_backend_name() == "postgresql":
        restore_postgresql(source, url, force)
        return "postgresql"
    raise BackupError(f"restores into {url.get_backend_name()} databases are not supported (SQLite and PostgreSQL are)")


def sqlite_target(url: URL) -> Path:
    if not url.database or url.database == ":memory:" or url.query.get("mode") == "memory":
        raise BackupError("the database is in memory: there is no file to restore into")
    path = Path(url.database)
    if not path.parent.is_dir():
        raise BackupError(f"directory {path.parent} does not exist: create it first")
    return path


def _sqlite_tables(conn: sqlite3.Connection) -> list[str]:
    return [row[0] for row in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")]


def restore_sqlite(source: Path, target: Path, force: bool) -> None:
    """Copy the backup ``source`` into the database file ``target`` through SQLite's
    backup API (so the target's own WAL is handled by SQLite, not by file copies)."""
    try:
        src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
        try:
            if src.execute("PRAGMA quick_check").fetchone()[0] != "ok" or not _sqlite_tables(src):
                raise BackupError(f"{source} is not a backup of the platform's database")
        except sqlite3.DatabaseError as err:
            src.close()
            raise BackupError(f"{source} is not a SQLite backup: {err}") from None
        try:
            dst = sqlite3.connect(target, timeout=30)
            try:
                existing = _sqlite_tables(dst)
                if existing and not force:
                    raise BackupError(f"database {target} is not empty ({len(existing)} tables): "
                                      "restore into a new file, or pass --force to replace its content")
                src.backup(dst)
            finally:
                dst.close()
        finally:
            src.close()
    except sqlite3.Error as err:
        raise BackupError(f"restore into {target} failed: {err}") from None


def postgresql_tables(url: URL) -> list[str]:
    """The tables outside PostgreSQL's own schemas (empty: a new database)."""
    query = text("SELECT table_schema || '.' || table_name FROM information_schema.tables "
                 "WHERE table_schema NOT IN ('pg_catalog', 'information_schema')")
    return _with_connection(url, lambda conn: [str(row[0]) for row in conn.execute(query)])


def restore_postgresql(source: Path, url: URL, force: bool) -> None:
    """``pg_restore`` of a ``pg_dump -Fc`` file into the database, in one transaction
    (a failed restore leaves the database as it was). Owners and grants are not
    restored: the objects belong to the role of DATABASE_URL, the one the platform uses."""
    with source.open("rb") as f:
        if f.read(5) != b"PGDMP":
            raise BackupError(f"{source} is not a pg_dump custom-format backup (pg_dump -Fc)")
    existing = postgresql_tables(url)
    if existing and not force:
        raise BackupError(f"the database is not empty ({len(existing)} tables): restore into a new database "
                          "(createdb), or pass --force to replace what the backup holds")
    pg_restore = find_pg_tool("pg_restore", server_major(url))
    dsn, env = libpq_url(url)
    command = [pg_restore, "--no-owner", "--no-privileges", "--no-password", "--single-transaction",
               "--exit-on-error", f"--dbname={dsn}"]
    if existing:
        command[1:1] = ["--clean", "--if-exists"]
    _run(command + [str(source)], env, "pg_restore")
