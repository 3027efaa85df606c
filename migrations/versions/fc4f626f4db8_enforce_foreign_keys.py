"""enforce foreign keys: repair the references SQLite left dangling

Revision ID: fc4f626f4db8
Revises: 9f6ccacc58f4
Create Date: 2026-12-01 21:26:00.000000

The ON DELETE rules have been in the schema since the initial migration (CASCADE for
rows that mean nothing without their parent: booth staff, visits, leads, favourites,
session reminders, login sessions, messages, mutes, meetings of a person; SET NULL
where the row outlives it: a session's or meeting's booth, an announcement's author,
who muted someone). PostgreSQL has always applied them; SQLite applied none, because
a connection must ask for foreign keys (``PRAGMA foreign_keys=ON``, which
exhibition/runtime/sqlite.py now does for every connection). So a SQLite database
may hold rows whose parent is gone: a session still naming a deleted booth (and
showing the next booth that gets its id), a visit of a deleted booth.

This revision applies each rule to those rows, as the database would have when the
parent was deleted: CASCADE deletes the row, SET NULL clears the reference. The
schema does not change (tests/test_migrations.py compares it, ON DELETE rules
included, with the models). PostgreSQL: nothing to repair, nothing runs.
"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'fc4f626f4db8'
down_revision = '9f6ccacc58f4'
branch_labels = None
depends_on = None


def _quoted(name):
    return '"' + name.replace('"', '""') + '"'


def upgrade():
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        return
    rules = {}  # (table, fk id) -> (column, on_delete)
    for table, rowid, _parent, fk_id in bind.exec_driver_sql("PRAGMA foreign_key_check").fetchall():
        if (table, fk_id) not in rules:
            for row in bind.exec_driver_sql(f"PRAGMA foreign_key_list({_quoted(table)})").mappings():
                rules[(table, row["id"])] = (row["from"], row["on_delete"].upper())
        column, on_delete = rules[(table, fk_id)]
        if on_delete == "CASCADE":
            bind.exec_driver_sql(f"DELETE FROM {_quoted(table)} WHERE rowid = ?", (rowid,))
        elif on_delete == "SET NULL":
            bind.exec_driver_sql(f"UPDATE {_quoted(table)} SET {_quoted(column)} = NULL WHERE rowid = ?",
                                 (rowid,))
        else:
            raise RuntimeError(f"{table}.{column} references a missing row (rowid {rowid}) "
                               f"and has no ON DELETE rule to apply ({on_delete})")
    left = bind.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
    if left:
        raise RuntimeError(f"rows still reference missing rows: {left[:10]}")


def downgrade():
    # The schema is unchanged, and the repaired rows referred to rows that no longer
    # exist: there is nothing to put back.
    pass
