"""Who hears of what: every notification source, wired to the fan-out engine.

Each write service that others should hear of calls one function of this module inside
its transaction, after its own writes:

- ``post_create``: :func:`post_created_notify` (author follows; on commit
  :func:`post_created_fan_out`: MENTION, then ANNOUNCEMENT or COMMUNITY_POST);
- ``post_update``: :func:`post_mentions_notify` (on commit
  :func:`post_mentions_added_fan_out`: MENTION to the newly mentioned);
- ``comment_create``: :func:`comment_created_notify` (commenter follows; on commit
  :func:`comment_created_fan_out`: MENTION, REPLY, THREAD_COMMENT);
- ``reaction_toggle`` (added): :func:`reaction_added_notify` (REACTION, grouped);
- ``answer_accept``: :func:`answer_accepted_notify` (ANSWER_ACCEPTED);
- ``kudos_give``: :func:`kudos_given_notify` (KUDOS);
- badge awards: :func:`badge_earned_notify` (BADGE);
- ``membership_request``: :func:`membership_requested_notify` (MEMBERSHIP_REQUEST, grouped);
- ``membership_request_approve``: :func:`membership_approved_notify` (MEMBERSHIP_APPROVED);
- ``invitation_create``: :func:`invitations_notify` (INVITATION);
- post and comment hide / restore: :func:`content_moderated_notify` (MODERATION);
- Celery beat: :func:`event_reminders_send` (EVENT_REMINDER).

Posts and comments can reach a whole community, so their fan-out runs in a Celery task
queued once the transaction commits (the request stays fast; a rolled-back post
notifies nobody); the other sources have one or a few recipients and notify at once,
inside the caller's transaction. Every rule about who may hear (never the actor, the
one visibility rule, preferences, mutes) is the engine's
(:func:`notifications.services.fanout.notify`): these functions always pass the
community, post and comment ids so that it can apply them.
"""

from collections.abc import Iterable
from datetime import timedelta
from functools import partial

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from communities.models import (
    Comment,
    Community,
    Event,
    Invitation,
    Membership,
    NotificationLevel,
    Post,
    Rsvp,
)
from notifications.events import community_group, send_event_on_commit
from notifications.models import Kind, ThreadSubscription
from notifications.services.fanout import Notice, notify
from notifications.services.subscriptions import thread_follow_auto
from profiles.models import BadgeAward, Kudos


def _notify(
    *, notice: Notice, candidates: QuerySet | Iterable[int | None], exclude: Iterable[int] = ()
) -> list[int]:
    """:func:`notify`, skipping the queries when a list of candidates is empty."""
    if not isinstance(candidates, QuerySet):
        candidates = [pk for pk in candidates if pk is not None]
        if not candidates:
            return []
    return notify(notice=notice, candidates=candidates, exclude=exclude)


def _enqueue_on_commit(task, *args) -> None:
    """Queue ``task`` with ``args`` once the transaction commits. Robust: a broker that
    is down is logged and never breaks the member's action, already committed."""
    transaction.on_commit(partial(task.delay, *args), robust=True)


# Posts ---------------------------------------------------------------------------------


def post_created_notify(*, post: Post) -> None:
    """For ``post_create``, inside its transaction: the author follows the thread (one
    query, or a few on the first follow), and :func:`post_created_fan_out` is queued
    once the transaction commits."""
    from notifications.tasks.sources import notifications_for_post_created

    thread_follow_auto(user_id=post.author_id, post_id=post.pk)
    _enqueue_on_commit(notifications_for_post_created, post.pk)


def _kudos_recipients_of(post_id: int) -> QuerySet:
    """The recipients of the kudos that ``post_id`` shares: they hear of it as kudos
    (:func:`kudos_given_notify`), not as a mention or a new post."""
    return Kudos.recipients.through.objects.filter(kudos__post_id=post_id).values("user_id")


@transaction.atomic
def post_created_fan_out(*, post_id: int) -> list[int]:
    """Notify a whole community of a new post (the task queued by
    :func:`post_created_notify`); returns who was notified.

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


def post_mentions_notify(*, post: Post) -> None:
    """For ``post_update``, inside its transaction and before the new mentions are
    stored: remember who was mentioned (one query) and, once the transaction commits,
    queue :func:`post_mentions_added_fan_out` for the members mentioned since."""
    from notifications.tasks.sources import notifications_for_post_updated

    previous = list(post.mentions.values_list("pk", flat=True))
    _enqueue_on_commit(notifications_for_post_updated, post.pk, previous)


@transaction.atomic
def post_mentions_added_fan_out(*, post_id: int, previous_mention_ids: list[int]) -> list[int]:
    """MENTION to the members ``post_id`` mentions now and did not before the edit (the
    task queued by :func:`post_mentions_notify`); returns who was notified. Nothing when
    the post is gone or hidden."""
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


# Comments ------------------------------------------------------------------------------


def comment_created_notify(*, comment: Comment) -> None:
    """For ``comment_create``, inside its transaction: the commenter follows the thread,
    and :func:`comment_created_fan_out` is queued once the transaction commits."""
    from notifications.tasks.sources import notifications_for_comment_created

    thread_follow_auto(user_id=comment.author_id, post_id=comment.post_id)
    _enqueue_on_commit(notifications_for_comment_created, comment.pk)


@transaction.atomic
def comment_created_fan_out(*, comment_id: int) -> list[int]:
    """Notify the people a new comment concerns (the task queued by
    :func:`comment_created_notify`); returns who was notified.

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
    told += _notify(
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


# Reactions, answers, kudos, badges -----------------------------------------------------


def reaction_added_notify(
    *, user, post: Post | None = None, comment: Comment | None = None
) -> None:
    """For ``reaction_toggle`` when ``user`` added a reaction on ``post`` or ``comment``:
    REACTION to the content's author, grouped per content (``reaction:post:<id>`` or
    ``reaction:comment:<id>``: "Alice and 4 others reacted ..."), data ``{"target":
    "post" | "comment"}``. At once, inside the caller's transaction. Removing a
    reaction notifies nobody (callers do not call this)."""
    if comment is not None:
        target, content, content_post = "comment", comment, comment.post
    else:
        target, content, content_post = "post", post, post
    notice = Notice(
        kind=Kind.REACTION,
        actor_id=user.pk,
        community_id=content_post.community_id,
        post_id=content_post.pk,
        comment_id=comment.pk if comment is not None else None,
        data={"target": target},
        group_key=f"reaction:{target}:{content.pk}",
    )
    _notify(notice=notice, candidates=[content.author_id])


def answer_accepted_notify(*, actor, post: Post, comment: Comment) -> None:
    """For ``answer_accept``: ANSWER_ACCEPTED to the answer's author, from ``actor`` (who
    accepted it; nobody when they accepted their own answer)."""
    notice = Notice(
        kind=Kind.ANSWER_ACCEPTED,
        actor_id=actor.pk,
        community_id=post.community_id,
        post_id=post.pk,
        comment_id=comment.pk,
    )
    _notify(notice=notice, candidates=[comment.author_id])


def kudos_given_notify(*, kudos: Kudos, recipients: Iterable) -> None:
    """For ``kudos_give``: KUDOS to each recipient, from the giver, data ``{"value":
    ...}``. Kudos shared in a community are for those who may read it (the one
    visibility rule, as on profiles); the post that shares them notifies its recipients
    nothing more (see :func:`post_created_fan_out`)."""
    notice = Notice(
        kind=Kind.KUDOS,
        actor_id=kudos.giver_id,
        community_id=kudos.community_id,
        data={"value": kudos.value},
    )
    _notify(notice=notice, candidates=[recipient.pk for recipient in recipients])


def badge_earned_notify(*, award: BadgeAward) -> None:
    """For every new badge award (earned or given by hand): BADGE to the member, with no
    actor, data ``{"badge": name, "level": n}``."""
    notice = Notice(
        kind=Kind.BADGE,
        data={"badge": award.badge.name, "level": award.level},
    )
    _notify(notice=notice, candidates=[award.user_id])


# Memberships and invitations -----------------------------------------------------------


def membership_requested_notify(*, membership: Membership) -> None:
    """For ``membership_request``: MEMBERSHIP_REQUEST to the community's active owners
    and managers, from the requester, grouped per community
    (``membership_request:<id>``: "Alice and 2 others asked to join ...")."""
    community_id = membership.community_id
    managers = Membership.objects.filter(
        community_id=community_id,
        status=Membership.Status.ACTIVE,
        role__in=Membership.MANAGING_ROLES,
    ).values("user_id")
    notice = Notice(
        kind=Kind.MEMBERSHIP_REQUEST,
        actor_id=membership.user_id,
        community_id=community_id,
        group_key=f"membership_request:{community_id}",
    )
    notify(notice=notice, candidates=managers)


def membership_approved_notify(*, actor, membership: Membership) -> None:
    """For ``membership_request_approve``, once the requester is active:
    MEMBERSHIP_APPROVED to them, from ``actor`` (the approver)."""
    notice = Notice(
        kind=Kind.MEMBERSHIP_APPROVED, actor_id=actor.pk, community_id=membership.community_id
    )
    _notify(notice=notice, candidates=[membership.user_id])


def invitations_notify(*, inviter, community: Community, invitations: list[Invitation]) -> None:
    """For ``invitation_create``: INVITATION to each invitee who already has an account,
    from ``inviter``. The invitation itself lets them know the community, private or
    secret (``check_readers=False``); addresses without an account hear by email only."""
    notice = Notice(
        kind=Kind.INVITATION,
        actor_id=inviter.pk,
        community_id=community.pk,
        check_readers=False,
    )
    _notify(notice=notice, candidates=[invitation.invitee_id for invitation in invitations])


# Moderation ----------------------------------------------------------------------------


def content_moderated_notify(
    *, actor, action: str, post: Post | None = None, comment: Comment | None = None
) -> None:
    """For the moderators' hide and restore of a ``post`` or a ``comment`` (called only
    when the content's state changed): MODERATION to its author, from ``actor``, data
    ``{"action": "hidden" | "restored", "target": "post" | "comment"}``. A moderator
    acting on their own content is not notified."""
    content_post = comment.post if comment is not None else post
    content = comment if comment is not None else post
    notice = Notice(
        kind=Kind.MODERATION,
        actor_id=actor.pk,
        community_id=content_post.community_id,
        post_id=content_post.pk,
        comment_id=comment.pk if comment is not None else None,
        data={"action": action, "target": "comment" if comment is not None else "post"},
    )
    _notify(notice=notice, candidates=[content.author_id])


# Event reminders -----------------------------------------------------------------------


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
    "answer_accepted_notify",
    "badge_earned_notify",
    "comment_created_fan_out",
    "comment_created_notify",
    "content_moderated_notify",
    "event_reminders_send",
    "invitations_notify",
    "kudos_given_notify",
    "membership_approved_notify",
    "membership_requested_notify",
    "post_created_fan_out",
    "post_created_notify",
    "post_mentions_added_fan_out",
    "post_mentions_notify",
    "reaction_added_notify",
]
