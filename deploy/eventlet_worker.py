"""A gunicorn worker that serves with eventlet's own WSGI server.

gunicorn 23 deprecated and later releases removed their eventlet worker; the
platform still runs on eventlet (SPEC §2), and engine.io's eventlet WebSocket needs
eventlet's server (``eventlet.input``), not gunicorn's HTTP parser. So this worker
keeps gunicorn for what it is good at (binding, forking, supervising, graceful
restarts) and lets ``eventlet.wsgi.server`` serve the listening sockets gunicorn
hands over, with the settings of exhibition/serving.py.

Use: ``gunicorn -c deploy/gunicorn.conf.py`` (worker_class names this class).
"""
from __future__ import annotations

import os

from gunicorn.workers.base import Worker


class EventletWorker(Worker):
    """One process, one eventlet hub, up to ``worker_connections`` connections."""

    def init_process(self) -> None:
        import eventlet

        eventlet.monkey_patch()  # before the app is loaded (super().init_process loads it)
        from psycogreen.eventlet import patch_psycopg
        patch_psycopg()
        super().init_process()

    def run(self) -> None:
        import eventlet
        import eventlet.wsgi
        from eventlet.greenio import GreenSocket

        servers = []
        for listener in self.sockets:
            sock = GreenSocket(listener.sock)
            servers.append(eventlet.spawn(
                eventlet.wsgi.server, sock, self.wsgi, max_size=self.cfg.worker_connections,
                log_output=False, socket_timeout=None, keepalive=True))
        while self.alive:
            self.notify()
            if self.ppid != os.getppid():
                self.log.info("Parent changed, shutting down: %s", self)
                break
            eventlet.sleep(1.0)
        self.notify()
        with eventlet.Timeout(self.cfg.graceful_timeout, False):
            for server in servers:
                server.kill()
        raise SystemExit(0)

    def handle_quit(self, sig, frame) -> None:
        # Signal handlers run in whatever green thread was interrupted: hand over.
        import eventlet
        eventlet.spawn(super().handle_quit, sig, frame)

    def handle_usr1(self, sig, frame) -> None:
        import eventlet
        eventlet.spawn(super().handle_usr1, sig, frame)
