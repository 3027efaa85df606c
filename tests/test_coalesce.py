"""The coalescer behind large rooms' presence_count (exhibition/realtime/coalesce.py): at
most one flush per key and interval, the first change at once, the last state always sent.
The clock is injected: nothing sleeps."""
from __future__ import annotations

from exhibition.realtime.coalesce import Coalescer


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def make(gate=lambda key: True):
    clock, flushed = Clock(), []
    return Coalescer(flushed.append, 2.0, clock=clock, gate=gate), clock, flushed


def test_the_first_change_flushes_at_once_and_a_burst_only_once_more():
    c, clock, flushed = make()
    for _ in range(1000):
        c.mark("booth:x")
    assert flushed == ["booth:x"]  # the leading edge
    assert c.pending() == {"booth:x"}
    clock.now = 1.9
    assert c.flush_due() == 0 and flushed == ["booth:x"]
    clock.now = 2.0
    assert c.flush_due() == 1 and flushed == ["booth:x", "booth:x"]  # the trailing edge
    clock.now = 10.0
    assert c.flush_due() == 0 and c.pending() == set()


def test_keys_are_independent_and_the_next_mark_flushes_what_is_due():
    c, clock, flushed = make()
    c.mark("a")
    c.mark("a")
    clock.now = 1.0
    c.mark("b")
    assert flushed == ["a", "b"]
    clock.now = 2.5
    c.mark("b")  # not due for b yet, but a is: flushed on the way
    assert flushed == ["a", "b", "a"]
    assert c.pending() == {"b"}


def test_a_refused_gate_keeps_the_key_owed():
    allowed = {"ok": False}
    c, clock, flushed = make(gate=lambda key: allowed["ok"])
    c.mark("a")
    assert flushed == [] and c.pending() == {"a"}
    clock.now = 2.0
    allowed["ok"] = True
    assert c.flush_due() == 1 and flushed == ["a"]


def test_the_loop_flushes_until_told_to_stop():
    c, clock, flushed = make()
    c.mark("a")
    c.mark("a")
    ticks = []

    def sleep(seconds):
        ticks.append(seconds)
        clock.now += seconds

    c.run(sleep, should_stop=lambda: len(ticks) >= 8)
    assert flushed == ["a", "a"] and ticks == [0.5] * 8
    c.mark("a")  # with the loop running, a mark leaves the flushing to it
    assert flushed == ["a", "a"] and c.pending() == {"a"}
    assert c.flush_due() == 1
