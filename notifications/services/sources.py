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
inside the caller's transaction. The fan-outs the tasks run live below this module and
the tasks, in :mod:`notifications.services.community_fan_outs` (importable from here
too). Every rule about who may hear (never the actor, the
one visibility rule, preferences, mutes) is the engine's
(:func:`notifications.services.fanout.notify`): these functions always pass the
community, post and comment ids so that it can apply them.
"""

from collections.abc import Iterable
from functools import partial

from django.db import transaction
from django.db.models import QuerySet

from communities.models import Comment, Community, Invitation, Membership, Post
from notifications.models import Kind
from notifications.services.community_fan_outs import (
    comment_created_fan_out,
    event_reminders_send,
    post_created_fan_out,
    post_mentions_added_fan_out,
)
from notifications.services.fanout import Notice, notify
from notifications.services.subscriptions import thread_follow_auto
from notifications.tasks.sources import (
    notifications_for_comment_created,
    notifications_for_post_created,
    notifications_for_post_updated,
)
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
    thread_follow_auto(user_id=post.author_id, post_id=post.pk)
    _enqueue_on_commit(notifications_for_post_created, post.pk)


def post_mentions_notify(*, post: Post) -> None:
    """For ``post_update``, inside its transaction and before the new mentions are
    stored: remember who was mentioned (one query) and, once the transaction commits,
    queue :func:`post_mentions_added_fan_out` for the members mentioned since."""
    previous = list(post.mentions.values_list("pk", flat=True))
    _enqueue_on_commit(notifications_for_post_updated, post.pk, previous)


# Comments ------------------------------------------------------------------------------


def comment_created_notify(*, comment: Comment) -> None:
    """For ``comment_create``, inside its transaction: the commenter follows the thread,
    and :func:`comment_created_fan_out` is queued once the transaction commits."""
    thread_follow_auto(user_id=comment.author_id, post_id=comment.post_id)
    _enqueue_on_commit(notifications_for_comment_created, comment.pk)


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
