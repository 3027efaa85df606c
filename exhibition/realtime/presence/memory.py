"""Presence kept in this process's memory: the store for a single process."""
from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Iterable
from itertools import islice


class MemoryPresence:
    """Presence for a single process. Counts connections (sids) per person so a
    person with two tabs open leaves a room only when both have left."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._rooms: dict[str, dict[int, set[str]]] = defaultdict(lambda: defaultdict(set))

    def join(self, room: str, user_id: int, sid: str) -> bool:
        """Returns True if this person was not in the room before."""
        with self._lock:
            sids = self._rooms[room][user_id]
            first = not sids
            sids.add(sid)
            return first

    def leave(self, room: str, user_id: int, sid: str) -> bool:
        """Returns True if this was the person's last connection in the room."""
        with self._lock:
            members = self._rooms.get(room)
            if not members or user_id not in members:
                return False
            members[user_id].discard(sid)
            if members[user_id]:
                return False
            del members[user_id]
            if not members:
                del self._rooms[room]
            return True

    def members(self, room: str) -> set[int]:
        with self._lock:
            return set(self._rooms.get(room, {}).keys())

    def count(self, room: str) -> int:
        """How many people are in the room: O(1), no copy of the member set."""
        with self._lock:
            return len(self._rooms.get(room, ()))

    def some_members(self, room: str, k: int) -> set[int]:
        """Up to ``k`` of the room's people (any of them): O(k)."""
        with self._lock:
            return set(islice(self._rooms.get(room, {}).keys(), max(0, k)))

    def present_among(self, room: str, user_ids: Iterable[int]) -> set[int]:
        """Which of ``user_ids`` are in the room: O(len(user_ids))."""
        with self._lock:
            members = self._rooms.get(room, {})
            return {uid for uid in user_ids if uid in members}

    def rooms(self) -> list[str]:
        """The rooms anyone is in."""
        with self._lock:
            return list(self._rooms)

    def clear(self) -> None:
        with self._lock:
            self._rooms.clear()
