"""QueueOrderedRedisManager (exhibition/queue_order.py): an emit is not delivered to this
process's clients directly but published for every process, this one included, so all
processes deliver in the order Redis received the messages."""
from exhibition.realtime.ordering import EVERY_HOST, QueueOrderedRedisManager


def manager(monkeypatch):
    m = QueueOrderedRedisManager.__new__(QueueOrderedRedisManager)  # no Redis connection needed
    m.host_id = "this-host"
    published, local = [], []
    monkeypatch.setattr(m, "_publish", published.append, raising=False)
    monkeypatch.setattr(m, "_handle_emit", local.append, raising=False)
    return m, published, local


def test_an_emit_goes_only_through_the_queue_for_every_host(monkeypatch):
    m, published, local = manager(monkeypatch)
    m.emit("message", {"id": 29, "room": "lobby"}, namespace="/", to="lobby", skip_sid="s1")
    assert local == []  # no shortcut to this process's clients
    assert published == [{"method": "emit", "event": "message", "data": [{"id": 29, "room": "lobby"}],
                          "binary": False, "namespace": "/", "room": "lobby", "skip_sid": "s1",
                          "callback": None, "host_id": EVERY_HOST}]
    assert EVERY_HOST != m.host_id  # so this host's own listener handles it too


def test_acks_across_hosts_keep_python_socketios_way(monkeypatch):
    import socketio
    calls = []
    monkeypatch.setattr(socketio.RedisManager, "emit", lambda self, *a, **k: calls.append((a, k)))
    m, published, _local = manager(monkeypatch)
    m.emit("ask", {"q": 1}, to="user:1", callback=lambda *_: None)
    m.emit("blob", b"\x00\x01", to="user:1")
    assert published == [] and len(calls) == 2
