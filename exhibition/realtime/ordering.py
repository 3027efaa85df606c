"""One delivery order for every process on a Redis message queue.

python-socketio's RedisManager delivers an emit to the sending process's own clients at
once and to the other processes through Redis. Two processes sending into one room then
deliver in different orders: B's clients can get B's message 30 before A's message 29,
which is still on its way through Redis, although 29 was committed and published first.
A client that saw 30 and reconnects asks for history after 30 and never sees 29.

``QueueOrderedRedisManager`` sends every emit through Redis, this process's clients
included, so every process delivers in the one order Redis received them in (the order
``chat/sending.py`` publishes in, under the rooms' advisory locks). The cost is one
Redis round trip before a process's own clients get an event (figures in
docs/PERFORMANCE.md, "two processes"), and while Redis is down no client gets pushes.

Redis going away and coming back (SPEC §11). Messages are stored and acknowledged while
Redis is down; their broadcasts are lost. So that no connected client silently misses
one, every client of a process is sent ``resync`` (and catches up with ``history
after_id``) when that process's listener is subscribed again after losing Redis, and a
process that gave up publishing anything sends ``resync`` to every process once it can
publish again. python-socketio's own reconnect loop waits up to 60 s between attempts
after a long outage; here it is at most ``RETRY_CAP`` seconds, and redis-py's hidden
retries are off, so a lost connection is always seen (and resynced)."""
from __future__ import annotations

import time

import socketio
from redis.backoff import NoBackoff
from redis.retry import Retry
from socketio.packet import Packet

EVERY_HOST = "*"  # a host id no process has: each process's listener handles the message
RETRY_CAP = 1.0  # seconds at most between reconnect attempts: back within 10 s of Redis
CONNECT_TIMEOUT = 2.0  # seconds; a Redis that does not answer fails the publish, not the batch


class QueueOrderedRedisManager(socketio.RedisManager):
    """Every emit through Redis (one order for all processes); resync after an outage."""

    def __init__(self, url: str, channel: str = "socketio") -> None:
        # retries=0: a broken connection raises at once instead of being re-made quietly
        # by redis-py (which would hide that messages were missed meanwhile).
        super().__init__(url, channel=channel, redis_options={
            "retry": Retry(NoBackoff(), 0), "socket_connect_timeout": CONNECT_TIMEOUT})
        self.publish_failed = False  # a publish was given up since the last one that went out
        self.resyncs = 0  # local resyncs sent (for tests and logs)

    def emit(self, event, data, namespace=None, room=None, skip_sid=None, callback=None, to=None, **kwargs):
        payload = list(data) if isinstance(data, tuple) else [data]
        if callback is not None or kwargs.get("ignore_queue") or Packet.data_is_binary(payload):
            # acks across hosts and binary payloads: python-socketio's own way (never used for chat)
            return super().emit(event, data, namespace=namespace, room=room, skip_sid=skip_sid,
                                callback=callback, to=to, **kwargs)
        self._publish({"method": "emit", "event": event, "data": payload, "binary": False,
                       "namespace": namespace or "/", "room": to or room, "skip_sid": skip_sid,
                       "callback": None, "host_id": EVERY_HOST})

    def _publish(self, data):
        """Publish on Redis (two attempts, as python-socketio does); note what was given up."""
        for attempt in (1, 2):
            try:
                if not self.connected:
                    self._redis_connect()
                result = self.redis.publish(self.channel, self.json.dumps(data))
            except Exception as exc:
                self.connected = False
                if attempt == 2:
                    self._get_logger().error("Cannot publish to redis... giving up (%s)", exc)
                    self.publish_failed = True
                continue
            if self.publish_failed:
                # Back after losing broadcasts: every process's clients catch up.
                self.publish_failed = False
                self._publish(resync_message())
            return result
        return None

    def _redis_connect(self) -> None:
        super()._redis_connect()
        # The subscribe confirmation is needed: it says from when on nothing is missed.
        self.pubsub = self.redis.pubsub(ignore_subscribe_messages=False)

    def _redis_listen_with_retries(self):
        """Listen on the channel; after a lost connection, subscribe again every
        ``RETRY_CAP`` seconds at most, and once subscribed tell this process's clients
        to catch up (whatever was published meanwhile never reached them)."""
        lost = False
        while True:
            try:
                self._redis_connect()
                self.pubsub.subscribe(self.channel)
                for message in self.pubsub.listen():
                    if message.get("type") == "subscribe":
                        if lost:
                            lost = False
                            self.resync_local()
                        continue
                    yield message
            except Exception as exc:
                if not lost:
                    self._get_logger().error("Cannot receive from redis... retrying every %ss (%s)",
                                             RETRY_CAP, exc)
                lost = True
                time.sleep(RETRY_CAP)

    def resync_local(self) -> None:
        """Tell every connection of this process to catch up with ``history after_id``."""
        self.resyncs += 1
        self._get_logger().warning("message queue back: clients of this process catch up")
        super().emit("resync", {}, namespace="/", ignore_queue=True)


def resync_message() -> dict:
    """A ``resync`` for every connection of every process, as the queue carries it."""
    return {"method": "emit", "event": "resync", "data": [{}], "binary": False, "namespace": "/",
            "room": None, "skip_sid": None, "callback": None, "host_id": EVERY_HOST}
