"""Concurrent senders in one room: broadcasts leave in id order (a client that saw
id n and catches up with after_id=n must not miss a smaller id broadcast later)."""
import threading

from config import testing_overrides as suite_settings
from exhibition import create_app
from exhibition.chat import sending, services
from exhibition.extensions import db
from tests import factories as make

SENDERS, EACH = 6, 8


def test_concurrent_sends_are_broadcast_in_id_order(tmp_path, monkeypatch):
    settings = suite_settings()
    if settings["SQLALCHEMY_DATABASE_URI"] == "sqlite://":  # threads need a real file
        settings["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{tmp_path / 'order.db'}"
    settings["CHAT_RATE_LIMIT"] = (0, 0)
    app = create_app(settings, instance_path=str(tmp_path / "instance"))
    with app.app_context():
        db.drop_all()
        db.create_all()
        ids = [make.user(app, email=f"s{i}@example.test", name=f"S{i}", password="password-1").id
               for i in range(SENDERS)]
    published = []

    def record(event, payload, room=None, skip_sid=None):
        if event == "message":
            published.append(payload["id"])
    monkeypatch.setattr(sending, "publish", record)

    def sender(user_id):
        with app.app_context():
            from exhibition.accounts.models import User
            user = db.session.get(User, user_id)
            for n in range(EACH):
                sending.send_message(user, "lobby", f"m{n}", f"{user_id}-{n}")

    threads = [threading.Thread(target=sender, args=(uid,)) for uid in ids]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(published) == SENDERS * EACH
    assert published == sorted(published)
    with app.app_context():
        assert services.count_messages("lobby") == SENDERS * EACH
    with app.app_context():
        db.drop_all()
        db.engine.dispose()
