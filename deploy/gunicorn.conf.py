"""gunicorn settings for one platform process: ONE worker per process (Socket.IO
keeps per-connection state in the process; scale out with more processes behind
nginx's sticky upstream and the Redis message queue, see docs/SCALING.md).

    gunicorn -c deploy/gunicorn.conf.py --bind 127.0.0.1:5001 deploy.wsgi:app

The async mode follows SOCKETIO_ASYNC_MODE (eventlet by default, or gevent)."""
import os

_mode = os.environ.get("SOCKETIO_ASYNC_MODE", "eventlet")
if _mode == "eventlet":
    worker_class = "deploy.eventlet_worker.EventletWorker"
elif _mode == "gevent":
    try:
        import geventwebsocket  # noqa: F401  engine.io prefers it when installed
        worker_class = "geventwebsocket.gunicorn.workers.GeventWebSocketWorker"
    except ImportError:
        worker_class = "gevent"  # engine.io then uses simple-websocket
else:
    raise RuntimeError("gunicorn serves the platform with SOCKETIO_ASYNC_MODE=eventlet or gevent")

workers = 1  # never more: Socket.IO sessions live in their process
bind = [os.environ.get("BIND", f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '5000')}")]
# The same measured settings as `python run.py` (exhibition/serving.py):
worker_connections = int(os.environ.get("SERVER_MAX_CONNECTIONS") or 10000)  # gunicorn's default is 1000
backlog = int(os.environ.get("SERVER_BACKLOG") or 2048)
# gunicorn sets TCP_NODELAY on its TCP listening sockets itself; WebSocket compression is
# declined by the app's middleware unless SOCKETIO_WEBSOCKET_COMPRESSION=1.
timeout = 30           # the worker's heartbeat to the master, not a request timeout
graceful_timeout = 10
keepalive = 75         # behind nginx's keepalive upstream connections
accesslog = None
errorlog = "-"
chdir = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def post_fork(server, worker):  # gevent: make psycopg2 cooperative (eventlet's worker does it itself)
    if _mode == "gevent":
        from gevent import monkey
        monkey.patch_all()
        from psycogreen.gevent import patch_psycopg
        patch_psycopg()


def when_ready(server):
    import resource
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = worker_connections + 256
    if soft < wanted:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(wanted, hard), hard))
