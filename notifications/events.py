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


def _event(event_type: str, data: dict) -> dict:
    return {
        "id": str(uuid.uuid4()),
        "type": event_type,
        "data": data,
        "created_at": timezone.now().isoformat(),
    }


def send_event_on_commit(*, groups: list[str], event_type: str, data: dict) -> None:
    """Send ``{"id", "type", "data", "created_at"}`` to each group once the transaction commits."""
    event = _event(event_type, data)
    send_events_on_commit([(group, event) for group in groups])


def send_personal_events_on_commit(*, event_type: str, data_by_user: dict[int, dict]) -> None:
    """Send one event of ``event_type`` to each user's personal group once the
    transaction commits, each with its own data (a fan-out's notifications)."""
    send_events_on_commit(
        [(user_group(user_id), _event(event_type, data)) for user_id, data in data_by_user.items()]
    )


def send_events_on_commit(events: list[tuple[str, dict]]) -> None:
    """Send ``(group, event)`` pairs after the commit, in one trip into the event loop."""
    if not events:
        return

    async def send_all() -> None:
        layer = get_channel_layer()
        for group, event in events:
            await layer.group_send(group, {"type": "stream.event", "event": event})

    transaction.on_commit(async_to_sync(send_all))
