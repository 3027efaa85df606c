"""Slow consumers: a client that stops reading must not grow the server's memory without
bound, nor slow the others in its rooms.

Engine.IO queues every packet for a connection and a writer task sends them; the writer
of a client that stops reading blocks once the kernel's buffers are full (only that
task: the others go on), but the queue behind it keeps growing with every event of the
client's rooms until the ping timeout notices (25 + 20 s). ``bound_send_queues`` caps
that queue: a packet for a connection that already has ``limit`` waiting closes the
connection instead (its person leaves its rooms as on any disconnect). A live client
reconnects by itself and catches up with ``history after_id``.
"""
from __future__ import annotations

import logging
import threading
import time
from typing import Any

log = logging.getLogger("exhibition.realtime.backpressure")


class SlowConsumerLog:
    """One warning line per ``every`` seconds, with a count of the connections dropped."""

    def __init__(self, every: float = 10.0) -> None:
        self.every = every
        self._lock = threading.Lock()
        self._last = 0.0
        self._dropped = 0

    def dropped(self, sid: str, waiting: int) -> None:
        with self._lock:
            self._dropped += 1
            now = time.monotonic()
            if now - self._last < self.every:
                return
            count, self._dropped, self._last = self._dropped, 0, now
        log.warning("closed %d connection(s) that stopped reading (latest %s with %d packets waiting)",
                    count, sid, waiting)


_log = SlowConsumerLog()


def bound_send_queues(eio_server: Any, limit: int) -> None:
    """Wrap the Engine.IO server's ``send_packet`` (every packet to a client passes
    there, ``send`` included) so that no connection has more than ``limit`` waiting."""
    if limit <= 0 or getattr(eio_server.send_packet, "bounded", False):
        return
    unbounded = eio_server.send_packet

    def send_packet(sid: str, pkt: Any) -> None:
        socket = eio_server.sockets.get(sid)
        if socket is not None and not socket.closed and socket.queue.qsize() >= limit:
            _log.dropped(sid, socket.queue.qsize())
            # abort: no CLOSE packet (it would wait behind the others); the disconnect
            # handlers run now and later packets for this sid are dropped by Engine.IO
            socket.close(wait=False, abort=True)
            return
        unbounded(sid, pkt)

    send_packet.bounded = True  # type: ignore[attr-defined]
    eio_server.send_packet = send_packet
