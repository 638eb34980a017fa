"""Notification fan-outs that may reach a whole community, queued on commit by
:mod:`notifications.services.sources`, and the event reminders run by Celery beat. The
work is :mod:`notifications.services.community_fan_outs`'s.

Tasks take ids and plain values, never ORM instances; each does its work in one
transaction (see the service it calls).
"""

from celery import shared_task

from notifications.services.community_fan_outs import (
    comment_created_fan_out,
    event_reminders_send,
    post_created_fan_out,
    post_mentions_added_fan_out,
)


@shared_task(name="notifications.tasks.notifications_for_post_created")
def notifications_for_post_created(post_id: int) -> int:
    """Notify the community of the new post ``post_id``; returns how many were notified."""
    return len(post_created_fan_out(post_id=post_id))


@shared_task(name="notifications.tasks.notifications_for_post_updated")
def notifications_for_post_updated(post_id: int, previous_mention_ids: list[int]) -> int:
    """Notify the members an edit of ``post_id`` newly mentions; returns how many."""
    return len(
        post_mentions_added_fan_out(post_id=post_id, previous_mention_ids=previous_mention_ids)
    )


@shared_task(name="notifications.tasks.notifications_for_comment_created")
def notifications_for_comment_created(comment_id: int) -> int:
    """Notify the people the new comment ``comment_id`` concerns; returns how many."""
    return len(comment_created_fan_out(comment_id=comment_id))


@shared_task(name="notifications.tasks.event_reminders_send_due")
def event_reminders_send_due() -> int:
    """Remind the members going to events that start soon (beat, every 5 minutes);
    returns how many events were reminded."""
    return event_reminders_send()


__all__ = [
    "event_reminders_send_due",
    "notifications_for_comment_created",
    "notifications_for_post_created",
    "notifications_for_post_updated",
]
