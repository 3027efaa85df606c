"""The WSGI entry for gunicorn (deploy/gunicorn.conf.py): the app, plus the
per-process background loops ``python run.py`` also starts. The worker has already
monkey-patched (eventlet or gevent) before this module is imported.

The schema is NOT created here: run ``flask --app run db upgrade`` once before
starting the processes (deploy/start-cluster.sh does)."""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from exhibition import create_app  # noqa: E402
from exhibition.runtime.serving import tune_gc  # noqa: E402
from exhibition.runtime.startup import start_background_tasks  # noqa: E402

app = create_app()
start_background_tasks(app)
tune_gc(app)
