"""Logging out closes the person's sockets in every process, not only in the one that
handled the logout: with a Redis message queue, the logging-out process publishes the
person's id on a channel of its own and every serving process, listening on it,
closes its connections of that person (``publishing.disconnect_local``).

The listener runs in serving processes only (``runtime.startup.start_background_tasks``), as a
Socket.IO background task (a green thread under eventlet or gevent)."""
from __future__ import annotations

import logging
from collections.abc import Callable

import redis

from exhibition.extensions import socketio
from exhibition.realtime.presence.redis_store import is_redis_url
from exhibition.realtime.publishing import disconnect_local, on_remote_disconnect

CHANNEL = "exhibition:logout"
log = logging.getLogger("exhibition.realtime.relay")

_relay: LogoutRelay | None = None


class LogoutRelay:
    def __init__(self, client: redis.Redis, channel: str = CHANNEL) -> None:
        self.client, self.channel = client, channel

    def publish(self, user_id: int) -> None:
        """Tell the other processes; with Redis down the logout still happens here (the
        login row is gone, so the person's sockets elsewhere are refused at their next
        event and closed when Redis is back or they reconnect)."""
        try:
            self.client.publish(self.channel, str(int(user_id)))
        except redis.RedisError as err:
            log.warning("logout of %s not relayed to the other processes: %s", user_id, err)

    def listen(self, on_logout: Callable[[int], None], sleep: Callable[[float], None],
               should_stop: Callable[[], bool] = lambda: False) -> None:
        """Call ``on_logout(user_id)`` for each published id; reconnect after Redis errors."""
        while not should_stop():
            try:
                pubsub = self.client.pubsub(ignore_subscribe_messages=True)
                pubsub.subscribe(self.channel)
                while not should_stop():
                    message = pubsub.get_message(timeout=1.0)
                    if message is None:
                        sleep(0)  # let other green threads run between polls
                        continue
                    data = message.get("data")
                    if isinstance(data, bytes) and data.isdigit():
                        on_logout(int(data))
            except redis.RedisError:
                sleep(1.0)  # Redis is down: /healthz says so; try again


def install(url: str | None) -> LogoutRelay | None:
    """Publish logouts on ``url``'s Redis when the message queue is Redis; else none."""
    global _relay
    _relay = LogoutRelay(redis.Redis.from_url(url)) if url is not None and is_redis_url(url) else None
    on_remote_disconnect(_relay.publish if _relay is not None else None)
    return _relay


def relay() -> LogoutRelay | None:
    return _relay


def start_listener(app) -> None:
    """In a serving process: close local sockets of people who logged out elsewhere."""
    current = install(app.config.get("SOCKETIO_MESSAGE_QUEUE"))
    if current is not None:
        socketio.start_background_task(current.listen, disconnect_local, socketio.sleep)
