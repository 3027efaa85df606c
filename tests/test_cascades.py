"""Foreign keys hold on SQLite as on PostgreSQL, and the schema's ON DELETE rules do
the deleting: a deleted booth, session or person takes the rows that mean nothing
without it along (CASCADE) and leaves the rows that outlive it detached (SET NULL).

The deletes here are plain SQL (``DELETE FROM …``), so nothing but the database acts;
the API tests check that the services' deletes keep their behaviour. Migrations: the
revision that repairs what SQLite left dangling, upgrade and downgrade on both
databases, and batch rebuilds of a table under ``foreign_keys_off``."""
from __future__ import annotations

import sqlite3
from datetime import timedelta

import pytest
from alembic.migration import MigrationContext
from alembic.operations import Operations
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, delete, func, select, text

from config import testing_overrides as suite_settings
from exhibition import create_app
from exhibition.accounts.models import LoginSession, User
from exhibition.announcements.models import Announcement
from exhibition.booths.models import Booth, BoothStaff, Lead, Visit
from exhibition.chat.models import Message, Mute
from exhibition.extensions import db
from exhibition.networking.models import Meeting
from exhibition.runtime.clock import utcnow
from exhibition.runtime.sqlite import foreign_keys_off
from exhibition.schedule.models import Favourite, Session, SessionReminder
from tests import factories as make
from tests.factories import T0


def count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def plain_delete(model, row_id: int) -> None:
    """A DELETE the ORM takes no part in: only the schema's rules act."""
    db.session.execute(delete(model).where(model.id == row_id))
    db.session.commit()


def reminder_for(app, session_id: int) -> None:
    with app.app_context():
        db.session.add(SessionReminder(session_id=session_id, starts_at=T0, sent_at=utcnow()))
        db.session.commit()


# ---------------------------------------------------------------- the connections

@pytest.mark.sqlite_only  # PostgreSQL always enforces foreign keys
def test_the_apps_sqlite_connections_enforce_foreign_keys(app):
    with app.app_context():
        assert db.engine.dialect.name == "sqlite"
        assert db.session.execute(text("PRAGMA foreign_keys")).scalar() == 1
        with db.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


@pytest.mark.sqlite_only
def test_every_connection_to_a_sqlite_file_enforces_foreign_keys(tmp_path):
    app = create_app({**suite_settings(), "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'file.db'}"},
                     instance_path=str(tmp_path / "instance"))
    with app.app_context():
        first, second = db.engine.connect(), db.engine.connect()  # two pooled connections
        try:
            assert first.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert second.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        finally:
            first.close()
            second.close()
        # and an engine of its own (as a script would make) gets it too
        engine = create_engine(f"sqlite:///{tmp_path / 'file.db'}")
        with engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        engine.dispose()
        db.engine.dispose()


def test_a_reference_to_a_missing_row_is_refused(app, people):
    from sqlalchemy.exc import IntegrityError

    with app.app_context():
        db.session.add(Visit(booth_id=999_999, user_id=people["attendee"].id))
        with pytest.raises(IntegrityError):
            db.session.commit()
        db.session.rollback()


# ---------------------------------------------------------------- booths

def test_deleting_a_booth_removes_its_visits_leads_and_staff_links(app, people):
    attendee, staff = people["attendee"], people["staff"]
    alpha = make.booth(app, "alpha", staff=[staff])
    beta = make.booth(app, "beta", staff=[staff])
    make.visit(app, "alpha", attendee)
    make.visit(app, "beta", attendee)
    make.lead(app, "alpha", attendee, note="call me")
    make.lead(app, "beta", attendee)
    talk = make.session(app, "Booth tour", booth="alpha")
    meeting = make.meeting(app, attendee, staff, booth="alpha")
    with app.app_context():
        plain_delete(Booth, alpha.id)
        assert count(Visit, Visit.booth_id == alpha.id) == 0
        assert count(Lead, Lead.booth_id == alpha.id) == 0
        assert count(BoothStaff, BoothStaff.booth_id == alpha.id) == 0
        # the other booth keeps everything
        assert count(Visit, Visit.booth_id == beta.id) == 1
        assert count(Lead, Lead.booth_id == beta.id) == 1
        assert count(BoothStaff, BoothStaff.booth_id == beta.id) == 1
        # sessions and meetings at the booth outlive it, without a booth
        assert db.session.get(Session, talk).booth_id is None
        assert db.session.get(Meeting, meeting).booth_id is None
        # the people stay
        assert db.session.get(User, attendee.id) is not None
        assert db.session.get(User, staff.id) is not None


def test_deleting_a_booth_through_the_orm_leaves_its_staff_to_the_database(app, people):
    alpha = make.booth(app, "alpha", staff=[people["staff"], people["other_staff"]])
    make.visit(app, "alpha", people["attendee"])
    with app.app_context():
        booth = db.session.get(Booth, alpha.id)  # staff not loaded: passive_deletes, no SELECT of them
        db.session.delete(booth)
        db.session.commit()
        assert count(BoothStaff, BoothStaff.booth_id == alpha.id) == 0
        assert count(Visit, Visit.booth_id == alpha.id) == 0


def test_deleting_a_booth_through_the_api(app, people, client_for):
    attendee, staff = people["attendee"], people["staff"]
    alpha = make.booth(app, "alpha", staff=[staff])
    make.visit(app, "alpha", attendee)
    make.lead(app, "alpha", attendee)
    talk = make.session(app, "Booth tour", booth="alpha")
    meeting = make.meeting(app, attendee, staff, booth="alpha")
    answer = client_for(people["organiser"]).delete("/api/booths/alpha")
    assert answer.status_code == 204, answer.get_json()
    with app.app_context():
        assert db.session.get(Booth, alpha.id) is None
        assert count(Visit, Visit.booth_id == alpha.id) == 0
        assert count(Lead, Lead.booth_id == alpha.id) == 0
        assert count(BoothStaff, BoothStaff.booth_id == alpha.id) == 0
        assert db.session.get(User, staff.id).role == "attendee"  # staffed no other booth
        assert db.session.get(Session, talk).booth_id is None
        assert db.session.get(Meeting, meeting).booth_id is None


# ---------------------------------------------------------------- sessions

def test_deleting_a_session_removes_its_favourites_and_reminder(app, people):
    keynote = make.session(app, "Keynote")
    panel = make.session(app, "Panel", start=T0 + timedelta(hours=2))
    for session_id in (keynote, panel):
        make.favourite(app, people["attendee"], session_id)
        make.favourite(app, people["attendee2"], session_id)
        reminder_for(app, session_id)
    with app.app_context():
        plain_delete(Session, keynote)
        assert count(Favourite, Favourite.session_id == keynote) == 0
        assert count(SessionReminder, SessionReminder.session_id == keynote) == 0
        assert count(Favourite, Favourite.session_id == panel) == 2
        assert count(SessionReminder, SessionReminder.session_id == panel) == 1


def test_deleting_a_session_through_the_api(app, people, client_for):
    keynote = make.session(app, "Keynote")
    make.favourite(app, people["attendee"], keynote)
    reminder_for(app, keynote)
    answer = client_for(people["organiser"]).delete(f"/api/sessions/{keynote}")
    assert answer.status_code == 204, answer.get_json()
    with app.app_context():
        assert db.session.get(Session, keynote) is None
        assert count(Favourite, Favourite.session_id == keynote) == 0
        assert count(SessionReminder, SessionReminder.session_id == keynote) == 0


def test_rearming_a_reminder_deletes_the_sent_row(app):
    keynote = make.session(app, "Keynote")
    quiet = make.session(app, "Quiet", start=T0 + timedelta(hours=2))
    reminder_for(app, keynote)
    with app.app_context():
        session = db.session.get(Session, keynote)
        assert session.reminder is not None
        session.rearm_reminder()
        db.session.get(Session, quiet).rearm_reminder()  # none sent: nothing to do
        db.session.commit()
        assert count(SessionReminder) == 0
        assert db.session.get(Session, keynote) is not None


def test_a_new_start_time_rearms_the_reminder(app, people, client_for):
    keynote = make.session(app, "Keynote")
    reminder_for(app, keynote)
    moved = {"starts_at": (T0 + timedelta(hours=3)).isoformat(), "ends_at": (T0 + timedelta(hours=4)).isoformat()}
    answer = client_for(people["organiser"]).patch(f"/api/sessions/{keynote}", json=moved)
    assert answer.status_code == 200, answer.get_json()
    with app.app_context():
        assert count(SessionReminder, SessionReminder.session_id == keynote) == 0


# ---------------------------------------------------------------- people

def test_deleting_a_person_removes_what_is_theirs_and_detaches_the_rest(app, people):
    gone, other, organiser = people["attendee"], people["attendee2"], people["organiser"]
    alpha = make.booth(app, "alpha", staff=[gone, other])
    make.visit(app, "alpha", gone)
    make.visit(app, "alpha", other)
    make.lead(app, "alpha", gone)
    make.lead(app, "alpha", other)
    talk = make.session(app, "Keynote")
    make.favourite(app, gone, talk)
    make.favourite(app, other, talk)
    make.message(app, alpha.room, gone, "bye")
    kept_message = make.message(app, alpha.room, other, "hello")
    asked = make.meeting(app, gone, other)
    invited = make.meeting(app, other, gone, start=T0 + timedelta(hours=1))
    kept_meeting = make.meeting(app, other, organiser, start=T0 + timedelta(hours=2))
    with app.app_context():
        db.session.add_all([
            LoginSession(token_hash="a" * 64, user_id=gone.id),
            LoginSession(token_hash="b" * 64, user_id=other.id),
            Mute(room=alpha.room, user_id=gone.id, until=T0, by_id=organiser.id),
            Mute(room=alpha.room, user_id=other.id, until=T0, by_id=gone.id),
            Announcement(body="Welcome", author_id=gone.id),
        ])
        db.session.commit()

        plain_delete(User, gone.id)

        assert count(LoginSession, LoginSession.user_id == gone.id) == 0
        assert count(Favourite, Favourite.user_id == gone.id) == 0
        assert count(Visit, Visit.user_id == gone.id) == 0
        assert count(Lead, Lead.user_id == gone.id) == 0
        assert count(BoothStaff, BoothStaff.user_id == gone.id) == 0
        assert count(Message, Message.sender_id == gone.id) == 0
        assert count(Mute, Mute.user_id == gone.id) == 0
        assert db.session.get(Meeting, asked) is None
        assert db.session.get(Meeting, invited) is None
        # what is someone else's stays; references to the person are cleared
        assert count(LoginSession, LoginSession.user_id == other.id) == 1
        assert count(Favourite, Favourite.user_id == other.id) == 1
        assert count(Visit, Visit.user_id == other.id) == 1
        assert count(Lead, Lead.user_id == other.id) == 1
        assert count(BoothStaff, BoothStaff.user_id == other.id) == 1
        assert db.session.get(Message, kept_message) is not None
        assert db.session.get(Meeting, kept_meeting) is not None
        mute = db.session.scalar(select(Mute).where(Mute.user_id == other.id))
        assert mute is not None and mute.by_id is None
        assert db.session.scalar(select(Announcement.author_id)) is None
        assert count(Announcement) == 1


# ---------------------------------------------------------------- migrations

BEFORE = "9f6ccacc58f4"  # the revision before the foreign keys were enforced on SQLite


@pytest.fixture
def migrated_app(tmp_path):
    """An app on an empty database (a SQLite file, or the suite's PostgreSQL) for
    running the migrations; the database is emptied again afterwards."""
    overrides = suite_settings()
    if overrides["SQLALCHEMY_DATABASE_URI"] == "sqlite://":
        overrides["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{tmp_path / 'migrated.db'}"
    app = create_app(overrides, instance_path=str(tmp_path / "instance"))

    def empty():
        if db.engine.dialect.name == "postgresql":
            db.session.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
            db.session.commit()

    with app.app_context():
        empty()
        yield app
        db.session.remove()
        empty()
        db.engine.dispose()


def test_the_migration_runs_up_and_down(migrated_app):
    upgrade()
    downgrade(revision=BEFORE)
    upgrade()
    with db.engine.connect() as conn:
        assert MigrationContext.configure(conn).get_current_revision() == "fc4f626f4db8"
        if conn.dialect.name == "sqlite":
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


@pytest.mark.sqlite_only
def test_the_migration_repairs_what_sqlite_left_dangling(migrated_app, tmp_path):
    upgrade(revision=BEFORE)
    db.session.remove()
    db.engine.dispose()
    # rows as the old code left them on SQLite: parents deleted with foreign keys off
    raw = sqlite3.connect(tmp_path / "migrated.db")
    raw.executescript("""
        PRAGMA foreign_keys=OFF;
        INSERT INTO users (id, email, password_hash, display_name, organisation, role, bio, interests,
                           visible_in_directory, created_at)
            VALUES (1, 'kept@example.test', 'x', 'Kept', '', 'organiser', '', '[]', 1, '2020-11-10 08:00:00'),
                   (2, 'other@example.test', 'x', 'Other', '', 'attendee', '', '[]', 1, '2020-11-10 08:00:00');
        INSERT INTO booths (id, slug, name, tagline, description, topics, website, video_url, logo_url, created_at)
            VALUES (1, 'kept', 'Kept', '', '', '[]', '', '', '', '2020-11-10 08:00:00');
        INSERT INTO visits (id, booth_id, user_id, at) VALUES
            (1, 1, 1, '2020-11-10 08:00:00'), (2, 7, 1, '2020-11-10 08:00:00'), (3, 1, 9, '2020-11-10 08:00:00');
        INSERT INTO booth_staff (id, booth_id, user_id) VALUES (1, 1, 1), (2, 7, 1);
        INSERT INTO sessions (id, title, abstract, starts_at, ends_at, room, track, speakers, booth_id,
                              created_at, updated_at)
            VALUES (1, 'Tour of a gone booth', '', '2020-11-10 08:00:00', '2020-11-10 09:00:00', '', '', '[]', 7,
                    '2020-11-10 08:00:00', '2020-11-10 08:00:00');
        INSERT INTO favourites (id, user_id, session_id, created_at) VALUES
            (1, 1, 1, '2020-11-10 08:00:00'), (2, 1, 5, '2020-11-10 08:00:00');
        INSERT INTO session_reminders (id, session_id, starts_at, sent_at) VALUES
            (1, 5, '2020-11-10 08:00:00', '2020-11-10 08:00:00');
        INSERT INTO mutes (id, room, user_id, until, by_id) VALUES
            (1, 'lobby', 1, '2020-11-10 08:00:00', 9), (2, 'lobby', 9, '2020-11-10 08:00:00', 1);
        INSERT INTO announcements (id, body, author_id, created_at) VALUES (1, 'Hi', 9, '2020-11-10 08:00:00');
    """)
    raw.commit()
    raw.close()

    upgrade()

    with db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall() == []
        def ids(table):
            return [row[0] for row in conn.exec_driver_sql(f"SELECT id FROM {table} ORDER BY id")]
        assert ids("visits") == [1]
        assert ids("booth_staff") == [1]
        assert ids("favourites") == [1]
        assert ids("session_reminders") == []
        assert ids("mutes") == [1]
        assert conn.exec_driver_sql("SELECT booth_id FROM sessions").scalar() is None
        assert conn.exec_driver_sql("SELECT by_id FROM mutes").scalar() is None
        assert conn.exec_driver_sql("SELECT author_id FROM announcements").scalar() is None
        assert ids("users") == [1, 2]


@pytest.mark.sqlite_only
@pytest.mark.parametrize("keys_off", [True, False], ids=["foreign_keys_off", "foreign_keys_on"])
def test_a_batch_rebuild_keeps_the_referencing_rows_only_with_foreign_keys_off(app, people, keys_off):
    """Why migrations run under foreign_keys_off on SQLite: batch mode drops the old
    table, and with foreign keys on that DROP cascades into every referencing table."""
    make.booth(app, "alpha", staff=[people["staff"]])
    make.visit(app, "alpha", people["attendee"])
    with app.app_context():
        db.session.remove()
        with db.engine.connect() as conn:

            def rebuild():
                with Operations(MigrationContext.configure(conn)).batch_alter_table(
                        "booths", recreate="always") as batch:
                    batch.alter_column("tagline", existing_type=db.String(200), server_default="")
                conn.commit()

            if keys_off:
                with foreign_keys_off(conn):
                    rebuild()
            else:
                rebuild()
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert count(Booth) == 1
        assert count(Visit) == (1 if keys_off else 0)
        assert count(BoothStaff) == (1 if keys_off else 0)
