"""The notifications that may reach a whole community, run by Celery tasks
(:mod:`notifications.tasks.sources`) rather than inside a member's request: a new post,
the new mentions of an edited post, a new comment, and the event reminders.

:mod:`notifications.services.sources` queues them once the member's transaction commits;
this module sits below both, so that the tasks can call it and the sources queue them.
The rules about who may hear are the engine's
(:func:`notifications.services.fanout.notify`).
"""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from communities.models import Comment, Event, Membership, NotificationLevel, Post, Rsvp
from notifications.events import community_group, send_event_on_commit
from notifications.models import Kind, ThreadSubscription
from notifications.services.fanout import Notice, notify
from profiles.models import Kudos


def _kudos_recipients_of(post_id: int) -> QuerySet:
    """The recipients of the kudos that ``post_id`` shares: they hear of it as kudos
    (:func:`~notifications.services.sources.kudos_given_notify`), not as a mention or a
    new post."""
    return Kudos.recipients.through.objects.filter(kudos__post_id=post_id).values("user_id")


@transaction.atomic
def post_created_fan_out(*, post_id: int) -> list[int]:
    """Notify a whole community of a new post (the task queued by
    :func:`~notifications.services.sources.post_created_notify`); returns who was
    notified.

    1. MENTION to the members the post mentions;
    2. an announcement: ANNOUNCEMENT to every active member (one row each) and
       ``announcement.created`` {post_id, community_id, requires_acknowledgement} to the
       community group on commit; any other post: COMMUNITY_POST (one row per post, so
       that each leads to its post), to the active members whose level is "all" (their
       own, or the community's default when they kept it).

    Nobody hears twice: whoever was notified of a mention is left out of step 2, and the
    recipients of the kudos a post shares hear of it as kudos only. Nothing when the
    post is gone or hidden. A fixed number of queries whatever the member count (every
    candidate set is a subquery): the post, then two to four per step.
    """
    post = (
        Post.objects.filter(pk=post_id)
        .values(
            "author_id",
            "community_id",
            "kind",
            "is_hidden",
            "requires_acknowledgement",
            "community__default_notification_level",
        )
        .first()
    )
    if post is None or post["is_hidden"]:
        return []
    community_id = post["community_id"]
    kudos_recipients = _kudos_recipients_of(post_id)
    ids = {"actor_id": post["author_id"], "community_id": community_id, "post_id": post_id}

    mentions = (
        Post.mentions.through.objects.filter(post_id=post_id)
        .exclude(user_id__in=kudos_recipients)
        .values("user_id")
    )
    mentioned = notify(notice=Notice(kind=Kind.MENTION, **ids), candidates=mentions)

    members = Membership.objects.filter(
        community_id=community_id, status=Membership.Status.ACTIVE
    ).exclude(user_id__in=kudos_recipients)
    if post["kind"] == Post.Kind.ANNOUNCEMENT:
        notice = Notice(kind=Kind.ANNOUNCEMENT, **ids)
        send_event_on_commit(
            groups=[community_group(community_id)],
            event_type="announcement.created",
            data={
                "post_id": post_id,
                "community_id": community_id,
                "requires_acknowledgement": post["requires_acknowledgement"],
            },
        )
    else:
        levels = [NotificationLevel.ALL]
        if post["community__default_notification_level"] == NotificationLevel.ALL:
            levels.append("")  # the members who kept the community's default
        members = members.filter(notification_level__in=levels)
        notice = Notice(kind=Kind.COMMUNITY_POST, **ids)
    told = notify(notice=notice, candidates=members.values("user_id"), exclude=mentioned)
    return mentioned + told


@transaction.atomic
def post_mentions_added_fan_out(*, post_id: int, previous_mention_ids: list[int]) -> list[int]:
    """MENTION to the members ``post_id`` mentions now and did not before the edit (the
    task queued by :func:`~notifications.services.sources.post_mentions_notify`); returns
    who was notified. Nothing when the post is gone or hidden."""
    post = Post.objects.filter(pk=post_id).values("author_id", "community_id", "is_hidden").first()
    if post is None or post["is_hidden"]:
        return []
    added = (
        Post.mentions.through.objects.filter(post_id=post_id)
        .exclude(user_id__in=previous_mention_ids)
        .exclude(user_id__in=_kudos_recipients_of(post_id))
        .values("user_id")
    )
    notice = Notice(
        kind=Kind.MENTION,
        actor_id=post["author_id"],
        community_id=post["community_id"],
        post_id=post_id,
    )
    return notify(notice=notice, candidates=added)


@transaction.atomic
def comment_created_fan_out(*, comment_id: int) -> list[int]:
    """Notify the people a new comment concerns (the task queued by
    :func:`~notifications.services.sources.comment_created_notify`); returns who was
    notified.

    1. MENTION to the members the comment mentions;
    2. REPLY to the post's author and, for a reply, to the author of the comment replied
       to (grouped per post: ``reply:<post id>``);
    3. THREAD_COMMENT to the members following the thread (grouped per post:
       ``thread:<post id>``).

    Each person hears once, of the first of these that concerns them; the authors
    replied to are never told of the comment as followers (their preference for
    replies decides, even when it is "off"). Every row carries
    the comment id (the latest one for a grouped row). Nothing when the comment, or its
    post, is gone, hidden or deleted. A fixed number of queries whatever the number of
    followers.
    """
    comment = (
        Comment.objects.filter(pk=comment_id)
        .values(
            "author_id",
            "post_id",
            "is_hidden",
            "is_deleted",
            "parent__author_id",
            "post__author_id",
            "post__community_id",
            "post__is_hidden",
        )
        .first()
    )
    if comment is None or comment["is_hidden"] or comment["is_deleted"]:
        return []
    if comment["post__is_hidden"]:
        return []
    post_id = comment["post_id"]
    ids = {
        "actor_id": comment["author_id"],
        "community_id": comment["post__community_id"],
        "post_id": post_id,
        "comment_id": comment_id,
    }
    mentions = Comment.mentions.through.objects.filter(comment_id=comment_id).values("user_id")
    told = notify(notice=Notice(kind=Kind.MENTION, **ids), candidates=mentions)
    replied_to = {comment["post__author_id"], comment["parent__author_id"]} - {None}
    if replied_to:
        told += notify(
            notice=Notice(kind=Kind.REPLY, group_key=f"reply:{post_id}", **ids),
            candidates=replied_to,
            exclude=told,
        )
    followers = ThreadSubscription.objects.filter(
        post_id=post_id, state=ThreadSubscription.State.FOLLOWING
    ).values("user_id")
    told += notify(
        notice=Notice(kind=Kind.THREAD_COMMENT, group_key=f"thread:{post_id}", **ids),
        candidates=followers,
        # Authors follow their threads automatically: replying to them is a reply, and
        # their choice for replies (even "off") decides.
        exclude=[*told, *replied_to],
    )
    return told


def event_reminders_send(*, now=None) -> int:
    """Remind the members going to the events that start soon (Celery beat); returns how
    many events were reminded.

    Due: not started yet, starting within ``CERCLE_EVENT_REMINDER_MINUTES`` of ``now``,
    never reminded, post not hidden. EVENT_REMINDER, with no actor and data
    ``{"starts_at": ISO 8601}``, to the members who answered yes (with a seat: the
    waiting list is left out) or maybe. Each event is claimed by a conditional update
    of ``reminder_sent_at`` in its own transaction, so two runs at once (or a run
    repeated) remind each event once.
    """
    now = now or timezone.now()
    horizon = now + timedelta(minutes=settings.CERCLE_EVENT_REMINDER_MINUTES)
    due = Event.objects.filter(
        reminder_sent_at__isnull=True,
        starts_at__gt=now,
        starts_at__lte=horizon,
        post__is_hidden=False,
    ).values_list("pk", "post_id", "post__community_id", "starts_at")
    reminded = 0
    for event_id, post_id, community_id, starts_at in list(due):
        with transaction.atomic():
            claimed = Event.objects.filter(pk=event_id, reminder_sent_at__isnull=True).update(
                reminder_sent_at=now
            )
            if not claimed:
                continue  # another run took it
            going = (
                Rsvp.objects.filter(event_id=event_id, is_waitlisted=False)
                .filter(answer__in=[Rsvp.Answer.YES, Rsvp.Answer.MAYBE])
                .values("user_id")
            )
            notice = Notice(
                kind=Kind.EVENT_REMINDER,
                community_id=community_id,
                post_id=post_id,
                data={"starts_at": starts_at.isoformat()},
            )
            notify(notice=notice, candidates=going)
        reminded += 1
    return reminded


__all__ = [
    "comment_created_fan_out",
    "event_reminders_send",
    "post_created_fan_out",
    "post_mentions_added_fan_out",
]
