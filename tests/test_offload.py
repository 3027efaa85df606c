"""runtime/offload.run_blocking: under eventlet and gevent the call runs in another OS
thread while the event loop goes on serving; under threading it is a plain call.

Each loop is tried in a process of its own, patched as run.py patches it. The blocking
call waits on a real (unpatched) lock that only a green thread on the loop releases:
had the call run on the loop's thread, that green thread could never run and the call
would give up waiting (a deadlock turned into a failure, not a timing)."""
from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

import pytest
from flask import Flask

from exhibition.runtime.offload import async_mode, run_blocking

ROOT = Path(__file__).resolve().parent.parent

SCRIPT = r"""
import os
import sys
mode = sys.argv[1]
if mode == "eventlet":
    import eventlet
    eventlet.monkey_patch()
    from eventlet.patcher import original
    real_threading = original("threading")
    spawn, sleep = eventlet.spawn, eventlet.sleep
else:
    from gevent import monkey
    monkey.patch_all()
    import gevent
    from gevent.monkey import get_original
    import types
    real_threading = types.SimpleNamespace(Event=lambda: _event(), get_ident=get_original("threading", "get_ident"))
    _lock = get_original("_thread", "allocate_lock")
    class _event:
        def __init__(self):
            self.lock = _lock(); self.lock.acquire()
        def set(self):
            self.lock.release()
        def wait(self, timeout):
            return self.lock.acquire(True, timeout)
    spawn, sleep = gevent.spawn, gevent.sleep

from flask import Flask
from exhibition.runtime.offload import async_mode, run_blocking

app = Flask("offload")
app.config["SOCKETIO_ASYNC_MODE"] = mode
loop_thread = real_threading.get_ident()
released = real_threading.Event()
ticks = []

def on_the_loop():
    ticks.append(1)
    sleep(0)
    released.set()  # only possible while the loop runs, i.e. while the call waits elsewhere

def blocking():
    return released.wait(10), real_threading.get_ident() != loop_thread, os.getpriority(os.PRIO_PROCESS, 0)

def failing():
    raise ValueError("from the worker")

with app.app_context():
    assert async_mode() == mode, async_mode()
    spawn(on_the_loop)
    waited, elsewhere, nice = run_blocking(blocking)
    loop_nice = os.getpriority(os.PRIO_PROCESS, 0)
    try:
        run_blocking(failing)
        raised = False
    except ValueError:
        raised = True
print("waited" if waited else "deadlocked", "elsewhere" if elsewhere else "on-the-loop",
      "raised" if raised else "swallowed", "niced" if nice >= loop_nice + 10 else "loop-priority")
"""


@pytest.mark.parametrize("mode", ["eventlet", "gevent"])
def test_the_call_runs_off_the_loop_while_the_loop_serves(mode):
    done = subprocess.run([sys.executable, "-W", "ignore", "-c", SCRIPT, mode], cwd=ROOT,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    # ... and at a lower priority than the loop, which keeps the core when both want it
    assert done.stdout.split() == ["waited", "elsewhere", "raised", "niced"]


def test_under_threading_it_is_a_plain_call():
    app = Flask("offload")
    app.config["SOCKETIO_ASYNC_MODE"] = "threading"
    with app.app_context():
        assert async_mode() == "threading"
        assert run_blocking(threading.get_ident) == threading.get_ident()
        assert run_blocking(divmod, 7, 2) == (3, 1)
