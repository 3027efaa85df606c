"""Presence kept in Redis, so every process behind the message queue sees the same
people online and in each room (the interface of ``memory.MemoryPresence``).

Layout (``P`` is the key prefix, ``T`` a token naming one running process):

- ``P:procs``: sorted set of live processes, score = the Redis time (seconds, to the microsecond) until
  which the process counts as alive. Every write and a heartbeat push it forward.
- ``P:T:<room>``: set of the user ids this process has connections of in that room.
- ``P:r:T``: set of the rooms this process has a set for (what to clean up when it dies).
- ``P:n:<room>``: hash user id → how many live processes have connections of that person in
  the room. Its fields are the room's members, so ``count`` is HLEN (O(1)), ``some_members``
  HRANDFIELD (O(k)) and ``present_among`` HMGET (O(ids)), whatever the room's size.
- ``P:reaped``: tokens of processes whose entries were removed as dead (see below).

The per-room hash is kept by the join and leave scripts: a process's SADD that adds the
person adds one to their field, an SREM that removes them takes one off, the field is
deleted at zero. "First in the room" is the field going 0 → 1, "last out" 1 → 0, decided
atomically for all processes, in O(1) (not a look at every other process's set).

A process that dies (SIGKILL, lost host) stops its heartbeat and its score falls into the
past. Every script first *reaps* such processes: it takes their people off the counts,
deletes their sets and drops them from ``P:procs``. So a dead process's people drop out
of every answer as soon as its score lies in the past — after PRESENCE_TTL, as before —
and the counts stay exact. Reaping costs O(the dead process's entries), once. The
per-process keys live ``REAP_GRACE`` seconds longer than the score, so a reaper always
finds what to take off; if every process is gone, everything expires by itself. A process
that was only stalled past its TTL (and reaped) finds its token in ``P:reaped`` with its
next heartbeat and writes its connections back (``resync``).

The trade-off: the hash is a second copy of the membership (memory: one field per person
and room), and a dead process's people are reaped by whichever process touches presence
next (a burst of work on one call) instead of expiring silently. In return a join,
a leave and a count cost the same in a room of 10 and of 10,000, with any number of
processes. Scripts run atomically and read Redis' own clock, so no two hosts' clocks are
compared.

Which connection (sid) is in which room is local to a process, and kept in memory.
"""
from __future__ import annotations

import os
import threading
import time
import uuid
from collections.abc import Callable, Iterable

import redis

from exhibition.realtime.presence.memory import MemoryPresence

DEFAULT_PREFIX = "exhibition:presence"
DEFAULT_TTL = 15  # seconds a process counts as alive after its last heartbeat
REAP_GRACE = 60  # seconds a process's keys outlive its score, so a live process can reap them
REAPED_KEEP = 24 * 3600  # how long the token of a reaped process is remembered

# Every script starts with this (ARGV[1] = prefix): Redis' time, and the reaping of
# processes whose score lies in the past (usually none: one ZRANGEBYSCORE).
_PRELUDE = """
local prefix = ARGV[1]
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local procs = prefix .. ':procs'
for _, p in ipairs(redis.call('ZRANGEBYSCORE', procs, '-inf', '(' .. string.format('%.6f', now))) do
  local index = prefix .. ':r:' .. p
  for _, room in ipairs(redis.call('SMEMBERS', index)) do
    local key = prefix .. ':' .. p .. ':' .. room
    local counts = prefix .. ':n:' .. room
    for _, uid in ipairs(redis.call('SMEMBERS', key)) do
      if redis.call('HINCRBY', counts, uid, -1) <= 0 then redis.call('HDEL', counts, uid) end
    end
    redis.call('DEL', key)
  end
  redis.call('DEL', index)
  redis.call('ZREM', procs, p)
  redis.call('SADD', prefix .. ':reaped', p)
  redis.call('EXPIRE', prefix .. ':reaped', ARGV_REAPED_KEEP)
end
""".replace("ARGV_REAPED_KEEP", str(REAPED_KEEP))

# ARGV: prefix, token, room, user_id, ttl, keep. Returns 1 if the person was in the room
# on no live process before.
_JOIN = _PRELUDE + """
local token, room, uid, ttl, keep = ARGV[2], ARGV[3], ARGV[4], tonumber(ARGV[5]), tonumber(ARGV[6])
redis.call('ZADD', procs, now + ttl, token)
local key = prefix .. ':' .. token .. ':' .. room
local index = prefix .. ':r:' .. token
redis.call('SADD', index, room)
redis.call('EXPIRE', index, keep)
local added = redis.call('SADD', key, uid)
redis.call('EXPIRE', key, keep)
if added == 0 then return 0 end
local counts = prefix .. ':n:' .. room
local n = redis.call('HINCRBY', counts, uid, 1)
redis.call('EXPIRE', counts, keep)
if n == 1 then return 1 end
return 0
"""

# ARGV: prefix, token, room, user_id. Returns 1 if that was the person's last live process there.
_LEAVE = _PRELUDE + """
local token, room, uid = ARGV[2], ARGV[3], ARGV[4]
if redis.call('SREM', prefix .. ':' .. token .. ':' .. room, uid) == 0 then return 0 end
local counts = prefix .. ':n:' .. room
if redis.call('HINCRBY', counts, uid, -1) <= 0 then
  redis.call('HDEL', counts, uid)
  return 1
end
return 0
"""

# ARGV: prefix, room
_MEMBERS = _PRELUDE + "return redis.call('HKEYS', prefix .. ':n:' .. ARGV[2])"
_COUNT = _PRELUDE + "return redis.call('HLEN', prefix .. ':n:' .. ARGV[2])"
# ARGV: prefix, room, k (HRANDFIELD with a positive count: distinct fields, O(k))
_SOME = _PRELUDE + "return redis.call('HRANDFIELD', prefix .. ':n:' .. ARGV[2], tonumber(ARGV[3]))"
# ARGV: prefix, room, user_id... → the counts (nil: absent) in that order
_AMONG = _PRELUDE + """
if #ARGV < 3 then return {} end
return redis.call('HMGET', prefix .. ':n:' .. ARGV[2], unpack(ARGV, 3))
"""

# ARGV: prefix, token, ttl, keep, room... Returns 1 if this process's entries are gone (it was
# reaped as dead, or Redis lost them) and must be written back.
_HEARTBEAT = _PRELUDE + """
local token, ttl, keep = ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4])
local reaped = redis.call('SREM', prefix .. ':reaped', token)
-- a process with rooms whose index is gone lost its entries otherwise (Redis restarted
-- without saving, or the keys expired during an outage): it writes them back too
if reaped == 0 and #ARGV >= 5 and redis.call('EXISTS', prefix .. ':r:' .. token) == 0 then
  reaped = 1
end
redis.call('ZADD', procs, now + ttl, token)
redis.call('EXPIRE', prefix .. ':r:' .. token, keep)
for i = 5, #ARGV do
  redis.call('EXPIRE', prefix .. ':' .. token .. ':' .. ARGV[i], keep)
  redis.call('EXPIRE', prefix .. ':n:' .. ARGV[i], keep)
end
return reaped
"""

# ARGV: prefix, token, room, keep, user_id...: write this process's people back (after a reap).
_RESYNC = _PRELUDE + """
local token, room, keep = ARGV[2], ARGV[3], tonumber(ARGV[4])
local key = prefix .. ':' .. token .. ':' .. room
local counts = prefix .. ':n:' .. room
local index = prefix .. ':r:' .. token
redis.call('SADD', index, room)
redis.call('EXPIRE', index, keep)
for i = 5, #ARGV do
  if redis.call('SADD', key, ARGV[i]) == 1 then redis.call('HINCRBY', counts, ARGV[i], 1) end
end
redis.call('EXPIRE', key, keep)
redis.call('EXPIRE', counts, keep)
return 0
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
        self.keep = self.ttl + REAP_GRACE
        self._join = client.register_script(_JOIN)
        self._leave = client.register_script(_LEAVE)
        self._members = client.register_script(_MEMBERS)
        self._count = client.register_script(_COUNT)
        self._some = client.register_script(_SOME)
        self._among = client.register_script(_AMONG)
        self._heartbeat = client.register_script(_HEARTBEAT)
        self._resync = client.register_script(_RESYNC)
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
            return bool(self._join(args=[self.prefix, self.token, room, user_id, self.ttl, self.keep]))

    def leave(self, room: str, user_id: int, sid: str) -> bool:
        """Returns True if this was the person's last connection in the room, on any process."""
        with self._lock:
            if not self._local.leave(room, user_id, sid):
                return False
            return bool(self._leave(args=[self.prefix, self.token, room, user_id]))

    def members(self, room: str) -> set[int]:
        """Everyone in the room, on every live process (O(members): for small rooms and figures)."""
        return {int(uid) for uid in self._members(args=[self.prefix, room])}

    def count(self, room: str) -> int:
        """How many people are in the room, on every live process: O(1)."""
        return int(self._count(args=[self.prefix, room]))

    def some_members(self, room: str, k: int) -> set[int]:
        """Up to ``k`` of the room's people (random ones): O(k)."""
        if k <= 0:
            return set()
        return {int(uid) for uid in self._some(args=[self.prefix, room, int(k)])}

    def present_among(self, room: str, user_ids: Iterable[int]) -> set[int]:
        """Which of ``user_ids`` are in the room: O(len(user_ids))."""
        ids = [int(uid) for uid in user_ids]
        if not ids:
            return set()
        answers = self._among(args=[self.prefix, room, *ids])
        return {uid for uid, n in zip(ids, answers, strict=True) if n is not None}

    def claim(self, name: str, seconds: float) -> bool:
        """True for the first process to claim ``name`` within ``seconds`` (SET NX PX): one
        presence_count per room and interval across all processes."""
        key = f"{self.prefix}:claim:{name}"
        return bool(self.client.set(key, self.token, nx=True, px=max(1, int(seconds * 1000))))

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
        if self._heartbeat(args=[self.prefix, self.token, self.ttl, self.keep, *rooms]):
            self.resync()

    def resync(self) -> None:
        """Write this process's connections back to Redis: after it was stalled past its
        TTL and another process reaped its entries as dead's, or after Redis lost them
        (restarted without saving)."""
        with self._lock:
            for room in self._local.rooms():
                self._resync(args=[self.prefix, self.token, room, self.keep, *self._local.members(room)])

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
