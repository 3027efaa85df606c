"""Settings from the environment (SPEC §3). Nothing is read at import time:
``load_config`` is called by the app factory with the app's instance path."""
from __future__ import annotations

import os
import secrets
from pathlib import Path


def _secret_key(instance_path: str) -> str:
    """SECRET_KEY from the environment, else one generated once and kept in instance/."""
    if os.environ.get("SECRET_KEY"):
        return os.environ["SECRET_KEY"]
    path = Path(instance_path) / "secret_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


def database_url(raw: str) -> str:
    """A plain postgresql:// URL gets psycopg2, the driver psycogreen makes cooperative."""
    for prefix in ("postgresql://", "postgres://"):
        if raw.startswith(prefix):
            return "postgresql+psycopg2://" + raw[len(prefix):]
    return raw


def _rate(raw: str) -> tuple[int, int]:
    """'10/10' -> (10 messages, 10 seconds); '0' -> (0, 0): no flood limit."""
    raw = raw.strip()
    if raw in ("", "0"):
        return (0, 0)
    count, _, seconds = raw.partition("/")
    return (int(count), int(seconds or 1))


class Config:
    """Defaults; ``load_config`` fills in what depends on the environment."""

    SQLALCHEMY_TRACK_MODIFICATIONS = False
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    WTF_CSRF_HEADERS = ["X-CSRFToken", "X-CSRF-Token"]
    WTF_CSRF_TIME_LIMIT = None  # valid as long as the session
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    MAX_CONTENT_LENGTH = 2 * 1024 * 1024  # schedule imports fit; bigger bodies get 413
    BABEL_DEFAULT_LOCALE = "en"
    LANGUAGES = ("en", "de")
    TESTING = False
    PASSWORD_HASH_METHOD = "scrypt"  # werkzeug's scrypt, N=2**15: slow and memory-hard


def load_config(instance_path: str) -> dict:
    env = os.environ
    cfg = {k: getattr(Config, k) for k in dir(Config) if k.isupper()}
    cfg.update(
        HOST=env.get("HOST", "127.0.0.1"),
        PORT=int(env.get("PORT", "5000")),
        SQLALCHEMY_DATABASE_URI=database_url(
            env.get("DATABASE_URL") or f"sqlite:///{Path(instance_path) / 'exhibition.db'}"
        ),
        SECRET_KEY=_secret_key(instance_path),
        SOCKETIO_MESSAGE_QUEUE=env.get("SOCKETIO_MESSAGE_QUEUE") or None,
        SOCKETIO_ASYNC_MODE=env.get("SOCKETIO_ASYNC_MODE", "eventlet"),
        EXHIBITION_DEMO=env.get("EXHIBITION_DEMO", "1") != "0",
        EVENT_TIMEZONE=env.get("EVENT_TIMEZONE", "Europe/Berlin"),
        CORS_ORIGINS=[o.strip() for o in env.get("CORS_ORIGINS", "").split(",") if o.strip()],
        CHAT_RATE_LIMIT=_rate(env.get("CHAT_RATE_LIMIT", "10/10")),
        SESSION_COOKIE_SECURE=env.get("SESSION_COOKIE_SECURE", "0") == "1",
        MEETING_VIDEO_BASE_URL=env.get("MEETING_VIDEO_BASE_URL", "https://meet.jit.si/"),
        # The database pool per process (docs/SCALING.md "Database connections").
        DB_POOL_SIZE=int(env.get("DB_POOL_SIZE") or 10),
        DB_MAX_OVERFLOW=int(env.get("DB_MAX_OVERFLOW") or 10),
        DB_POOL_TIMEOUT=int(env.get("DB_POOL_TIMEOUT") or 5),  # whole seconds: engine_from_config makes it an int
        BLOCKING_THREADS=int(env.get("BLOCKING_THREADS") or 0),  # 0: one per core
        BLOCKING_NICE=int(env["BLOCKING_NICE"]) if env.get("BLOCKING_NICE", "").strip() else 10,
    )
    from exhibition.runtime.serving import settings_from_env  # server settings: docs/SCALING.md
    cfg.update(settings_from_env(env), PRESENCE_TTL=int(env.get("PRESENCE_TTL", "15")),
               REMINDER_INTERVAL=float(env.get("REMINDER_INTERVAL", "30")))
    return cfg


def testing_overrides() -> dict:
    """The test suite's settings: threading mode, no demo, SQLite in memory unless
    TEST_DATABASE_URL names another database (CI runs the suite on PostgreSQL too)."""
    url = os.environ.get("TEST_DATABASE_URL")
    return {
        "TESTING": True,
        "SOCKETIO_ASYNC_MODE": "threading",
        "EXHIBITION_DEMO": False,
        "SOCKETIO_MESSAGE_QUEUE": None,
        "SQLALCHEMY_DATABASE_URI": database_url(url) if url else "sqlite://",
        "SECRET_KEY": "test-secret",
        # Still scrypt, at a cost that keeps the suite fast; production keeps Config's.
        "PASSWORD_HASH_METHOD": "scrypt:1024:8:1",
    }
