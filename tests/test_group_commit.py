"""GroupCommit (chat/group_commit.py): requests that arrive while a batch is being
written share the next batch; batches never overlap; a failing batch answers every
item in it with the error and the next batch still runs."""
import threading
import time

from exhibition.realtime.batching import GroupCommit, Pending


class Item(Pending):
    __slots__ = ("n",)

    def __init__(self, n):
        super().__init__()
        self.n = n


def wait_until(predicate, timeout=5.0):
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.005)


def test_requests_arriving_during_a_write_share_the_next_batch():
    batches, running = [], []
    release = threading.Event()

    def write(batch):
        running.append(1)
        assert len(running) == 1, "two batches at once"
        batches.append([i.n for i in batch])
        if len(batches) == 1:
            release.wait(5)
        for item in batch:
            item.result = item.n * 10
        running.pop()

    group = GroupCommit(write)
    results = {}

    def submit(n):
        results[n] = group.submit(Item(n)).result

    first = threading.Thread(target=submit, args=(0,))
    first.start()
    wait_until(lambda: batches)
    others = [threading.Thread(target=submit, args=(n,)) for n in range(1, 6)]
    for t in others:
        t.start()
    wait_until(lambda: group.queued() == 5)
    release.set()
    for t in [first, *others]:
        t.join(5)
    assert batches[0] == [0]
    assert sorted(batches[1]) == [1, 2, 3, 4, 5] and len(batches) == 2
    assert results == {n: n * 10 for n in range(6)}


def test_a_failed_batch_answers_each_item_and_the_next_batch_runs():
    calls = []
    release = threading.Event()

    def write(batch):
        calls.append([i.n for i in batch])
        if len(calls) == 1:
            release.wait(5)
            raise RuntimeError("database gone")
        for item in batch:
            item.result = "stored"

    group = GroupCommit(write)
    out = {}

    def submit(n):
        item = group.submit(Item(n))
        out[n] = (item.result, type(item.error).__name__ if item.error else None)

    first = threading.Thread(target=submit, args=(0,))
    first.start()
    wait_until(lambda: calls)
    second = threading.Thread(target=submit, args=(1,))
    second.start()
    wait_until(lambda: group.queued() == 1)
    release.set()
    first.join(5)
    second.join(5)
    assert out == {0: (None, "RuntimeError"), 1: ("stored", None)}
    assert calls == [[0], [1]]


def test_batches_are_capped():
    sizes = []
    gate = threading.Event()

    def write(batch):
        sizes.append(len(batch))
        if len(sizes) == 1:
            gate.wait(5)
        for item in batch:
            item.result = True

    group = GroupCommit(write, max_batch=3)
    threads = [threading.Thread(target=group.submit, args=(Item(n),)) for n in range(8)]
    threads[0].start()
    wait_until(lambda: sizes)
    for t in threads[1:]:
        t.start()
    wait_until(lambda: group.queued() == 7)
    gate.set()
    for t in threads:
        t.join(5)
    assert sizes == [1, 3, 3, 1]


def test_wait_idle_returns_once_the_running_and_queued_batches_are_written():
    release, writing = threading.Event(), threading.Event()
    written = []

    def write(batch):
        writing.set()
        release.wait(5)
        written.extend(i.n for i in batch)
        for item in batch:
            item.result = item.n

    group = GroupCommit(write)
    assert group.wait_idle(0)  # nothing submitted: idle at once
    threads = [threading.Thread(target=group.submit, args=(Item(n),)) for n in range(3)]
    threads[0].start()
    writing.wait(5)
    threads[1].start()
    threads[2].start()
    wait_until(lambda: group.queued() == 2)  # one batch writing, two items queued behind it
    assert not group.wait_idle(0.05)
    release.set()
    assert group.wait_idle(5)
    assert sorted(written) == [0, 1, 2]
    for thread in threads:
        thread.join(5)
