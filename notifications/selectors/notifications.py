"""Reads for the notification centre and a member's notification controls.

A member only ever reads their own notifications and settings: every function here is
scoped to ``user`` and nothing else. Lists come joined with what
:mod:`notifications.rendering` needs (actor, community, post, conversation), so their
query count does not grow with the rows.
"""

from dataclasses import dataclass

from django.db.models import CharField, F, Q, QuerySet, Value
from django.db.models.functions import Coalesce, NullIf
from django.utils.translation import gettext as _

from communities import permissions
from communities.models import Community, Membership, Post
from communities.selectors.visibility import community_visibility_q
from config.errors import NotFound, PermissionDenied
from notifications.models import (
    DEFAULT_DELIVERY,
    Kind,
    Notification,
    NotificationPreference,
    NotificationSettings,
    ThreadSubscription,
)

# Ids are 64-bit integers in the database; larger numbers name nothing.
ID_MAX = 2**63 - 1


def _still_readable(user) -> Q:
    """Notifications about a community the member can no longer read (they left a
    private one, were banned) drop out of their centre: the one visibility rule applies
    to what they were told too. Invitations stay: they are the way in."""
    readable = Community.objects.filter(community_visibility_q(user, for_content=True))
    return (
        Q(community__isnull=True)
        | Q(kind=Kind.INVITATION)
        | Q(community_id__in=readable.values("pk"))
    )


def notification_list_for(
    *, user, unread: bool | None = None, kind: str | None = None
) -> QuerySet[Notification]:
    """``user``'s own notifications, latest activity first (``-updated_at, -id``), joined
    with actor, community, post and conversation. ``unread``: True only unread ones,
    False only read ones, None both. ``kind``: only that kind (a ``Kind`` value)."""
    notifications = (
        Notification.objects.filter(recipient_id=user.pk)
        .filter(_still_readable(user))
        .select_related("actor", "community", "post", "conversation")
    )
    if unread is True:
        notifications = notifications.filter(read_at__isnull=True)
    elif unread is False:
        notifications = notifications.filter(read_at__isnull=False)
    if kind:
        notifications = notifications.filter(kind=kind)
    return notifications.order_by("-updated_at", "-id")


def notification_get_for(*, user, notification_id: int) -> Notification:
    """One of ``user``'s own notifications, joined like the list. NotFound for an id that
    does not exist or belongs to someone else (the two are indistinguishable)."""
    try:
        notification_id = int(notification_id)
    except (TypeError, ValueError):
        notification_id = 0
    notification = None
    if 0 < notification_id <= ID_MAX:
        notification = notification_list_for(user=user).filter(pk=notification_id).first()
    if notification is None:
        raise NotFound(_("This notification does not exist."))
    return notification


def unread_count(*, user) -> int:
    """How many of ``user``'s notifications are unread (one COUNT query on an index),
    counting only those the centre lists."""
    return (
        Notification.objects.filter(recipient_id=user.pk, read_at__isnull=True)
        .filter(_still_readable(user))
        .count()
    )


# Preferences ------------------------------------------------------------------------------


@dataclass(frozen=True)
class KindPreference:
    """How one kind of notification reaches a member: their choice or the default."""

    kind: str
    label: str
    delivery: str
    default: str

    @property
    def is_default(self) -> bool:
        return self.delivery == self.default


@dataclass(frozen=True)
class NotificationPreferences:
    """Every kind with its delivery, and the member's settings (saved or defaults)."""

    kinds: list[KindPreference]
    settings: NotificationSettings

    @property
    def deliveries(self) -> dict[str, str]:
        return {preference.kind: preference.delivery for preference in self.kinds}


def notification_settings_for(*, user) -> NotificationSettings:
    """``user``'s NotificationSettings, or an unsaved instance holding the defaults when
    they never changed them (no row is created by reading)."""
    settings = NotificationSettings.objects.filter(user_id=user.pk).first()
    return settings if settings is not None else NotificationSettings(user=user)


def notification_preferences_for(*, user) -> NotificationPreferences:
    """Every notification kind, in ``Kind`` order, with ``user``'s delivery (or the kind's
    default when they have no preference), and their settings (two queries)."""
    chosen = dict(
        NotificationPreference.objects.filter(user_id=user.pk).values_list("kind", "delivery")
    )
    kinds = [
        KindPreference(
            kind=kind.value,
            label=str(kind.label),
            delivery=chosen.get(kind.value, DEFAULT_DELIVERY[kind]),
            default=str(DEFAULT_DELIVERY[kind]),
        )
        for kind in Kind
    ]
    return NotificationPreferences(kinds=kinds, settings=notification_settings_for(user=user))


# Communities and threads -------------------------------------------------------------------


def community_levels_for(*, user) -> QuerySet[Membership]:
    """``user``'s active memberships of communities that are not archived, by community
    name, joined with the community and annotated with ``effective_level`` (their choice,
    else the community's default)."""
    return (
        Membership.objects.filter(
            user_id=user.pk,
            status=Membership.Status.ACTIVE,
            community__is_archived=False,
        )
        .select_related("community")
        .annotate(
            effective_level=Coalesce(
                NullIf(F("notification_level"), Value("")),
                F("community__default_notification_level"),
                output_field=CharField(),
            )
        )
        .order_by("community__name", "community_id")
    )


def community_level_for(*, user, community: Community) -> Membership:
    """``user``'s active membership of ``community``, annotated with ``effective_level``,
    for reading or changing what they hear from it. NotFound when they may not know the
    community exists (secret), PermissionDenied when they are not an active member."""
    if not permissions.can_see(user, community):
        raise NotFound(_("This community does not exist."))
    membership = (
        Membership.objects.filter(
            user_id=user.pk, community_id=community.pk, status=Membership.Status.ACTIVE
        )
        .select_related("community")
        .annotate(
            effective_level=Coalesce(
                NullIf(F("notification_level"), Value("")),
                F("community__default_notification_level"),
                output_field=CharField(),
            )
        )
        .first()
    )
    if membership is None:
        raise PermissionDenied(_("Only members choose what they hear from a community."))
    return membership


def thread_state_for(*, user, post: Post | int) -> str | None:
    """``user``'s explicit choice on the thread of ``post`` (instance or id):
    ``"following"``, ``"muted"`` or None (no choice: they hear of replies to their own
    posts and comments, and what their community level gives them). One query; no access
    check (callers hold a post the member may read)."""
    post_id = getattr(post, "pk", post)
    return (
        ThreadSubscription.objects.filter(user_id=user.pk, post_id=post_id)
        .values_list("state", flat=True)
        .first()
    )
