"""The one helper that pushes live events. Only services call it.

Events leave after the surrounding transaction commits, and carry plain JSON
``{"id", "type", "data", "created_at"}``: the database stays the truth, the push is a
convenience.

- Personal events (to a member's group, :func:`user_group`) are first written as
  StreamEvent rows in the caller's transaction, and their ``id`` is the row's integer
  id: a client that reconnects with ``last_event_id`` replays what it missed
  (notifications.consumers). A rolled-back transaction stores and sends nothing.
- Community and post events (:func:`community_group`, :func:`post_group`) are not
  stored; their ``id`` is a uuid (the same for every group one call sends to, so a
  socket in two of them can drop the copy).

A message the channel layer drops for a socket (its channel is full, or the server's
Redis subscription was reconnecting) is logged at WARNING and that socket is told to
resync (config.channel_layers); a failed send is logged and never fails the request
that committed.
"""

import hashlib
import logging
import uuid
from collections.abc import Callable, Iterable
from datetime import datetime

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction
from django.utils import timezone

from notifications.services.stream import stream_event_json, stream_events_store

logger = logging.getLogger(__name__)

USER_GROUP_PREFIX = "user."
# The channel message type the stream consumer handles for an event (``stream_event``).
EVENT_MESSAGE = "stream.event"
# The internal message telling a member's sockets that one of their memberships changed.
MEMBERSHIP_MESSAGE = "stream.membership"
# The internal messages ending sockets whose credentials ended (closed with code 4401):
# one login session logged out, or the member's account deactivated or deleted.
SESSION_ENDED_MESSAGE = "stream.session_ended"
ACCOUNT_CLOSED_MESSAGE = "stream.account_closed"


def user_group(user_id: int) -> str:
    """The personal event group of a member (every socket of theirs is in it)."""
    return f"{USER_GROUP_PREFIX}{user_id}"


def community_group(community_id: int) -> str:
    """The live event group of a community."""
    return f"community.{community_id}"


def post_group(post_id: int) -> str:
    """The live event group of a post page (its comments), joined on request."""
    return f"post.{post_id}"


def session_group(session_key: str) -> str:
    """The group of the sockets opened with one login session (a browser's session
    cookie or an app's session token). Named after a hash of the key, never the key:
    group names are stored in the channel layer (Redis), and the key is a credential."""
    return f"session.{hashlib.sha256(session_key.encode()).hexdigest()}"


def _personal_user_id(group: str) -> int | None:
    if group.startswith(USER_GROUP_PREFIX):
        suffix = group[len(USER_GROUP_PREFIX) :]
        if suffix.isdigit():
            return int(suffix)
    return None


def _event(event_type: str, data: dict, created_at: str | None = None) -> dict:
    return {
        "id": str(uuid.uuid4()),
        "type": event_type,
        "data": data,
        "created_at": created_at or timezone.now().isoformat(),
    }


def send_event_on_commit(*, groups: list[str], event_type: str, data: dict) -> None:
    """Send ``{"id", "type", "data", "created_at"}`` to each group once the transaction
    commits. Personal groups' events are stored now (one query) and carry their row id."""
    event = _event(event_type, data)
    send_events_on_commit([(group, event) for group in groups])


def send_personal_events_on_commit(*, event_type: str, data_by_user: dict[int, dict]) -> None:
    """Send one event of ``event_type`` to each user's personal group once the
    transaction commits, each with its own data (a conversation's participants). The
    events are stored now (one query, whatever the number of users); the JSON pushed is
    built after the commit."""
    if not data_by_user:
        return
    created_at = timezone.now()
    event_ids = stream_events_store(
        [(user_id, event_type, data, created_at) for user_id, data in data_by_user.items()]
    )
    send_stored_personal_events_on_commit(
        event_type=event_type,
        created_at=created_at,
        events=lambda: (
            (event_id, user_id, data)
            for event_id, (user_id, data) in zip(event_ids, data_by_user.items(), strict=True)
        ),
    )


def send_stored_personal_events_on_commit(
    *,
    event_type: str,
    created_at: datetime,
    events: Callable[[], Iterable[tuple[int, int, dict]]],
) -> None:
    """Push personal events already stored as StreamEvent rows (e.g. by the fan-out's
    set-based insert) once the transaction commits. ``events`` is called after the
    commit and yields ``(event id, user id, data)``, exactly as stored."""

    def send() -> None:
        _send_now(
            (
                user_group(user_id),
                {
                    "type": EVENT_MESSAGE,
                    "event": stream_event_json(
                        event_id=event_id,
                        event_type=event_type,
                        data=data,
                        created_at=created_at,
                    ),
                },
            )
            for event_id, user_id, data in events()
        )

    transaction.on_commit(send)


def send_events_on_commit(events: list[tuple[str, dict]]) -> None:
    """Send ``(group, event)`` pairs after the commit, in one trip into the event loop.

    Events for personal groups are stored now, in one query (the stored copy takes the
    event's type, data and time; its row id replaces the event's id)."""
    if not events:
        return
    messages: list[tuple[str, dict]] = []
    personal: list[tuple[int, str, dict, datetime]] = []
    for group, event in events:
        user_id = _personal_user_id(group)
        if user_id is None:
            messages.append((group, {"type": EVENT_MESSAGE, "event": event}))
        else:
            created_at = datetime.fromisoformat(event["created_at"])
            personal.append((user_id, event["type"], event["data"], created_at))
    if personal:
        event_ids = stream_events_store(personal)
        messages.extend(
            (
                user_group(user_id),
                {
                    "type": EVENT_MESSAGE,
                    "event": stream_event_json(
                        event_id=event_id, event_type=event_type, data=data, created_at=created_at
                    ),
                },
            )
            for event_id, (user_id, event_type, data, created_at) in zip(
                event_ids, personal, strict=True
            )
        )
    transaction.on_commit(lambda: _send_now(messages))


def membership_changed_on_commit(*, user_id: int, community_id: int, active: bool) -> None:
    """Tell the member's open sockets, after the commit, that their membership of
    ``community_id`` changed (``active``: joined or approved; otherwise left, banned or
    removed): each socket joins or leaves the community's group at once, after checking
    the membership again in the database. Membership services call it."""
    message = {"type": MEMBERSHIP_MESSAGE, "community_id": community_id, "active": active}
    transaction.on_commit(lambda: _send_now([(user_group(user_id), message)]))


def session_ended_on_commit(*, session_key: str) -> None:
    """Close, after the commit, the open sockets of the login session ``session_key``
    (code 4401): the member logged out of it. Their other sessions stay connected.
    Called on logout (notifications.signals)."""
    message = {"type": SESSION_ENDED_MESSAGE}
    transaction.on_commit(lambda: _send_now([(session_group(session_key), message)]))


def account_closed_on_commit(*, user_id: int) -> None:
    """Close, after the commit, every open socket of the member ``user_id`` (code 4401):
    their account was deactivated or deleted. A rolled-back transaction closes nothing.
    Called when a user is saved inactive or deleted (notifications.signals)."""
    message = {"type": ACCOUNT_CLOSED_MESSAGE}
    transaction.on_commit(lambda: _send_now([(user_group(user_id), message)]))


def _send_now(messages: Iterable[tuple[str, dict]]) -> None:
    async def send_all() -> None:
        layer = get_channel_layer()
        for group, message in messages:
            try:
                await layer.group_send(group, message)
            except Exception:
                # The transaction committed: the request must not fail for the push.
                # Personal events replay from the database when the client reconnects.
                logger.exception("stream event not sent to group %s", group)

    async_to_sync(send_all)()
