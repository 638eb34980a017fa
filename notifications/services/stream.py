"""Personal live events kept for replay, and what a stream socket listens to.

Every event sent to a member's personal group (``user.<id>``) is first written as a
:class:`~notifications.models.StreamEvent` row in the sender's transaction; the pushed
JSON carries the row's id. Ids increase, so a client that reconnects with
``last_event_id=N`` receives every personal event after N (:func:`stream_replay`).
Rows older than ``CERCLE_STREAM_RETENTION_DAYS`` are purged daily
(:func:`stream_events_delete_expired`); a client asking for events before the window
is told to resync.
"""

import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection
from django.db.models import Min
from django.utils import timezone

from communities.models import Community, Membership, Post
from communities.selectors.posts import post_is_readable
from communities.selectors.visibility import community_visibility_q
from notifications.models import Notification, StreamEvent

PURGE_BATCH_SIZE = 10_000


def stream_event_json(*, event_id: int, event_type: str, data: dict, created_at: datetime) -> dict:
    """The pushed and replayed shape of a personal event."""
    return {
        "id": event_id,
        "type": event_type,
        "data": data,
        "created_at": created_at.isoformat(),
    }


def stream_events_store(events: list[tuple[int, str, dict, datetime]]) -> list[int]:
    """Write ``(user id, type, data, created_at)`` events as StreamEvent rows in the
    caller's transaction, in one query whatever their number. Returns their ids, in
    order. Callers push the events after the commit (notifications.events)."""
    rows = StreamEvent.objects.bulk_create(
        StreamEvent(user_id=user_id, type=event_type, data=data, created_at=created_at)
        for user_id, event_type, data, created_at in events
    )
    return [row.pk for row in rows]


def ids_condition(column: str, ids: list[int]) -> tuple[str, object]:
    """``column`` in ``ids`` as SQL with one parameter, whatever the number of ids (an
    array on PostgreSQL, JSON on SQLite)."""
    if connection.vendor == "postgresql":
        return f"{column} = ANY(%s)", list(ids)
    return f"{column} IN (SELECT value FROM json_each(%s))", json.dumps(list(ids))


_EVENT_KEYS = ("kind", "community_id", "post_id", "comment_id", "conversation_id")


def notification_stream_events_sql(
    *, source: str, about: dict, created_at: datetime
) -> tuple[str, list]:
    """The ``INSERT ... SELECT`` that stores the ``notification.created`` event of each
    notification row of ``source`` (a table or CTE name with columns ``id``,
    ``recipient_id`` and ``is_new``) for its recipient, with its parameters. The data is
    built in SQL and equals what the fan-out pushes: ``{"notification_id", "new",
    **about}`` (``about``: ``kind``, ``community_id``, ``post_id``, ``comment_id``,
    ``conversation_id``). Returns ``id, user_id`` of the stored events."""
    events = connection.ops.quote_name(StreamEvent._meta.db_table)
    if connection.vendor == "postgresql":
        values = ["CAST(%s AS text)"] + ["CAST(%s AS bigint)"] * (len(_EVENT_KEYS) - 1)
        pairs = ", ".join(
            f"'{key}', {value}" for key, value in zip(_EVENT_KEYS, values, strict=True)
        )
        data_sql = f"jsonb_build_object('notification_id', n.id, 'new', n.is_new, {pairs})"
    else:
        pairs = ", ".join(f"'{key}', %s" for key in _EVENT_KEYS)
        data_sql = (
            "json_object('notification_id', n.id, 'new', "
            f"json(CASE WHEN n.is_new THEN 'true' ELSE 'false' END), {pairs})"
        )
    sql = (
        f"INSERT INTO {events} (user_id, type, data, created_at) "
        f"SELECT n.recipient_id, %s, {data_sql}, %s FROM {source} n "
        "ORDER BY n.id RETURNING id, user_id"
    )
    params = [
        "notification.created",
        *(str(about[key]) if key == "kind" else about[key] for key in _EVENT_KEYS),
        connection.ops.adapt_datetimefield_value(created_at),
    ]
    return sql, params


def notification_stream_events_store(
    *, notification_ids: list[int], about: dict, created_at: datetime
) -> dict[int, int]:
    """Store the ``notification.created`` event of each of ``notification_ids`` for its
    recipient, set-based (one query whatever their number; see
    :func:`notification_stream_events_sql`). Returns ``{recipient id: event id}``."""
    if not notification_ids:
        return {}
    notifications = connection.ops.quote_name(Notification._meta.db_table)
    ids_sql, ids_param = ids_condition("id", notification_ids)
    source = (
        f"(SELECT id, recipient_id, created_at = updated_at AS is_new "
        f"FROM {notifications} WHERE {ids_sql})"
    )
    sql, params = notification_stream_events_sql(source=source, about=about, created_at=created_at)
    with connection.cursor() as cursor:
        # The source (in FROM) follows every parameter of the select list.
        cursor.execute(sql, [*params, ids_param])
        return {user_id: event_id for event_id, user_id in cursor.fetchall()}


@dataclass
class Replay:
    """What a reconnecting client receives: ``events`` in order, or ``resync``
    (``reason``) when they cannot all be replayed; ``latest_id`` is the member's newest
    event id when resyncing (the client continues from it after reloading)."""

    events: list[dict] = field(default_factory=list)
    resync: str | None = None
    latest_id: int | None = None


def stream_latest_event_id(*, user_id: int) -> int | None:
    """The id of the member's newest kept personal event (None: none kept)."""
    return (
        StreamEvent.objects.filter(user_id=user_id)
        .order_by("-id")
        .values_list("id", flat=True)
        .first()
    )


def stream_replay(
    *, user_id: int, last_event_id: int, limit: int | None = None, now: datetime | None = None
) -> Replay:
    """The member's personal events after ``last_event_id``, oldest first, as pushed.

    ``resync`` instead (reason ``too_old``) when events after ``last_event_id`` may have
    been purged: the event ``last_event_id`` is older than the retention window, or it is
    gone and ids up to the oldest kept event (of anyone: the purge goes by age) lie
    after it; reason ``too_many`` when more than ``limit`` (``CERCLE_STREAM_REPLAY_LIMIT``)
    events are missing. Never a partial replay."""
    limit = settings.CERCLE_STREAM_REPLAY_LIMIT if limit is None else limit
    now = now or timezone.now()
    window_start = now - timedelta(days=settings.CERCLE_STREAM_RETENTION_DAYS)
    anchor = StreamEvent.objects.filter(pk=last_event_id, user_id=user_id).values("created_at")
    anchor = anchor.first()
    if anchor is not None:
        too_old = anchor["created_at"] < window_start
    else:
        oldest_kept = StreamEvent.objects.aggregate(oldest=Min("id"))["oldest"]
        too_old = oldest_kept is not None and last_event_id + 1 < oldest_kept
    if too_old:
        return Replay(resync="too_old", latest_id=stream_latest_event_id(user_id=user_id))
    rows = list(
        StreamEvent.objects.filter(user_id=user_id, pk__gt=last_event_id)
        .order_by("id")
        .values("id", "type", "data", "created_at")[: limit + 1]
    )
    if len(rows) > limit:
        return Replay(resync="too_many", latest_id=stream_latest_event_id(user_id=user_id))
    return Replay(
        events=[
            stream_event_json(
                event_id=row["id"],
                event_type=row["type"],
                data=row["data"],
                created_at=row["created_at"],
            )
            for row in rows
        ]
    )


def stream_events_delete_expired(*, now: datetime | None = None) -> int:
    """Delete personal events older than ``CERCLE_STREAM_RETENTION_DAYS`` (in batches,
    so that no statement holds locks for long). Returns how many went. Safe to run at
    any time and twice."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.CERCLE_STREAM_RETENTION_DAYS)
    # Ids grow with time: walking the primary key finds the old rows first.
    expired = StreamEvent.objects.filter(created_at__lt=cutoff).order_by("pk")
    deleted = 0
    while True:
        ids = list(expired.values_list("pk", flat=True)[:PURGE_BATCH_SIZE])
        if not ids:
            return deleted
        deleted += StreamEvent.objects.filter(pk__in=ids).delete()[0]


def stream_community_ids(*, user, community_id: int | None = None) -> list[int]:
    """The communities whose live events ``user``'s socket receives: those they are an
    active member of and may read (the one visibility rule); only ``community_id`` when
    given (is the member in it now?). One query."""
    readable = Community.objects.filter(community_visibility_q(user, for_content=True))
    memberships = Membership.objects.filter(
        user_id=user.pk, status=Membership.Status.ACTIVE, community__in=readable
    )
    if community_id is not None:
        memberships = memberships.filter(community_id=community_id)
    return list(memberships.values_list("community_id", flat=True))


def stream_community_is_readable(*, user, community_id: int) -> bool:
    """Whether ``user`` may read the content of ``community_id`` (public and not banned,
    or an active member)."""
    return Community.objects.filter(
        community_visibility_q(user, for_content=True), pk=community_id
    ).exists()


def stream_post_community_id(*, user, post_id: int) -> int | None:
    """The community of post ``post_id`` when ``user`` may read the post
    (:func:`communities.selectors.posts.post_is_readable`); None otherwise, whether the
    post does not exist or is closed to them."""
    post = Post.objects.filter(pk=post_id).only("pk", "community_id").first()
    if post is None or not post_is_readable(user=user, post=post):
        return None
    return post.community_id
