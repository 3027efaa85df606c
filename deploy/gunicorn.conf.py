"""gunicorn settings for one platform process under gevent: ONE worker per process
(Socket.IO keeps per-connection state in the process; scale out with more processes
behind nginx's sticky upstream and the Redis message queue, see docs/SCALING.md).

    SOCKETIO_ASYNC_MODE=gevent gunicorn -c deploy/gunicorn.conf.py --bind 127.0.0.1:5001 deploy.wsgi:app

gunicorn has no eventlet worker any more (deprecated in 23, removed since): under
eventlet, the default, run ``python run.py`` per port (deploy/systemd/exhibition@.service).
SIGTERM drains as under run.py (``post_worker_init`` below)."""
import os

_mode = os.environ.get("SOCKETIO_ASYNC_MODE", "eventlet")
if _mode != "gevent":
    raise RuntimeError("gunicorn serves the platform with SOCKETIO_ASYNC_MODE=gevent only; under eventlet "
                       "run `python run.py` per port (deploy/systemd/exhibition@.service, docs/SCALING.md)")
try:
    import geventwebsocket  # noqa: F401  engine.io prefers it when installed
    worker_class = "geventwebsocket.gunicorn.workers.GeventWebSocketWorker"
except ImportError:
    worker_class = "gevent"  # engine.io then uses simple-websocket

workers = 1  # never more: Socket.IO sessions live in their process
bind = [os.environ.get("BIND", f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '5000')}")]
# The same measured settings as `python run.py` (exhibition/serving.py):
worker_connections = int(os.environ.get("SERVER_MAX_CONNECTIONS") or 10000)  # gunicorn's default is 1000
backlog = int(os.environ.get("SERVER_BACKLOG") or 2048)
# gunicorn sets TCP_NODELAY on its TCP listening sockets itself; WebSocket compression is
# declined by the app's middleware unless SOCKETIO_WEBSOCKET_COMPRESSION=1.
timeout = 30           # the worker's heartbeat to the master, not a request timeout
graceful_timeout = 10   # after SIGTERM: the drain closes the sockets well within it
keepalive = 75         # behind nginx's keepalive upstream connections
accesslog = None
errorlog = "-"
chdir = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def post_fork(server, worker):  # make psycopg2 cooperative before the app is loaded
    from gevent import monkey
    monkey.patch_all()
    from psycogreen.gevent import patch_psycopg
    patch_psycopg()


def post_worker_init(worker):
    """SIGTERM drains (SPEC §11), as ``python run.py`` does: gunicorn's own handling
    closes the listener and waits for running requests, which for Socket.IO connections
    would be until graceful_timeout. Besides, the drain lets in-flight chat batches
    finish and closes every connection so its client reconnects to another process."""
    import signal

    import gevent

    from exhibition.runtime.startup import drain

    app = worker.wsgi

    def on_sigterm():
        worker.alive = False  # gunicorn's run loop: stop accepting, wait for the requests
        gevent.spawn(drain, app)

    gevent.signal_handler(signal.SIGTERM, on_sigterm)


def when_ready(server):
    import resource
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = worker_connections + 256
    if soft < wanted:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(wanted, hard), hard))
