"""Group commit: concurrent requests share one transaction, and batches follow each
other strictly in order.

Leader/follower, no background thread (so it behaves the same under eventlet, gevent
and plain threads, and in the synchronous test client): a request that finds no batch
in progress becomes the leader, takes everything queued (its own item included) and
writes it as one batch. Requests arriving meanwhile queue up and wait; when the leader
is done it hands leadership to the first of them, which writes everything queued by
then. The next batch cannot start before the previous one has fully finished
(committed *and* broadcast), which is what keeps a room's broadcasts in id order.

Under load this batches by itself: the longer a commit takes, the more requests are
waiting when it ends, and they all share the next one. With one request at a time
every batch holds one item and nothing waits.
"""
from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable, Sequence
from typing import Any, Generic, TypeVar


class Pending:
    """One request's share of a batch: the writer sets ``result`` or ``error``."""

    __slots__ = ("result", "error")

    def __init__(self) -> None:
        self.result: Any = None
        self.error: BaseException | None = None


P = TypeVar("P", bound=Pending)


class _Round(Generic[P]):
    """Items written together. Its first item's request leads it; the others wait for
    ``done``. Two events per batch, none per item (events are not free under eventlet)."""

    __slots__ = ("items", "start", "done")

    def __init__(self) -> None:
        self.items: list[P] = []
        self.start = threading.Event()  # the previous batch is finished: lead this one
        self.done = threading.Event()   # this batch is written: every item is answered


class GroupCommit(Generic[P]):
    """Runs ``write(batch)`` for queued items, one batch at a time, in arrival order.

    ``write`` must set ``result`` or ``error`` on every item; an exception escaping
    it becomes every unanswered item's error."""

    def __init__(self, write: Callable[[Sequence[P]], None], max_batch: int = 500,
                 pause: Callable[[], None] = lambda: None) -> None:
        self._write = write
        self._pause = pause
        self._max_batch = max_batch
        self._lock = threading.Lock()
        self._rounds: deque[_Round[P]] = deque()
        self._busy = False
        self._idle = threading.Event()  # no batch writing, none queued (a drain waits for it)
        self._idle.set()

    def queued(self) -> int:
        """Items waiting for a batch that has not started writing."""
        with self._lock:
            return sum(len(r.items) for r in self._rounds)

    def wait_idle(self, timeout: float) -> bool:
        """Wait up to ``timeout`` seconds until no batch is writing or queued (a
        SIGTERM drain: in-flight batches finish before the process exits). True if idle."""
        return self._idle.wait(timeout)

    def submit(self, item: P) -> P:
        """Queue ``item``, wait until its batch is written, and return it (answered)."""
        with self._lock:
            if not self._rounds or len(self._rounds[-1].items) >= self._max_batch:
                self._rounds.append(_Round())
            batch = self._rounds[-1]
            batch.items.append(item)
            first = len(batch.items) == 1
            lead_now = first and not self._busy
            if lead_now:
                self._busy = True
                self._idle.clear()
        if not first:
            batch.done.wait()
            return item
        if not lead_now:
            batch.start.wait()
        self._lead(batch)
        return item

    def _lead(self, batch: _Round[P]) -> None:
        # Yield once before closing the batch: requests that arrived in the same network
        # poll (already scheduled, not yet queued) join it. Without this, a database
        # that never yields (SQLite) would write every message in a batch of its own.
        self._pause()
        with self._lock:
            self._rounds.popleft()  # the batch is closed: later items start the next one
        try:
            self._write(batch.items)
        except Exception as err:  # e.g. the database is gone: nobody in the batch is acknowledged
            for item in batch.items:
                if item.result is None and item.error is None:
                    item.error = err
        finally:
            with self._lock:
                if self._rounds:
                    self._rounds[0].start.set()
                else:
                    self._busy = False
                    self._idle.set()
            batch.done.set()
