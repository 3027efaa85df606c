"""Presence kept in Redis, so every process behind the message queue sees the same
people online and in each room (the interface of ``memory.MemoryPresence``).

Layout (``P`` is the key prefix, ``T`` a token naming one running process):

- ``P:procs``: sorted set of live processes, score = the Redis time (seconds, to the microsecond) until
  which the process counts as alive. Every write and a heartbeat push it forward.
- ``P:T:<room>``: set of the user ids this process has connections of in that room,
  with a TTL refreshed by the heartbeat.

A room's members are the union of the sets of the live processes. A process that
dies (SIGKILL, lost host) stops its heartbeat: it drops out of the union once its
score lies in the past, and its keys expire a moment later. Scripts run atomically
and read Redis' own clock, so "first in the room" and "last out" are decided once
for all processes, without comparing the clocks of different hosts.

Which connection (sid) is in which room is local to a process, and kept in memory.
"""
from __future__ import annotations

import os
import threading
import time
import uuid
from collections.abc import Callable

import redis

from exhibition.realtime.presence.memory import MemoryPresence

DEFAULT_PREFIX = "exhibition:presence"
DEFAULT_TTL = 15  # seconds a process counts as alive after its last heartbeat

# KEYS: none (the keys of other processes are found through P:procs).
# ARGV: prefix, token, room, user_id, ttl
_JOIN = """
local prefix, token, room, uid, ttl = ARGV[1], ARGV[2], ARGV[3], ARGV[4], tonumber(ARGV[5])
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local procs = prefix .. ':procs'
redis.call('ZADD', procs, now + ttl, token)
local elsewhere = 0
for _, p in ipairs(redis.call('ZRANGEBYSCORE', procs, now, '+inf')) do
  if p ~= token and redis.call('SISMEMBER', prefix .. ':' .. p .. ':' .. room, uid) == 1 then
    elsewhere = 1
    break
  end
end
local key = prefix .. ':' .. token .. ':' .. room
local added = redis.call('SADD', key, uid)
redis.call('EXPIRE', key, ttl)
if added == 1 and elsewhere == 0 then return 1 end
return 0
"""

_LEAVE = """
local prefix, token, room, uid, ttl = ARGV[1], ARGV[2], ARGV[3], ARGV[4], tonumber(ARGV[5])
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local procs = prefix .. ':procs'
local removed = redis.call('SREM', prefix .. ':' .. token .. ':' .. room, uid)
if removed == 0 then return 0 end
for _, p in ipairs(redis.call('ZRANGEBYSCORE', procs, now, '+inf')) do
  if p ~= token and redis.call('SISMEMBER', prefix .. ':' .. p .. ':' .. room, uid) == 1 then
    return 0
  end
end
return 1
"""

# ARGV: prefix, room
_MEMBERS = """
local prefix, room = ARGV[1], ARGV[2]
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local keys = {}
for _, p in ipairs(redis.call('ZRANGEBYSCORE', prefix .. ':procs', now, '+inf')) do
  keys[#keys + 1] = prefix .. ':' .. p .. ':' .. room
end
if #keys == 0 then return {} end
return redis.call('SUNION', unpack(keys))
"""

# ARGV: prefix, token, ttl, room...
_HEARTBEAT = """
local prefix, token, ttl = ARGV[1], ARGV[2], tonumber(ARGV[3])
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local procs = prefix .. ':procs'
redis.call('ZADD', procs, now + ttl, token)
redis.call('ZREMRANGEBYSCORE', procs, '-inf', now - 60)
for i = 4, #ARGV do
  redis.call('EXPIRE', prefix .. ':' .. token .. ':' .. ARGV[i], ttl)
end
return now
"""


class RedisPresence:
    """Presence shared by all processes on one Redis (see the module docstring)."""

    def __init__(self, client: redis.Redis, prefix: str = DEFAULT_PREFIX, ttl: int = DEFAULT_TTL,
                 token: str | None = None) -> None:
        self.client = client
        self.prefix = prefix
        self.ttl = int(ttl)
        self.token = token or f"{os.getpid()}-{uuid.uuid4().hex[:12]}"
        # Serialises this process's Redis writes with its own bookkeeping.
        self._lock = threading.Lock()
        # This process's connections per room and person (first-in / last-out per process).
        self._local = MemoryPresence()
        self._join = client.register_script(_JOIN)
        self._leave = client.register_script(_LEAVE)
        self._members = client.register_script(_MEMBERS)
        self._heartbeat = client.register_script(_HEARTBEAT)
        self._heartbeat_started = False
        self.start_task: Callable[..., object] | None = None
        self.sleep: Callable[[float], None] | None = None

    # ------------------------------------------------------------ the interface

    def join(self, room: str, user_id: int, sid: str) -> bool:
        """Returns True if this person was in the room on no process before."""
        self._ensure_heartbeat()
        with self._lock:
            if not self._local.join(room, user_id, sid):
                return False
            return bool(self._join(args=[self.prefix, self.token, room, user_id, self.ttl]))

    def leave(self, room: str, user_id: int, sid: str) -> bool:
        """Returns True if this was the person's last connection in the room, on any process."""
        with self._lock:
            if not self._local.leave(room, user_id, sid):
                return False
            return bool(self._leave(args=[self.prefix, self.token, room, user_id, self.ttl]))

    def members(self, room: str) -> set[int]:
        return {int(uid) for uid in self._members(args=[self.prefix, room])}

    def count(self, room: str) -> int:
        return len(self.members(room))

    def clear(self) -> None:
        """Forget everything under this prefix (all processes'): for tests and resets."""
        with self._lock:
            self._local.clear()
            keys = list(self.client.scan_iter(match=f"{self.prefix}:*", count=500))
            if keys:
                self.client.delete(*keys)

    # ------------------------------------------------------------ liveness

    def heartbeat(self) -> None:
        """Tell Redis this process is alive and keep its room keys from expiring."""
        rooms = self._local.rooms()
        self._heartbeat(args=[self.prefix, self.token, self.ttl, *rooms])

    def run_heartbeat(self, should_stop: Callable[[], bool] = lambda: False) -> None:
        """The loop: a heartbeat every third of the TTL; Redis hiccups are survived."""
        sleep = self.sleep or _plain_sleep
        while not should_stop():
            try:
                self.heartbeat()
            except redis.RedisError:
                pass  # the entries may expire meanwhile; the next beat restores the score
            sleep(max(self.ttl / 3.0, 0.5))

    def _ensure_heartbeat(self) -> None:
        if self._heartbeat_started or self.start_task is None:
            return
        self._heartbeat_started = True
        self.start_task(self.run_heartbeat)

    def live_processes(self) -> list[str]:
        seconds, micros = self.client.time()
        now = seconds + micros / 1_000_000
        members: list = list(self.client.zrangebyscore(f"{self.prefix}:procs", now, "+inf"))
        return [p.decode() if isinstance(p, bytes) else str(p) for p in members]


def _plain_sleep(seconds: float) -> None:
    time.sleep(seconds)


def is_redis_url(url: str | None) -> bool:
    return url is not None and url.split("://", 1)[0] in ("redis", "rediss", "unix")
