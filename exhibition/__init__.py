"""The virtual conference exhibition platform: ``create_app`` builds it."""
from __future__ import annotations

from pathlib import Path

import click
from flask import Flask, session
from flask_babel import get_locale
from flask_migrate import upgrade
from flask_wtf.csrf import generate_csrf
from sqlalchemy.pool import StaticPool

from config import load_config
from exhibition import accounts, admin, announcements, booths, chat, demo, lobby, networking, schedule
from exhibition.accounts.services import user_for_login
from exhibition.accounts.views import LOGIN_KEY
from exhibition.errors import register_error_handlers
from exhibition.extensions import babel, csrf, db, login_manager, migrate
from exhibition.realtime import presence, relay
from exhibition.realtime.rooms import Room
from exhibition.realtime.server import init_socketio
from exhibition.runtime import backup_cli, health, security, serving
from exhibition.runtime.i18n import TRANSLATIONS, compile_translations, js_strings, select_locale, select_timezone
from exhibition.runtime.startup import add_background_task

ROOT = Path(__file__).resolve().parent.parent

# The areas in their layer order: each imports only from those before it (and from the
# packages below every area: extensions, errors, policies, realtime, runtime). Each has a
# ``register(app)`` that adds its blueprints, room kinds, socket events, background
# tasks and CLI commands. tests/test_architecture.py holds the code to this order.
AREAS = (accounts, chat, booths, schedule, announcements, networking, lobby, admin)
LAYERS = ("accounts", "chat", "booths", "schedule", "announcements", "networking", "lobby", "admin", "demo")


def create_app(overrides: dict | None = None, instance_path: str | None = None) -> Flask:
    app = Flask(
        "exhibition",
        root_path=str(ROOT / "exhibition"),
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
        instance_path=instance_path or str(ROOT / "instance"),
        instance_relative_config=True,
    )
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    app.config.update(load_config(app.instance_path))
    app.config.update(overrides or {})
    if app.config["SQLALCHEMY_DATABASE_URI"] in ("sqlite://", "sqlite:///:memory:"):
        # One shared connection, so every thread of the test server sees the same tables.
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {
            "poolclass": StaticPool, "connect_args": {"check_same_thread": False}}
    else:
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = _pool_options(app.config)
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(TRANSLATIONS)

    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True)
    login_manager.init_app(app)
    csrf.init_app(app)
    compile_translations()
    babel.init_app(app, locale_selector=select_locale, timezone_selector=select_timezone)

    init_socketio(app)
    presence.install(app)  # several processes on a Redis queue share presence
    serving.install(app)  # WebSocket compression declined unless configured
    add_background_task(app, presence.start_count_flusher)  # large rooms' owed presence_count
    add_background_task(app, relay.start_listener)  # a logout closes the person's sockets in each process
    for area in AREAS:
        area.register(app)
    health.register(app)
    security.register(app)
    register_error_handlers(app)
    _register_template_globals(app)
    _register_cli(app)
    backup_cli.register(app)  # db backup / db restore, next to Flask-Migrate's db upgrade
    return app


def _pool_options(config: dict) -> dict:
    """The engine's pool for a database on disk or on a server: DB_POOL_SIZE
    connections kept, DB_MAX_OVERFLOW more under load, and a request that finds none
    free within DB_POOL_TIMEOUT seconds answers 503 (errors.py) instead of waiting.
    Sizes: docs/SCALING.md "Database connections"."""
    options = {**config["SQLALCHEMY_ENGINE_OPTIONS"],
               "pool_pre_ping": True}  # a connection broken by a database restart is replaced, not used
    if "poolclass" not in options:  # a pool chosen by hand keeps its own settings
        options.update(pool_size=config.get("DB_POOL_SIZE", 10), max_overflow=config.get("DB_MAX_OVERFLOW", 10),
                       pool_timeout=config.get("DB_POOL_TIMEOUT", 5))
    if config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql+psycopg2://"):
        # A database that does not answer is reported (healthz: 503) within seconds, not minutes.
        options["connect_args"] = {"connect_timeout": 3}
    return options


@login_manager.user_loader
def _load_user(user_id: str):
    """The session's person, while its login is open (logging out closes it for every
    copy of the cookie)."""
    return user_for_login(user_id, session.get(LOGIN_KEY))


def _register_template_globals(app: Flask) -> None:
    @app.context_processor
    def globals_for_templates():
        return {
            "csrf_token": generate_csrf,
            "current_locale": str(get_locale() or "en"),
            "event_timezone": app.config["EVENT_TIMEZONE"],
            "js_strings": js_strings,
            "Room": Room,  # room names in templates: Room.booth_room(slug).name
        }


def _register_cli(app: Flask) -> None:
    @app.cli.command("seed-demo")
    def seed_demo():
        """Load the demo event (European Cluster Conference 2020) if the database is empty."""
        if demo.load_demo():
            click.echo("demo event loaded")
        else:
            click.echo("database not empty: demo event not loaded")
        demo.print_logins(click.echo)


def prepare_database(app: Flask) -> None:
    """What `python run.py` does before serving: create or upgrade the schema, load the
    demo event into an empty database, print the demo logins."""
    with app.app_context():
        upgrade()
        if app.config["EXHIBITION_DEMO"]:
            if demo.load_demo():
                print("Demo event loaded: European Cluster Conference 2020.", flush=True)
            demo.print_logins(lambda line: print(line, flush=True))
