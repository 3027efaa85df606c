"""`flask db backup PATH` / `db restore PATH` (exhibition/runtime/backup.py): the CLI's
refusals and exit codes, a SQLite round trip, and the pg_dump version check. The backup
under chat load of a serving process, on SQLite and PostgreSQL: tests/e2e/test_backup.py."""
from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from flask_migrate import upgrade

from config import testing_overrides as suite_settings
from exhibition import create_app
from exhibition.extensions import db
from exhibition.runtime import backup
from tests import factories as make

# Every test here brings its own SQLite file: the suite's database is never backed up.
pytestmark = pytest.mark.sqlite_only


def file_app(tmp_path: Path, name: str = "platform.db"):
    app = create_app({**suite_settings(), "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / name}"},
                     instance_path=str(tmp_path / f"instance-{name}"))
    with app.app_context():
        upgrade()
        db.session.remove()
    return app


def run(app, *args: str):
    return app.test_cli_runner().invoke(args=["db", *args])


def test_backup_refuses_an_existing_file(tmp_path):
    app = file_app(tmp_path)
    target = tmp_path / "backup.db"
    target.write_text("an earlier backup")
    result = run(app, "backup", str(target))
    assert result.exit_code == 1
    assert "exists" in result.output and "--force" in result.output
    assert target.read_text() == "an earlier backup"


def test_backup_refuses_a_missing_directory(tmp_path):
    app = file_app(tmp_path)
    result = run(app, "backup", str(tmp_path / "nowhere" / "backup.db"))
    assert result.exit_code == 1
    assert "does not exist" in result.output
    assert not (tmp_path / "nowhere").exists()


def test_backup_refuses_a_directory_and_the_database_itself(tmp_path):
    app = file_app(tmp_path)
    assert run(app, "backup", str(tmp_path)).exit_code == 2  # click: PATH is a directory
    itself = run(app, "backup", str(tmp_path / "platform.db"), "--force")
    assert itself.exit_code == 1 and "the database itself" in itself.output


def test_backup_of_an_in_memory_database_says_there_is_no_file(tmp_path):
    app = create_app({**suite_settings(), "SQLALCHEMY_DATABASE_URI": "sqlite://"},
                     instance_path=str(tmp_path / "instance"))
    result = run(app, "backup", str(tmp_path / "backup.db"))
    assert result.exit_code == 1 and "in memory" in result.output
    assert not (tmp_path / "backup.db").exists()


def test_sqlite_backup_and_restore_round_trip(tmp_path):
    app = file_app(tmp_path)
    with app.app_context():
        person = make.user(app, "attendee", email="kept@example.test")
        db.session.commit()
    target = tmp_path / "backup.db"
    result = run(app, "backup", str(target))
    assert result.exit_code == 0, result.output
    with sqlite3.connect(target) as copy:
        assert copy.execute("SELECT email FROM users WHERE id = ?", (person.id,)).fetchone() == ("kept@example.test",)
    assert list(tmp_path.glob(".backup.db.*")) == [], "the staging file was left behind"

    # --force replaces an existing backup with a new one
    target.write_text("old")
    assert run(app, "backup", str(target), "--force").exit_code == 0
    assert target.read_bytes().startswith(b"SQLite format 3")

    fresh = file_app(tmp_path, "restored.db")  # upgraded: not empty, so restoring is refused
    refused = run(fresh, "restore", str(target))
    assert refused.exit_code == 1 and "not empty" in refused.output
    restored = run(fresh, "restore", str(target), "--force")
    assert restored.exit_code == 0, restored.output
    assert run(fresh, "upgrade").exit_code == 0
    with fresh.app_context():
        assert db.session.execute(db.text("SELECT email FROM users")).scalars().all() == ["kept@example.test"]
        db.session.remove()


def test_restore_into_an_empty_file_and_of_what_is_no_backup(tmp_path):
    app = file_app(tmp_path)
    target = tmp_path / "backup.db"
    assert run(app, "backup", str(target)).exit_code == 0
    empty = create_app({**suite_settings(), "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'new.db'}"},
                       instance_path=str(tmp_path / "instance-new"))
    assert run(empty, "restore", str(tmp_path / "missing.db")).exit_code == 1
    junk = tmp_path / "junk.db"
    junk.write_text("not a database")
    rejected = run(empty, "restore", str(junk))
    assert rejected.exit_code == 1 and "not a SQLite backup" in rejected.output
    assert run(empty, "restore", str(target)).exit_code == 0
    assert run(empty, "upgrade").exit_code == 0


def fake_tool(directory: Path, name: str, version: str) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    tool = directory / name
    tool.write_text(f"#!/bin/sh\necho '{name} (PostgreSQL) {version}'\n")
    tool.chmod(0o755)
    return tool


def test_pg_dump_missing_or_older_than_the_server_is_refused_with_what_to_install(tmp_path):
    with pytest.raises(backup.BackupError, match="pg_dump not found.*postgresql-client-16"):
        backup.find_pg_tool("pg_dump", 16, search_path=str(tmp_path), extra_globs=())
    fake_tool(tmp_path / "old", "pg_dump", "14.11 (Debian 14.11-1)")
    with pytest.raises(backup.BackupError, match=r"older than the database server \(16\).*14"):
        backup.find_pg_tool("pg_dump", 16, search_path=str(tmp_path / "old"), extra_globs=())
    newer = fake_tool(tmp_path / "versions" / "17" / "bin", "pg_dump", "17.2")
    found = backup.find_pg_tool("pg_dump", 16, search_path=str(tmp_path / "old"),
                                extra_globs=(str(tmp_path / "versions" / "*" / "bin"),))
    assert found == str(newer)  # the versioned install, since PATH's is too old


def test_libpq_url_drops_the_driver_and_keeps_the_password_off_the_command_line():
    from sqlalchemy.engine import make_url

    dsn, env = backup.libpq_url(make_url("postgresql+psycopg2://app:s3cret@db.example:5433/event?sslmode=require"))
    assert dsn == "postgresql://app@db.example:5433/event?sslmode=require"
    assert env == {"PGPASSWORD": "s3cret"}


def test_sqlite_backup_holds_what_is_still_only_in_the_write_ahead_log(tmp_path):
    """A serving process keeps its connections open, so recent commits sit in the -wal
    file, not yet in the database file: a copy of the file alone would miss them."""
    source = tmp_path / "live.db"
    writer = sqlite3.connect(source)
    try:
        writer.execute("PRAGMA journal_mode=WAL")
        writer.execute("PRAGMA wal_autocheckpoint=0")  # nothing moves into the main file
        writer.execute("CREATE TABLE messages (id INTEGER PRIMARY KEY, body TEXT)")
        writer.executemany("INSERT INTO messages (body) VALUES (?)", [(f"m{i}",) for i in range(500)])
        writer.commit()
        assert Path(f"{source}-wal").stat().st_size > 0
        result = backup.backup(f"sqlite:///{source}", tmp_path / "copy.db")
        writer.execute("INSERT INTO messages (body) VALUES ('after the backup')")
        writer.commit()
    finally:
        writer.close()
    with sqlite3.connect(result.path) as copy:
        assert copy.execute("SELECT count(*) FROM messages").fetchone() == (500,)
        assert copy.execute("PRAGMA journal_mode").fetchone() == ("delete",)  # a file that stands alone
