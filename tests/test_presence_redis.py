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


# ---------------------------------------------------------------- large rooms: count, sample, staff

def test_count_sample_and_present_among_across_processes(client, prefix):
    a, b = process(client, prefix), process(client, prefix)
    for uid in range(1, 151):
        (a if uid % 2 else b).join("booth:big", uid, f"s{uid}")
    assert b.join("booth:big", 1, "b-tab") is False  # person 1 also through process B
    assert a.count("booth:big") == b.count("booth:big") == 150
    some = a.some_members("booth:big", 100)
    assert len(some) == 100 and some <= set(range(1, 151))
    assert a.some_members("booth:big", 0) == set()
    assert a.some_members("booth:empty", 5) == set() and a.count("booth:empty") == 0
    assert a.present_among("booth:big", [1, 2, 999]) == {1, 2}
    assert a.present_among("booth:big", []) == set()
    assert a.leave("booth:big", 1, "s1") is False  # still there through B
    assert a.count("booth:big") == 150 and a.present_among("booth:big", [1]) == {1}
    assert b.leave("booth:big", 1, "b-tab") is True
    assert a.count("booth:big") == 149 and a.present_among("booth:big", [1]) == set()
    assert len(a.members("booth:big")) == 149


def test_a_dead_process_drops_out_of_the_counts(client, prefix):
    live, dead = process(client, prefix, ttl=2), process(client, prefix, ttl=2)
    live.join("lobby", 1, "l1")
    dead.join("lobby", 1, "d1")  # the same person through both
    dead.join("lobby", 2, "d2")
    assert live.count("lobby") == 2
    deadline = time.monotonic() + 15
    while live.count("lobby") != 1 and time.monotonic() < deadline:
        live.heartbeat()
        time.sleep(0.3)
    assert live.count("lobby") == 1
    assert live.present_among("lobby", [1, 2]) == {1}
    assert live.some_members("lobby", 10) == {1}
    assert live.leave("lobby", 1, "l1") is True  # the dead process's copy of person 1 no longer counts
    assert live.count("lobby") == 0


def test_a_stalled_process_that_was_reaped_writes_its_people_back(client, prefix):
    slow, other = process(client, prefix, ttl=1), process(client, prefix, ttl=1)
    slow.join("booth:x", 5, "s5")
    slow.join("booth:x", 6, "s6")
    deadline = time.monotonic() + 10
    while other.count("booth:x") and time.monotonic() < deadline:  # slow misses its heartbeats
        other.heartbeat()
        time.sleep(0.3)
    assert other.count("booth:x") == 0
    slow.heartbeat()  # it wakes up: finds itself reaped and writes its connections back
    assert other.count("booth:x") == 2 and other.members("booth:x") == {5, 6}
    assert slow.leave("booth:x", 5, "s5") is True
    assert other.count("booth:x") == 1


def test_a_claim_lets_one_process_through_per_interval(client, prefix):
    a, b = process(client, prefix), process(client, prefix)
    assert a.claim("count:booth:x", 0.3) is True
    assert b.claim("count:booth:x", 0.3) is False
    assert a.claim("count:booth:y", 0.3) is True  # per room
    deadline = time.monotonic() + 5
    while not b.claim("count:booth:x", 0.3) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert time.monotonic() < deadline  # once the interval is over another process may send


def test_entries_lost_by_redis_are_written_back_at_the_next_heartbeat(client, prefix):
    """Redis restarted without saving (here: every key of the prefix deleted): the next
    heartbeat notices and the process writes its connections back."""
    a, b = process(client, prefix), process(client, prefix)
    a.join("booth:x", 1, "s1")
    b.join("booth:x", 2, "s2")
    a.join("online", 1, "s1")
    client.delete(*client.scan_iter(match=f"{prefix}:*"))
    assert a.members("booth:x") == set() and a.count("booth:x") == 0
    a.heartbeat()
    b.heartbeat()
    assert a.members("booth:x") == {1, 2} and a.count("booth:x") == 2
    assert b.members("online") == {1}
    a.heartbeat()  # nothing lost now: no second copy of the counts
    assert a.count("booth:x") == 2
    assert a.leave("booth:x", 1, "s1") and b.members("booth:x") == {2}
