"""Presence in Redis (exhibition/realtime/presence/redis_store.py): the same answers as the in-memory
store, shared by several processes, and a dead process's entries drop out.

Runs against the local Redis (db 13, a fresh key prefix per test); fails without one."""
from __future__ import annotations

import time
import uuid

import pytest
import redis

from config import testing_overrides as settings_for_tests
from exhibition import create_app
from exhibition.realtime import presence
from exhibition.realtime.presence.redis_store import RedisPresence

REDIS_URL = "redis://127.0.0.1:6379/13"


@pytest.fixture
def client():
    c = redis.Redis.from_url(REDIS_URL)
    c.ping()  # no Redis on 127.0.0.1:6379 is a failure: ./dev test starts one
    yield c
    c.close()


@pytest.fixture
def prefix(client):
    p = f"test-presence-{uuid.uuid4().hex[:8]}"
    yield p
    keys = list(client.scan_iter(match=f"{p}:*"))
    if keys:
        client.delete(*keys)


def process(client, prefix, ttl=15) -> RedisPresence:
    """One server process's view (its own token)."""
    return RedisPresence(client, prefix=prefix, ttl=ttl)


def test_first_in_and_last_out_within_one_process(client, prefix):
    a = process(client, prefix)
    assert a.join("booth:x", 1, "s1") is True
    assert a.join("booth:x", 1, "s2") is False  # a second tab
    assert a.join("booth:x", 2, "s3") is True
    assert a.members("booth:x") == {1, 2}
    assert a.count("booth:x") == 2
    assert a.leave("booth:x", 1, "s1") is False  # the other tab is still there
    assert a.members("booth:x") == {1, 2}
    assert a.leave("booth:x", 1, "s2") is True
    assert a.members("booth:x") == {2}
    assert a.leave("booth:x", 1, "s2") is False  # leaving twice changes nothing
    assert a.leave("booth:y", 9, "nope") is False
    assert a.members("booth:y") == set()


def test_two_processes_share_rooms(client, prefix):
    a, b = process(client, prefix), process(client, prefix)
    assert a.join("lobby", 1, "a1") is True
    assert b.join("lobby", 1, "b1") is False  # already present through process A
    assert b.join("lobby", 2, "b2") is True
    assert a.members("lobby") == b.members("lobby") == {1, 2}
    assert a.leave("lobby", 1, "a1") is False  # still connected through process B
    assert a.members("lobby") == {1, 2}
    assert b.leave("lobby", 1, "b1") is True
    assert a.members("lobby") == {2}
    assert a.members("booth:other") == set()


def test_a_dead_process_drops_out_and_a_live_one_stays(client, prefix):
    live = process(client, prefix, ttl=2)
    dead = process(client, prefix, ttl=2)
    live.join("online", 1, "l1")
    dead.join("online", 2, "d1")
    assert live.members("online") == {1, 2}
    deadline = time.monotonic() + 15
    while (2 in live.members("online") or dead.token in live.live_processes()) and time.monotonic() < deadline:
        live.heartbeat()  # the live process keeps beating, the dead one does not
        time.sleep(0.3)
    assert live.members("online") == {1}
    assert dead.token not in live.live_processes()
    assert live.token in live.live_processes()
    # once its key expired, nothing of the dead process is left behind
    while client.exists(f"{prefix}:{dead.token}:online") and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not client.exists(f"{prefix}:{dead.token}:online")


def test_the_heartbeat_loop_keeps_a_process_alive(client, prefix):
    a = process(client, prefix, ttl=2)
    a.join("lobby", 7, "s")
    beats = []

    def stop():
        beats.append(1)
        return len(beats) > 8

    a.sleep = lambda s: time.sleep(0.3)
    a.run_heartbeat(stop)  # 8 beats, about 2.4 s: longer than the TTL
    assert a.members("lobby") == {7}
    assert client.ttl(f"{prefix}:{a.token}:lobby") > 0


def test_clear_forgets_everything_under_the_prefix(client, prefix):
    a, b = process(client, prefix), process(client, prefix)
    a.join("lobby", 1, "a")
    b.join("booth:x", 2, "b")
    a.clear()
    assert a.members("lobby") == set() and b.members("booth:x") == set()
    assert list(client.scan_iter(match=f"{prefix}:*")) == []


def test_create_app_uses_redis_presence_with_a_redis_queue(client, tmp_path):
    overrides = dict(settings_for_tests(), SOCKETIO_MESSAGE_QUEUE=REDIS_URL,
                     PRESENCE_PREFIX=f"test-presence-{uuid.uuid4().hex[:8]}")
    try:
        create_app(overrides, instance_path=str(tmp_path / "instance"))
        assert isinstance(presence.store(), RedisPresence)
        presence.store().join("online", 5, "sid")
        assert presence.is_online(5)
        presence.store().clear()
    finally:
        create_app(settings_for_tests(), instance_path=str(tmp_path / "instance2"))
    assert isinstance(presence.store(), presence.MemoryPresence)
