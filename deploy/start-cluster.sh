#!/usr/bin/env bash
# Start N platform processes locally on PostgreSQL + Redis, one `python run.py` each
# (or one gunicorn gevent worker each), on ports BASE_PORT+1 .. BASE_PORT+N (default
# 5001..500N). Put deploy/nginx.conf in front. In production, systemd runs them instead
# (deploy/systemd/, docs/SCALING.md).
#
#   deploy/start-cluster.sh [N]        start (schema upgraded and demo loaded once, first)
#   deploy/start-cluster.sh stop       stop the processes this script started
#
# Settings (environment): DATABASE_URL (default postgresql://postgres@127.0.0.1:5432/exhibition),
# SOCKETIO_MESSAGE_QUEUE (default redis://127.0.0.1:6379/0), SECRET_KEY (shared by all processes;
# default: the one kept in instance/), SOCKETIO_ASYNC_MODE (eventlet | gevent), BASE_PORT (5000),
# RUNNER (run: `python run.py` per process, the default | gunicorn: gevent only), and everything
# in docs/SCALING.md. `stop` sends SIGTERM: each process drains (closes its sockets, finishes its batches).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-.venv/bin/python}
RUN_DIR=${CLUSTER_DIR:-instance/cluster}
mkdir -p "$RUN_DIR"

stop() {
  for pidfile in "$RUN_DIR"/*.pid; do
    [ -e "$pidfile" ] || continue
    pid=$(cat "$pidfile")
    kill "$pid" 2>/dev/null && echo "stopped $(basename "$pidfile" .pid) (pid $pid)"
    rm -f "$pidfile"
  done
}

if [ "${1:-}" = "stop" ]; then stop; exit 0; fi

N=${1:-2}
BASE_PORT=${BASE_PORT:-5000}
export DATABASE_URL=${DATABASE_URL:-postgresql://postgres@127.0.0.1:5432/exhibition}
export SOCKETIO_MESSAGE_QUEUE=${SOCKETIO_MESSAGE_QUEUE:-redis://127.0.0.1:6379/0}
export SOCKETIO_ASYNC_MODE=${SOCKETIO_ASYNC_MODE:-eventlet}
if [ "${RUNNER:-run}" = "gunicorn" ] && [ "$SOCKETIO_ASYNC_MODE" != "gevent" ]; then
  echo "RUNNER=gunicorn needs SOCKETIO_ASYNC_MODE=gevent (gunicorn has no eventlet worker)" >&2
  exit 2
fi
if [ -z "${SECRET_KEY:-}" ]; then  # every process must sign sessions with the same key
  "$PY" -c "from config import _secret_key; _secret_key('instance')" >/dev/null
  SECRET_KEY=$(cat instance/secret_key)
fi
export SECRET_KEY

case "$DATABASE_URL" in
  postgresql://*|postgres://*)
    db=${DATABASE_URL##*/}; db=${db%%\?*}
    server=${DATABASE_URL%/*}
    psql "$server/postgres" -tAc "SELECT 1 FROM pg_database WHERE datname = '$db'" | grep -q 1 \
      || psql "$server/postgres" -c "CREATE DATABASE \"$db\"" >/dev/null
    ;;
esac
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true   # room for SERVER_MAX_CONNECTIONS sockets

echo "schema: flask db upgrade (once, before any process serves)"
"$PY" -m flask --app run db upgrade
if [ "${EXHIBITION_DEMO:-1}" != "0" ]; then "$PY" -m flask --app run seed-demo; fi

for i in $(seq 1 "$N"); do
  port=$((BASE_PORT + i))
  name="exhibition-$port"
  if [ "${RUNNER:-run}" = "run" ]; then
    EXHIBITION_DEMO=0 PORT=$port nohup "$PY" run.py >"$RUN_DIR/$name.log" 2>&1 &
  else
    nohup "$PY" -m gunicorn -c deploy/gunicorn.conf.py --bind "127.0.0.1:$port" deploy.wsgi:app \
      >"$RUN_DIR/$name.log" 2>&1 &
  fi
  echo $! >"$RUN_DIR/$name.pid"
done

for i in $(seq 1 "$N"); do
  port=$((BASE_PORT + i))
  for _ in $(seq 60); do
    curl -fs "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break
    sleep 0.5
  done
  if curl -fs "http://127.0.0.1:$port/healthz" >/dev/null 2>&1; then
    echo "process on http://127.0.0.1:$port ready (log: $RUN_DIR/exhibition-$port.log)"
  else
    echo "process on port $port did not become healthy; see $RUN_DIR/exhibition-$port.log" >&2
  fi
done
echo "stop with: deploy/start-cluster.sh stop   (front them with deploy/nginx.conf)"
