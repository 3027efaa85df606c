"""This process's connections: which person each one belongs to and which rooms it
joined (sids are local to a process, so this registry is too)."""
from __future__ import annotations

import threading


class Connections:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_sid: dict[str, tuple[int, set[str]]] = {}

    def add(self, sid: str, user_id: int) -> None:
        with self._lock:
            self._by_sid[sid] = (user_id, set())

    def join(self, sid: str, room: str) -> bool:
        """Record the join; False when the connection is gone meanwhile."""
        with self._lock:
            if sid not in self._by_sid:
                return False
            self._by_sid[sid][1].add(room)
            return True

    def leave(self, sid: str, room: str) -> bool:
        """Forget the join; True if the connection had joined ``room``."""
        with self._lock:
            entry = self._by_sid.get(sid)
            if entry is None or room not in entry[1]:
                return False
            entry[1].discard(room)
            return True

    def user_id(self, sid: str) -> int | None:
        with self._lock:
            entry = self._by_sid.get(sid)
            return entry[0] if entry else None

    def rooms(self, sid: str) -> set[str]:
        with self._lock:
            entry = self._by_sid.get(sid)
            return set(entry[1]) if entry else set()

    def has_joined(self, sid: str, room: str) -> bool:
        with self._lock:
            entry = self._by_sid.get(sid)
            return entry is not None and room in entry[1]

    def pop(self, sid: str) -> tuple[int, set[str]] | None:
        with self._lock:
            return self._by_sid.pop(sid, None)


connections = Connections()
