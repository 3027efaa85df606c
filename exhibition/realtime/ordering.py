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
docs/PERFORMANCE.md, "two processes"), and while Redis is down no client gets pushes
(they catch up with ``history``)."""
from __future__ import annotations

import socketio
from socketio.packet import Packet

EVERY_HOST = "*"  # a host id no process has: each process's listener handles the message


class QueueOrderedRedisManager(socketio.RedisManager):
    def emit(self, event, data, namespace=None, room=None, skip_sid=None, callback=None, to=None, **kwargs):
        payload = list(data) if isinstance(data, tuple) else [data]
        if callback is not None or kwargs.get("ignore_queue") or Packet.data_is_binary(payload):
            # acks across hosts and binary payloads: python-socketio's own way (never used for chat)
            return super().emit(event, data, namespace=namespace, room=room, skip_sid=skip_sid,
                                callback=callback, to=to, **kwargs)
        self._publish({"method": "emit", "event": event, "data": payload, "binary": False,
                       "namespace": namespace or "/", "room": to or room, "skip_sid": skip_sid,
                       "callback": None, "host_id": EVERY_HOST})
