"""`flask --app run db backup PATH` and `db restore PATH`: subcommands of Flask-Migrate's
``db`` group, next to ``db upgrade`` (the mechanics: runtime/backup.py).

Exit codes: 0 done; 1 refused or failed, with the reason on stderr (an existing PATH
without --force, a missing directory, a non-empty database to restore into, pg_dump
missing or older than the server, …); 2 a usage error (click's)."""
from __future__ import annotations

import click
from flask import Flask, current_app
from flask_migrate.cli import db as migrate_group

from exhibition.runtime import backup


@click.command("backup")
@click.argument("path", type=click.Path(dir_okay=False))
@click.option("--force", is_flag=True, help="overwrite PATH if it exists")
def backup_command(path: str, force: bool) -> None:
    """Back up the database (DATABASE_URL) into the file PATH while the platform serves:
    SQLite's online backup, or pg_dump -Fc for PostgreSQL."""
    try:
        result = backup.backup(current_app.config["SQLALCHEMY_DATABASE_URI"], path, force=force)
    except backup.BackupError as err:
        raise click.ClickException(str(err)) from None
    click.echo(f"backup of the {result.kind} database written to {result.path} ({result.size} bytes)")


@click.command("restore")
@click.argument("path", type=click.Path(dir_okay=False))
@click.option("--force", is_flag=True, help="replace the content of a database that is not empty")
def restore_command(path: str, force: bool) -> None:
    """Restore the backup file PATH into the database (DATABASE_URL), which must be empty
    unless --force. Stop every serving process first; run `db upgrade` afterwards."""
    try:
        kind = backup.restore(current_app.config["SQLALCHEMY_DATABASE_URI"], path, force=force)
    except backup.BackupError as err:
        raise click.ClickException(str(err)) from None
    click.echo(f"{kind} database restored from {path}; next: flask --app run db upgrade, then start the platform")


def register(app: Flask) -> None:
    """Add the subcommands to Flask-Migrate's ``db`` group (one click group shared by
    every app of the process, so adding them again is a no-op)."""
    migrate_group.add_command(backup_command)
    migrate_group.add_command(restore_command)
