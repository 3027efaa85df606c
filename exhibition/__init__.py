"""The virtual conference exhibition platform: ``create_app`` builds it."""
from __future__ import annotations

from importlib import import_module
from pathlib import Path

from flask import Flask
from flask_babel import get_locale
from flask_wtf.csrf import generate_csrf
from sqlalchemy.pool import StaticPool

from config import load_config
from .errors import register_error_handlers
from .extensions import babel, csrf, db, login_manager, migrate
from .i18n import TRANSLATIONS, compile_translations, js_strings, plural_forms, select_locale, select_timezone

ROOT = Path(__file__).resolve().parent.parent

# Each area's package has a ``register(app)`` that adds its blueprints, models,
# socket events and CLI commands. Order matters only for the navigation.
AREAS = ("accounts", "booths", "chat", "announcements", "schedule", "networking", "admin")


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
    elif app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql+psycopg2://"):
        # A database that does not answer is reported (healthz: 503) within seconds, not minutes.
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {
            **app.config["SQLALCHEMY_ENGINE_OPTIONS"], "connect_args": {"connect_timeout": 3}}
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(TRANSLATIONS)

    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True)
    login_manager.init_app(app)
    csrf.init_app(app)
    compile_translations()
    babel.init_app(app, locale_selector=select_locale, timezone_selector=select_timezone)

    from .sockets import init_socketio
    from . import health, security
    init_socketio(app)
    from .presence_redis import install as use_redis_presence
    use_redis_presence(app)  # several processes on a Redis queue share presence
    from .serving import install as install_serving
    install_serving(app)  # WebSocket compression declined unless configured
    for area in AREAS:
        import_module(f".{area}", __name__).register(app)
    health.register(app)
    security.register(app)
    register_error_handlers(app)
    _register_template_globals(app)
    _register_cli(app)
    return app


@login_manager.user_loader
def _load_user(user_id: str):
    """The session's person, while its login is open (logging out closes it for every
    copy of the cookie)."""
    from flask import session

    from .accounts.services import user_for_login
    from .accounts.views import LOGIN_KEY
    return user_for_login(user_id, session.get(LOGIN_KEY))


def _register_template_globals(app: Flask) -> None:
    @app.context_processor
    def globals_for_templates():
        return {
            "csrf_token": generate_csrf,
            "current_locale": str(get_locale() or "en"),
            "event_timezone": app.config["EVENT_TIMEZONE"],
            "js_strings": js_strings,
            "plural_forms": plural_forms,
        }


def _register_cli(app: Flask) -> None:
    import click

    from .accounts.cli import users_cli

    app.cli.add_command(users_cli)

    @app.cli.command("seed-demo")
    def seed_demo():
        """Load the demo event (European Cluster Conference 2020) if the database is empty."""
        from .demo import load_demo, print_logins
        if load_demo():
            click.echo("demo event loaded")
        else:
            click.echo("database not empty: demo event not loaded")
        print_logins(click.echo)
