"""Set-based notification fan-out: the one way notifications are written.

A post in a community of 10,000 members becomes 10,000 notifications in one query,
whatever the member count: an ``INSERT ... SELECT`` over the candidate recipients.
Grouped kinds (reactions, replies, ...) merge into the recipient's open notification of
the same group with ``ON CONFLICT ... DO UPDATE`` and record who is behind each row in
one more query.

Every rule about who hears of what is applied here, in SQL, for every source:

- never the actor; never an inactive account;
- never someone who may not read the community's content (the one visibility rule,
  :func:`communities.selectors.visibility.community_readers_q`);
- not when the member turned the kind ``off``; otherwise the row records the delivery
  they chose (or the kind's default) for the emailer;
- not from a community or a thread the member muted, except for the kinds in
  ``MUTE_EXEMPT_KINDS`` (a direct address such as a mention).
"""

import json
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.db.models import F, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from communities.models import Membership, NotificationLevel
from communities.selectors.visibility import community_readers_q
from notifications.events import send_stored_personal_events_on_commit
from notifications.models import (
    DEFAULT_DELIVERY,
    MUTE_EXEMPT_KINDS,
    Delivery,
    Notification,
    NotificationActor,
    NotificationPreference,
    ThreadSubscription,
)
from notifications.services.stream import (
    ids_condition,
    notification_stream_events_sql,
    notification_stream_events_store,
)
from profiles.models import User


@dataclass(frozen=True)
class Notice:
    """What happened, as plain ids and facts (never ORM instances).

    ``group_key``: unread, not yet emailed notifications of one recipient with the same
    key merge into one row ("Alice and 4 others ..."). ``None``: one row per notice.
    """

    kind: str
    actor_id: int | None = None
    community_id: int | None = None
    post_id: int | None = None
    comment_id: int | None = None
    conversation_id: int | None = None
    data: dict = field(default_factory=dict)
    group_key: str | None = None
    # False only where the notice itself grants the right to know the community (an
    # invitation to a private or secret community).
    check_readers: bool = True


def notice_recipients(
    *, notice: Notice, candidates: QuerySet | Iterable[int], exclude: Iterable[int] = ()
) -> QuerySet:
    """The members among ``candidates`` (user ids, or a queryset of them) who should
    receive ``notice``, annotated with ``fan_delivery``: every rule of the module
    docstring, as one queryset."""
    if not isinstance(candidates, QuerySet):
        candidates = list(candidates)
    users = User.objects.filter(pk__in=candidates, is_active=True)
    excluded = {pk for pk in exclude if pk is not None}
    if notice.actor_id is not None:
        excluded.add(notice.actor_id)
    if excluded:
        users = users.exclude(pk__in=excluded)
    if notice.community_id is not None and notice.check_readers:
        users = users.filter(community_readers_q(notice.community_id))
    if notice.kind not in MUTE_EXEMPT_KINDS:
        if notice.community_id is not None:
            users = users.exclude(
                pk__in=Membership.objects.filter(
                    community_id=notice.community_id,
                    notification_level=NotificationLevel.MUTED,
                ).values("user_id")
            )
        if notice.post_id is not None:
            users = users.exclude(
                pk__in=ThreadSubscription.objects.filter(
                    post_id=notice.post_id, state=ThreadSubscription.State.MUTED
                ).values("user_id")
            )
    chosen = NotificationPreference.objects.filter(user_id=OuterRef("pk"), kind=notice.kind)
    return (
        users.annotate(
            fan_delivery=Coalesce(
                Subquery(chosen.values("delivery")[:1]), Value(DEFAULT_DELIVERY[notice.kind])
            )
        )
        .exclude(fan_delivery=Delivery.OFF)
        .order_by()
    )


def _json_placeholder() -> str:
    return "CAST(%s AS jsonb)" if connection.vendor == "postgresql" else "%s"


@transaction.atomic(savepoint=False)
def notify(
    *, notice: Notice, candidates: QuerySet | Iterable[int], exclude: Iterable[int] = ()
) -> list[int]:
    """Notify the members among ``candidates`` who should hear of ``notice`` (see the
    module docstring) and return their ids.

    Queries, whatever the number of recipients: 2 for an ungrouped notice (one
    ``INSERT ... SELECT``, then the recipients' stored live events); 3 for a grouped one
    (the upsert, which also counts a new person, then the record of who is behind each
    row, then the live events). On commit, each recipient's personal group receives
    ``notification.created`` with ``new`` telling whether the unread count grew (a merge
    into an unread row does not); the event's id is its StreamEvent row's, for replay.
    """
    recipients = notice_recipients(notice=notice, candidates=candidates, exclude=exclude)
    select_sql, select_params = (
        recipients.values(fan_recipient=F("pk"), fan_choice=F("fan_delivery"))
        .query.get_compiler(connection=connection)
        .as_sql()
    )
    now = timezone.now()
    at = connection.ops.adapt_datetimefield_value(now)
    table = connection.ops.quote_name(Notification._meta.db_table)
    actors = connection.ops.quote_name(NotificationActor._meta.db_table)
    columns = (
        "recipient_id, delivery, kind, actor_id, actor_count, community_id, post_id, "
        "comment_id, conversation_id, data, group_key, created_at, updated_at"
    )
    sql = (
        f"INSERT INTO {table} ({columns}) "
        f"SELECT fan.fan_recipient, fan.fan_choice, %s, %s, %s, %s, %s, %s, %s, "
        f"{_json_placeholder()}, %s, %s, %s "
        f"FROM ({select_sql}) fan WHERE 1 = 1 "
    )
    if notice.group_key is not None:
        # Merge into the recipient's open row of the group; a person not yet behind it
        # adds one to its count.
        sql += (
            "ON CONFLICT (recipient_id, group_key) "
            "WHERE emailed_at IS NULL AND group_key IS NOT NULL AND read_at IS NULL "
            "DO UPDATE SET actor_id = excluded.actor_id, updated_at = excluded.updated_at, "
            "comment_id = excluded.comment_id, data = excluded.data, "
            f"delivery = excluded.delivery, actor_count = {table}.actor_count + CASE "
            f"WHEN excluded.actor_id IS NULL OR EXISTS (SELECT 1 FROM {actors} behind "
            f"WHERE behind.notification_id = {table}.id AND behind.user_id = excluded.actor_id)"
            " THEN 0 ELSE 1 END "
        )
    sql += "RETURNING id, recipient_id, created_at = updated_at AS is_new"
    params = [
        notice.kind,
        notice.actor_id,
        1 if notice.actor_id is not None else 0,
        notice.community_id,
        notice.post_id,
        notice.comment_id,
        notice.conversation_id,
        json.dumps(notice.data, cls=DjangoJSONEncoder),
        notice.group_key,
        at,
        at,
        *select_params,
    ]
    about = {
        "kind": str(notice.kind),
        "community_id": notice.community_id,
        "post_id": notice.post_id,
        "comment_id": notice.comment_id,
        "conversation_id": notice.conversation_id,
    }
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The stored live events come from the inserted rows in the same statement.
            events_sql, events_params = notification_stream_events_sql(
                source="fanned", about=about, created_at=now
            )
            # Read back from the stored events alone: a join of the two inserts would
            # be planned without statistics.
            cursor.execute(
                f"WITH fanned AS ({sql}), stored AS ({events_sql}, "
                "CAST(data->>'notification_id' AS bigint) AS notification_id, "
                "CAST(data->>'new' AS boolean) AS is_new) "
                "SELECT notification_id, user_id, is_new, id FROM stored",
                [*params, *events_params],
            )
            rows = cursor.fetchall()
        else:
            cursor.execute(sql, params)
            inserted = cursor.fetchall()
            event_ids = notification_stream_events_store(
                notification_ids=[row[0] for row in inserted], about=about, created_at=now
            )
            rows = [(*row, event_ids[row[1]]) for row in inserted]
        if rows and notice.group_key is not None and notice.actor_id is not None:
            ids_sql, ids_param = ids_condition("id", [row[0] for row in rows])
            cursor.execute(
                f"INSERT INTO {actors} (notification_id, user_id) "
                f"SELECT id, %s FROM {table} WHERE {ids_sql} "
                "ON CONFLICT (notification_id, user_id) DO NOTHING",
                [notice.actor_id, ids_param],
            )
    _push_on_commit(about=about, created_at=now, rows=rows)
    return [row[1] for row in rows]


def _push_on_commit(*, about: dict, created_at, rows: list[tuple]) -> None:
    """Push each recipient's stored ``notification.created`` event after the commit:
    the notification's ids and kind, and ``new`` (the unread count grew by one). The
    pushed JSON is built after the commit, equal to the stored one. ``rows``:
    ``(notification id, recipient id, is new, event id)``."""
    if not rows:
        return
    send_stored_personal_events_on_commit(
        event_type="notification.created",
        created_at=created_at,
        events=lambda: (
            (
                event_id,
                recipient_id,
                {"notification_id": notification_id, "new": bool(is_new), **about},
            )
            for notification_id, recipient_id, is_new, event_id in rows
        ),
    )
