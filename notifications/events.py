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


def send_event_on_commit(*, groups: list[str], event_type: str, data: dict) -> None:
    """Send ``{"id", "type", "data", "created_at"}`` to each group once the transaction commits."""
    event = {
        "id": str(uuid.uuid4()),
        "type": event_type,
        "data": data,
        "created_at": timezone.now().isoformat(),
    }

    def send() -> None:
        layer = get_channel_layer()
        for group in groups:
            async_to_sync(layer.group_send)(group, {"type": "stream.event", "event": event})

    transaction.on_commit(send)
