"""PostgreSQL and Redis for the scale-out tests: a database of their own (created if
missing, emptied per run) and a Redis db number of their own (flushed per run).

DSNs: SCALEOUT_DATABASE_URL (default postgresql://postgres@127.0.0.1:5432/exhibition_scaleout),
RESTORE_DATABASE_URL (default …/exhibition_restore: where tests/e2e/test_backup.py restores
a backup of the former) and SCALEOUT_REDIS_URL (default redis://127.0.0.1:6379/14). Tests using them skip when
either service is down (``./dev test`` starts both)."""
from __future__ import annotations

import os
from urllib.parse import urlparse

import psycopg2
import redis

DATABASE_URL = os.environ.get("SCALEOUT_DATABASE_URL",
                              "postgresql://postgres@127.0.0.1:5432/exhibition_scaleout")
RESTORE_DATABASE_URL = os.environ.get("RESTORE_DATABASE_URL",
                                      "postgresql://postgres@127.0.0.1:5432/exhibition_restore")
REDIS_URL = os.environ.get("SCALEOUT_REDIS_URL", "redis://127.0.0.1:6379/14")


def _connect(dsn: str):
    return psycopg2.connect(dsn, connect_timeout=5)


def fresh_database(url: str = DATABASE_URL) -> str:
    """Create the database if missing and give it an empty public schema."""
    name = urlparse(url).path.lstrip("/")
    admin_url = url.rsplit("/", 1)[0] + "/postgres"
    admin = _connect(admin_url)  # no PostgreSQL is a failure: ./dev test starts one
    admin.autocommit = True
    with admin.cursor() as cur:
        cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,))
        if cur.fetchone() is None:
            cur.execute(f'CREATE DATABASE "{name}"')
    admin.close()
    conn = _connect(url)
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute("DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public")
    conn.close()
    return url


def fresh_redis(url: str = REDIS_URL) -> str:
    client = redis.Redis.from_url(url, socket_connect_timeout=3)
    try:
        client.flushdb()  # no Redis is a failure: ./dev test starts one
    finally:
        client.close()
    return url


def connect(url: str = DATABASE_URL):
    """A plain psycopg2 connection to the test database (for locks and checks)."""
    return _connect(url)
