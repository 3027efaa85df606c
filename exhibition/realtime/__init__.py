"""The realtime core: the Socket.IO server, rooms, publishing after commit, presence,
the cross-process relays and ordering, and group commit. Areas build on it; it imports
no area."""
from exhibition.realtime.publishing import disconnect_user, publish
from exhibition.realtime.rooms import LOBBY, Room, user_room

__all__ = ["LOBBY", "Room", "disconnect_user", "publish", "user_room"]
