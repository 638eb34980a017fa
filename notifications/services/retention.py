"""Retention of notifications: old ones are deleted daily, so the table does not grow forever.

A notification goes (:func:`notifications_delete_expired`, run daily by Celery beat
through ``notifications.tasks.notifications_purge``) when EITHER:

- it was read more than ``CERCLE_NOTIFICATION_READ_RETENTION_DAYS`` ago (the member has
  seen it; the centre no longer needs it), or
- read or not, its latest activity (``updated_at``) is more than
  ``CERCLE_NOTIFICATION_RETENTION_DAYS`` old. ``updated_at`` is when it was created,
  except for an unread grouped row, which moves on with each new person ("Alice and 4
  others reacted"): keyed on the creation date, the purge would delete a row that
  has just told the member of something new.

What goes with it, and what stays:

- its :class:`~notifications.models.NotificationActor` rows (who was behind it) go in
  the same transaction;
- the :class:`~notifications.models.EmailLog` of an email that carried it stays, with
  its ``notification_count``: the email was sent, and the support admin still opens
  it (listing the notifications that are left);
- no live event is sent: an unread row only goes after
  ``CERCLE_NOTIFICATION_RETENTION_DAYS`` without activity, and a client learns the new
  unread count at its next load or read.

Read statistics ("emails avoided") can only be measured over the retention window.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from notifications.models import Notification, NotificationActor

PURGE_BATCH_SIZE = 5_000


def notifications_expired_q(*, now: datetime) -> Q:
    """The notifications that retention deletes at ``now`` (see the module docstring)."""
    read_cutoff = now - timedelta(days=settings.CERCLE_NOTIFICATION_READ_RETENTION_DAYS)
    cutoff = now - timedelta(days=settings.CERCLE_NOTIFICATION_RETENTION_DAYS)
    return Q(read_at__lt=read_cutoff) | Q(updated_at__lt=cutoff)


def notifications_delete_expired(
    *, now: datetime | None = None, batch_size: int = PURGE_BATCH_SIZE
) -> int:
    """Delete the expired notifications (see the module docstring) and their actor rows;
    returns how many notifications went. Safe to run at any time and twice. Call it
    outside a transaction: each batch commits on its own.

    Batches: the ids of at most ``batch_size`` expired rows are read in primary-key order
    after the previous batch, then, in a transaction of their own, one ``DELETE`` removes
    the rows of that id range that are still expired (a grouped row merged into
    meanwhile is kept) and one ``DELETE`` their actors. So no statement holds locks on
    more than ``batch_size`` rows, the queries per batch do not grow with its rows (no
    per-row cascade), and the run walks the table once.
    """
    now = now or timezone.now()
    expired = Notification.objects.filter(notifications_expired_q(now=now)).order_by()
    notifications = connection.ops.quote_name(Notification._meta.db_table)
    actors = connection.ops.quote_name(NotificationActor._meta.db_table)
    deleted = 0
    after = 0
    while True:
        ids = list(
            expired.filter(pk__gt=after).order_by("pk").values_list("pk", flat=True)[:batch_size]
        )
        if not ids:
            return deleted
        first, after = ids[0], ids[-1]
        still_expired = expired.filter(pk__range=(first, after)).values("pk")
        still_expired_sql, params = still_expired.query.get_compiler(connection=connection).as_sql()
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {notifications} WHERE id IN ({still_expired_sql})", params)
            deleted += cursor.rowcount
            # The foreign key is checked at commit: the actors of the rows just deleted
            # (and only those) go before it.
            cursor.execute(
                f"DELETE FROM {actors} WHERE notification_id BETWEEN %s AND %s "
                f"AND NOT EXISTS (SELECT 1 FROM {notifications} kept "
                f"WHERE kept.id = {actors}.notification_id)",
                [first, after],
            )
        if len(ids) < batch_size:
            return deleted
