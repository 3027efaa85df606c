"""GET /healthz: 200 when database and queue answer, 503 in the SPEC's time when one does not."""
from config import testing_overrides as suite_settings
from exhibition import create_app


def _app(tmp_path, **overrides):
    return create_app({**suite_settings(), **overrides}, instance_path=str(tmp_path / "instance"))


def test_unreachable_database_is_503(tmp_path):
    # port 1 on loopback: nothing listens, the connection is refused at once
    app = _app(tmp_path, SQLALCHEMY_DATABASE_URI="postgresql+psycopg2://postgres@127.0.0.1:1/none")
    assert app.config["SQLALCHEMY_ENGINE_OPTIONS"]["connect_args"]["connect_timeout"] <= 5
    r = app.test_client().get("/healthz")
    assert r.status_code == 503
    body = r.get_json()
    assert body["status"] != "ok" and any("database" in p for p in body["problems"])


def test_unreachable_queue_is_503(tmp_path):
    app = _app(tmp_path, SOCKETIO_MESSAGE_QUEUE="redis://127.0.0.1:1/0")
    r = app.test_client().get("/healthz")
    assert r.status_code == 503
    assert any("queue" in p for p in r.get_json()["problems"])
    # the next app in this process must not inherit that queue
    healthy = _app(tmp_path)
    assert healthy.test_client().get("/healthz").get_json() == {"status": "ok"}
