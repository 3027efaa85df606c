"""The committed migrations build exactly the schema the models describe."""
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import upgrade
from sqlalchemy import inspect, text

from config import testing_overrides as suite_settings
from exhibition import create_app
from exhibition.extensions import db


def test_upgrade_from_empty_matches_the_models(tmp_path):
    overrides = suite_settings()
    if overrides["SQLALCHEMY_DATABASE_URI"] == "sqlite://":
        overrides["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{tmp_path / 'migrated.db'}"
    app = create_app(overrides, instance_path=str(tmp_path / "instance"))
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            db.session.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
            db.session.commit()
        upgrade()
        tables = set(inspect(db.engine).get_table_names())
        assert {"users", "booths", "messages", "sessions", "meetings"} <= tables
        with db.engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": False})
            diff = compare_metadata(context, db.metadata)
        assert diff == [], f"models and migrations differ: {diff}"
        db.session.remove()
        if db.engine.dialect.name == "postgresql":
            db.session.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
            db.session.commit()
        db.engine.dispose()
