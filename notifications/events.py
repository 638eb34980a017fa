"""The one helper that pushes live events. Only services call it.

Events leave after the surrounding transaction commits, and carry plain JSON:
the database stays the truth, the push is a convenience.
"""

import uuid

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction
from django.utils import timezone


def user_group(user_id: int) -> str:
    return f"user.{user_id}"


def community_group(community_id: int) -> str:
    """The live event group of a community."""
    return f"community.{community_id}"


def _event(event_type: str, data: dict, created_at: str | None = None) -> dict:
    return {
        "id": str(uuid.uuid4()),
        "type": event_type,
        "data": data,
        "created_at": created_at or timezone.now().isoformat(),
    }


def send_event_on_commit(*, groups: list[str], event_type: str, data: dict) -> None:
    """Send ``{"id", "type", "data", "created_at"}`` to each group once the transaction commits."""
    event = _event(event_type, data)
    send_events_on_commit([(group, event) for group in groups])


def send_personal_events_on_commit(*, event_type: str, data_by_user: dict[int, dict]) -> None:
    """Send one event of ``event_type`` to each user's personal group once the
    transaction commits, each with its own data (a fan-out's notifications). The events
    are built after the commit, so that a large fan-out keeps its transaction short."""
    if not data_by_user:
        return

    def send() -> None:
        created_at = timezone.now().isoformat()
        _send_now(
            [
                (user_group(user_id), _event(event_type, data, created_at))
                for user_id, data in data_by_user.items()
            ]
        )

    transaction.on_commit(send)


def send_events_on_commit(events: list[tuple[str, dict]]) -> None:
    """Send ``(group, event)`` pairs after the commit, in one trip into the event loop."""
    if events:
        transaction.on_commit(lambda: _send_now(events))


def _send_now(events: list[tuple[str, dict]]) -> None:
    async def send_all() -> None:
        layer = get_channel_layer()
        for group, event in events:
            await layer.group_send(group, {"type": "stream.event", "event": event})

    async_to_sync(send_all)()
