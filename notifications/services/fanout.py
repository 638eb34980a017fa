"""Set-based notification fan-out: the one way notifications are written.

A post in a community of 10,000 members becomes 10,000 notifications in a fixed number
of queries, whatever the member count: one ``INSERT ... SELECT ... ON CONFLICT`` over the
candidate recipients (which merges into an open notification of the same group), and,
for grouped kinds, one insert of the people behind each row and one update of their
count. The live push after the commit adds one query for the unread counts.

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
from django.db.models import Count, F, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from communities.models import Membership, NotificationLevel
from communities.selectors.visibility import community_readers_q
from notifications.events import send_personal_events_on_commit
from notifications.models import (
    DEFAULT_DELIVERY,
    MUTE_EXEMPT_KINDS,
    Delivery,
    Notification,
    NotificationActor,
    NotificationPreference,
    ThreadSubscription,
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

    Queries: 2 (ungrouped) or 4 (grouped), whatever the number of recipients: the
    insert, for grouped kinds the people and their count, and the unread counts that
    each recipient's personal group receives on commit with ``notification.created``.
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
    actor_count = 1 if notice.actor_id is not None else 0
    columns = (
        "recipient_id, delivery, kind, actor_id, actor_count, community_id, post_id, "
        "comment_id, conversation_id, data, group_key, created_at, updated_at"
    )
    sql = (
        f"INSERT INTO {table} ({columns}) "
        f"SELECT fan.fan_recipient, fan.fan_choice, %s, %s, %s, %s, %s, %s, %s, "
        f"{_json_placeholder()}, %s, %s, %s "
        f"FROM ({select_sql}) fan WHERE 1 = 1 "
        # Merge into the recipient's open notification of the same group.
        "ON CONFLICT (recipient_id, group_key) WHERE emailed_at IS NULL AND read_at IS NULL "
        "DO UPDATE SET actor_id = excluded.actor_id, updated_at = excluded.updated_at, "
        "comment_id = excluded.comment_id, data = excluded.data, delivery = excluded.delivery "
        "RETURNING id, recipient_id"
    )
    params = [
        notice.kind,
        notice.actor_id,
        actor_count,
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
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    if not rows:
        return []
    if notice.group_key is not None and notice.actor_id is not None:
        _count_people(group_key=notice.group_key, actor_id=notice.actor_id, at=at)
    recipient_ids = [recipient_id for _, recipient_id in rows]
    _push_on_commit(notice=notice, rows=rows)
    return recipient_ids


def _count_people(*, group_key: str, actor_id: int, at) -> None:
    """Record ``actor_id`` behind every open row of ``group_key`` touched at ``at`` and
    recount the distinct people of those rows: two queries."""
    notifications = connection.ops.quote_name(Notification._meta.db_table)
    actors = connection.ops.quote_name(NotificationActor._meta.db_table)
    touched = "group_key = %s AND updated_at = %s AND read_at IS NULL AND emailed_at IS NULL"
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {actors} (notification_id, user_id) "
            f"SELECT id, %s FROM {notifications} WHERE {touched} "
            "ON CONFLICT (notification_id, user_id) DO NOTHING",
            [actor_id, group_key, at],
        )
        cursor.execute(
            f"UPDATE {notifications} SET actor_count = (SELECT COUNT(*) FROM {actors} "
            f"WHERE {actors}.notification_id = {notifications}.id) WHERE {touched}",
            [group_key, at],
        )


def _push_on_commit(*, notice: Notice, rows: list[tuple[int, int]]) -> None:
    """Tell each recipient's devices, after the commit: ``notification.created`` with the
    notification's ids and kind and their new unread count (one query, now)."""
    notification_of = {recipient_id: notification_id for notification_id, recipient_id in rows}
    counts = dict(
        Notification.objects.filter(recipient_id__in=notification_of, read_at__isnull=True)
        .values("recipient_id")
        .annotate(unread=Count("id"))
        .values_list("recipient_id", "unread")
    )
    send_personal_events_on_commit(
        event_type="notification.created",
        data_by_user={
            recipient_id: {
                "notification_id": notification_id,
                "kind": notice.kind,
                "community_id": notice.community_id,
                "post_id": notice.post_id,
                "comment_id": notice.comment_id,
                "conversation_id": notice.conversation_id,
                "unread_count": counts.get(recipient_id, 0),
            }
            for recipient_id, notification_id in notification_of.items()
        },
    )
