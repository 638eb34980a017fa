"""Reading notifications: mark one, some or all as read, on every device at once."""

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from notifications.events import send_event_on_commit, user_group
from notifications.models import Notification


@transaction.atomic
def notifications_mark_read(
    *,
    user,
    ids: Iterable[int] | None = None,
    all_unread: bool = False,
    conversation_id: int | None = None,
    post_id: int | None = None,
) -> int:
    """Mark ``user``'s unread notifications read: those in ``ids``, or all of them
    (``all_unread``), or those about ``conversation_id`` / ``post_id`` (opening the
    object reads them).
    Other members' ids are ignored. Returns how many changed; when some did, the
    member's devices get ``notification.read`` (ids, or all) and ``unread_count`` on
    commit."""
    unread = Notification.objects.filter(recipient_id=user.pk, read_at__isnull=True)
    if all_unread:
        scope = unread
    elif ids is not None:
        scope = unread.filter(pk__in=list(ids))
    elif conversation_id is not None:
        scope = unread.filter(conversation_id=conversation_id)
    elif post_id is not None:
        scope = unread.filter(post_id=post_id)
    else:
        return 0
    changed_ids = [] if all_unread else list(scope.values_list("pk", flat=True))
    changed = scope.update(read_at=timezone.now())
    if changed:
        count = unread.count()
        group = [user_group(user.pk)]
        send_event_on_commit(
            groups=group,
            event_type="notification.read",
            data={"ids": changed_ids, "all": all_unread, "unread_count": count},
        )
        send_event_on_commit(groups=group, event_type="unread_count", data={"count": count})
    return changed
