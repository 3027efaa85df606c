"""Coalescing: many changes to one key, at most one flush per interval.

``mark(key)`` says "this key changed". The first mark after a quiet interval flushes at
once (the leading edge: nobody waits for the first update); marks within the interval only
leave the key dirty, and the dirty key is flushed once the interval has passed — by the
next ``mark`` of any key, or by ``flush_due`` called from a background loop (``run``).
So a burst of 1,000 changes within 2 s costs two flushes, and the last state is always
sent (the trailing edge).

No thread of its own and no timers: the clock is injected (tests advance it instead of
sleeping), and the loop runs as a Socket.IO background task, so it behaves the same under
eventlet, gevent and threading, and in the synchronous test client (where nobody runs the
loop and the next mark does the flushing).

``gate(key)`` may refuse a flush that is due (another process flushed that key within the
interval, see ``presence``'s per-room claim): the key then stays dirty and is tried again.
"""
from __future__ import annotations

import threading
import time
from collections.abc import Callable


class Coalescer:
    """Flush each marked key at most once per ``interval`` seconds (see the module docstring)."""

    def __init__(self, flush: Callable[[str], None], interval: float,
                 clock: Callable[[], float] = time.monotonic,
                 gate: Callable[[str], bool] = lambda key: True) -> None:
        self.flush = flush
        self.interval = interval
        self.clock = clock
        self.gate = gate
        # False once a background loop runs (``run``): a mark then never flushes itself, so the
        # change that happens to be due does not pay for the broadcast to a room of thousands.
        self.inline = True
        self._lock = threading.Lock()
        self._last: dict[str, float] = {}  # key -> when it was last flushed
        self._dirty: set[str] = set()

    def mark(self, key: str) -> None:
        """``key`` changed: flush it now if its interval has passed, else later."""
        with self._lock:
            self._dirty.add(key)
        if self.inline:
            self.flush_due()

    def flush_due(self) -> int:
        """Flush every dirty key whose interval has passed; how many were flushed."""
        now = self.clock()
        with self._lock:
            due = [key for key in self._dirty if now - self._last.get(key, float("-inf")) >= self.interval]
            for key in due:
                self._dirty.discard(key)
                self._last[key] = now
            # Keys quiet for a whole interval need no memory: their next mark is a leading edge.
            for key in [k for k, at in self._last.items() if now - at >= self.interval and k not in self._dirty]:
                del self._last[key]
        flushed = 0
        for key in due:
            if not self.gate(key):
                with self._lock:  # another process had it: try again later
                    self._dirty.add(key)
                continue
            self.flush(key)
            flushed += 1
        return flushed

    def pending(self) -> set[str]:
        """The keys waiting for their interval to pass."""
        with self._lock:
            return set(self._dirty)

    def clear(self) -> None:
        with self._lock:
            self._dirty.clear()
            self._last.clear()

    def run(self, sleep: Callable[[float], None], should_stop: Callable[[], bool] = lambda: False) -> None:
        """The background loop of a serving process: flush what is due, a few times per interval
        (from now on marks leave the flushing to it)."""
        self.inline = False
        while not should_stop():
            try:
                self.flush_due()
            except Exception:  # noqa: BLE001 - one failed flush (Redis away) must not end the loop
                pass
            sleep(max(self.interval / 4.0, 0.05))
