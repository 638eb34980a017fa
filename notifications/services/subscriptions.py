"""What a member hears from a community (its level) and from a thread (follow or mute)."""

from django.db import transaction
from django.utils.translation import gettext as _

from communities import permissions
from communities.models import Community, Membership, NotificationLevel, Post
from communities.selectors.posts import post_is_readable
from config.errors import NotFound, PermissionDenied, ValidationError
from notifications.models import ThreadSubscription


@transaction.atomic
def community_notification_level_set(*, user, community: Community, level: str) -> Membership:
    """Set how much ``user`` hears from ``community``: ``all`` (every new post),
    ``mentions`` (mentions and replies only), ``muted`` (nothing but direct mentions),
    or ``""`` (the community's default). Active members only: NotFound when they may not
    see the community, PermissionDenied when not a member, ValidationError (field
    ``level``) for an unknown level."""
    if level not in ("", *NotificationLevel.values):
        raise ValidationError(
            _("Unknown notification level."),
            field_errors={"level": [_("Choose all, mentions or muted.")]},
        )
    if not permissions.can_see(user, community):
        raise NotFound(_("This community does not exist."))
    membership = permissions.active_membership(user, community)
    if membership is None:
        raise PermissionDenied(_("Only members choose what they hear from a community."))
    if membership.notification_level != level:
        membership.notification_level = level
        membership.save(update_fields=["notification_level", "updated_at"])
    return membership


def community_notification_level(membership: Membership) -> str:
    """The level in force: the member's choice, else the community's default."""
    return membership.notification_level or membership.community.default_notification_level


def _thread_set(*, user, post: Post, state: str | None) -> ThreadSubscription | None:
    if not post_is_readable(user=user, post=post):
        raise NotFound(_("This post does not exist."))
    if state is None:
        ThreadSubscription.objects.filter(user=user, post=post).delete()
        return None
    subscription, _created = ThreadSubscription.objects.update_or_create(
        user=user, post=post, defaults={"state": state}
    )
    return subscription


@transaction.atomic
def thread_follow(*, user, post: Post) -> ThreadSubscription:
    """``user`` hears of every new comment on ``post`` (NotFound if they may not read it)."""
    return _thread_set(user=user, post=post, state=ThreadSubscription.State.FOLLOWING)


@transaction.atomic
def thread_mute(*, user, post: Post) -> ThreadSubscription:
    """``user`` hears nothing more of ``post`` but direct mentions (NotFound if they may
    not read it)."""
    return _thread_set(user=user, post=post, state=ThreadSubscription.State.MUTED)


@transaction.atomic
def thread_unfollow(*, user, post: Post) -> None:
    """Forget ``user``'s choice on ``post``: they hear of replies to their own posts and
    comments only (NotFound if they may not read it)."""
    _thread_set(user=user, post=post, state=None)


def thread_follow_auto(*, user_id: int, post_id: int) -> None:
    """Authors and commenters follow the thread, unless they already chose (one query).
    For services that just wrote on ``post_id``: no access check."""
    ThreadSubscription.objects.get_or_create(
        user_id=user_id, post_id=post_id, defaults={"state": ThreadSubscription.State.FOLLOWING}
    )
