"""Reads about announcements that require acknowledgement: the banner of what a member
still has to acknowledge, and the managers' acknowledgement report.

"The members to reach" of an announcement are the community's active members except
its author. Members who left or were banned after it was published no longer count,
neither as pending nor as having acknowledged.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import (
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    Window,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from communities import permissions
from communities.models import Membership, Post
from communities.selectors.posts import post_is_readable
from config.errors import NotFound, PermissionDenied, ValidationError
from notifications.models import Acknowledgement, AnnouncementReminder
from profiles.models import User


def _user_id(user) -> int | None:
    return user.pk if user is not None and user.is_authenticated else None


def announcement_get_for(*, user, post_id) -> Post:
    """The post ``post_id`` with its community and author, if ``user`` may read it (the
    rule of :func:`communities.selectors.posts.post_is_readable`); NotFound otherwise,
    so that an unreadable announcement looks exactly like a missing one."""
    try:
        post_id = int(post_id)
    except (TypeError, ValueError):
        raise NotFound(_("This announcement does not exist.")) from None
    post = Post.objects.select_related("community", "author").filter(pk=post_id).first()
    if post is None or not post_is_readable(user=user, post=post):
        raise NotFound(_("This announcement does not exist."))
    return post


def members_to_reach(post: Post) -> QuerySet[Membership]:
    """The active memberships of ``post``'s community, its author's left out."""
    return Membership.objects.filter(
        community_id=post.community_id, status=Membership.Status.ACTIVE
    ).exclude(user_id=post.author_id)


def pending_member_ids(post: Post) -> QuerySet:
    """Ids (a ``values("user_id")`` queryset, for :func:`notify` or ``__in``) of the
    members to reach who have not acknowledged ``post``."""
    acknowledged = Acknowledgement.objects.filter(post_id=post.pk, user_id=OuterRef("user_id"))
    return members_to_reach(post).filter(~Exists(acknowledged)).values("user_id")


def announcements_pending_for(user) -> QuerySet[Post]:
    """The announcements ``user`` still has to acknowledge, newest first, with their
    community and author joined: announcements requiring acknowledgement, not hidden,
    in the communities where they are an active member, not written by them and not
    acknowledged yet. Empty for anonymous users. One query whatever the number of rows
    (a slice of it carries ``pending_total``, the count of the whole list, when
    evaluated through :func:`announcement_banner`)."""
    user_id = _user_id(user)
    if user_id is None:
        return Post.objects.none()
    communities = Membership.objects.filter(
        user_id=user_id, status=Membership.Status.ACTIVE
    ).values("community_id")
    acknowledged = Acknowledgement.objects.filter(post_id=OuterRef("pk"), user_id=user_id)
    return (
        Post.objects.filter(
            kind=Post.Kind.ANNOUNCEMENT,
            requires_acknowledgement=True,
            is_hidden=False,
            community_id__in=communities,
        )
        .exclude(author_id=user_id)
        .filter(~Exists(acknowledged))
        .select_related("community", "author")
        .order_by("-created_at", "-id")
    )


@dataclass(frozen=True)
class Banner:
    """What the banner shows: the newest pending announcements and how many more."""

    announcements: list[Post]
    total: int

    @property
    def more(self) -> int:
        return max(self.total - len(self.announcements), 0)


def announcement_banner(user, *, limit: int = 3) -> Banner:
    """The newest ``limit`` announcements ``user`` has to acknowledge and the total
    count, in one query (the count rides along as a window)."""
    if _user_id(user) is None:
        return Banner(announcements=[], total=0)
    rows = list(announcements_pending_for(user).annotate(pending_total=Window(Count("id")))[:limit])
    return Banner(announcements=rows, total=rows[0].pending_total if rows else 0)


def posts_with_acknowledged(posts: QuerySet[Post], *, user) -> QuerySet[Post]:
    """``posts`` annotated with ``acknowledged``: whether ``user`` acknowledged each one
    (a subquery, no extra query)."""
    mine = Acknowledgement.objects.filter(post_id=OuterRef("pk"), user_id=_user_id(user))
    return posts.annotate(acknowledged=Exists(mine))


def acknowledgement_of(*, user, post: Post) -> Acknowledgement | None:
    """``user``'s acknowledgement of ``post``, if any (no query when the post does not
    require acknowledgement)."""
    if not post.requires_acknowledgement or _user_id(user) is None:
        return None
    return Acknowledgement.objects.filter(post_id=post.pk, user_id=user.pk).first()


def acknowledged_attach(post: Post, *, user) -> Post:
    """Set ``post.acknowledged`` for ``user`` unless a list selector annotated it (at
    most one query, none for posts that do not require acknowledgement)."""
    if not hasattr(post, "acknowledged"):
        post.acknowledged = acknowledgement_of(user=user, post=post) is not None
    return post


def next_reminder_at(post: Post) -> datetime | None:
    """When managers may next remind the members of ``post`` (None: now). One query."""
    last = (
        AnnouncementReminder.objects.filter(post_id=post.pk)
        .order_by("-sent_at")
        .values_list("sent_at", flat=True)
        .first()
    )
    if last is None:
        return None
    following = last + timedelta(hours=settings.CERCLE_ANNOUNCEMENT_REMINDER_HOURS)
    return following if following > timezone.now() else None


@dataclass(frozen=True)
class AcknowledgementReport:
    """Where an announcement stands: ``member_count`` members to reach (active members
    but the author), ``acknowledged_count`` of them acknowledged (``rate``, 0 to 100,
    rounded down so that 100 means everyone), ``pending`` (User queryset, by name, for
    pagination), ``acknowledged`` (Acknowledgement queryset with the user, newest first),
    ``reminders`` (newest first, with who sent them) and ``next_reminder_at`` (None when
    a reminder may be sent now)."""

    post: Post
    member_count: int
    acknowledged_count: int
    pending: QuerySet
    acknowledged: QuerySet
    reminders: QuerySet
    next_reminder_at: datetime | None

    @property
    def pending_count(self) -> int:
        return self.member_count - self.acknowledged_count

    @property
    def rate(self) -> int:
        return acknowledgement_rate(
            member_count=self.member_count, acknowledged_count=self.acknowledged_count
        )

    @property
    def can_remind(self) -> bool:
        return self.pending_count > 0 and self.next_reminder_at is None


def announcement_require_managed(*, user, post: Post) -> None:
    """Refuse ``user`` the managers' view of ``post``: NotFound when they may not read
    it, PermissionDenied when they do not manage its community, ValidationError when it
    does not require acknowledgement."""
    if not post_is_readable(user=user, post=post):
        raise NotFound(_("This announcement does not exist."))
    if not permissions.can_manage(user, post.community):
        raise PermissionDenied(_("Only the community's managers see who acknowledged."))
    if not post.requires_acknowledgement:
        raise ValidationError(_("This post does not ask members to acknowledge it."))


def acknowledgement_report(*, user, post: Post) -> AcknowledgementReport:
    """The acknowledgement report of ``post`` for ``user``, one of its community's
    managers (see :func:`announcement_require_managed` for the refusals).

    Costs two queries besides the checks (the counts, the next reminder); the
    querysets it carries run when read, each in a constant number of queries."""
    announcement_require_managed(user=user, post=post)
    acknowledged_by = Acknowledgement.objects.filter(post_id=post.pk, user_id=OuterRef("user_id"))
    counts = (
        members_to_reach(post)
        .annotate(has_acknowledged=Exists(acknowledged_by))
        .aggregate(
            members=Count("id"),
            acknowledged=Count("id", filter=Q(has_acknowledged=True)),
        )
    )
    reached = members_to_reach(post).values("user_id")
    return AcknowledgementReport(
        post=post,
        member_count=counts["members"],
        acknowledged_count=counts["acknowledged"],
        pending=User.objects.filter(pk__in=pending_member_ids(post)).order_by("display_name", "id"),
        acknowledged=Acknowledgement.objects.filter(post_id=post.pk, user_id__in=reached)
        .select_related("user")
        .order_by("-created_at", "-id"),
        reminders=AnnouncementReminder.objects.filter(post_id=post.pk)
        .select_related("sent_by")
        .order_by("-sent_at", "-id"),
        next_reminder_at=next_reminder_at(post),
    )


def announcements_with_acknowledgement_counts(posts: QuerySet[Post]) -> QuerySet[Post]:
    """``posts`` annotated with ``member_count`` (members to reach) and
    ``acknowledged_count`` (of them, who acknowledged): subqueries, no extra query."""
    members = (
        Membership.objects.filter(
            community_id=OuterRef("community_id"), status=Membership.Status.ACTIVE
        )
        .exclude(user_id=OuterRef("author_id"))
        .order_by()
        .values("community_id")
        .annotate(n=Count("id"))
        .values("n")
    )
    active_here = Membership.objects.filter(
        community_id=OuterRef(OuterRef("community_id")),
        user_id=OuterRef("user_id"),
        status=Membership.Status.ACTIVE,
    )
    acknowledged = (
        Acknowledgement.objects.filter(post_id=OuterRef("pk"))
        .exclude(user_id=OuterRef("author_id"))
        .filter(Exists(active_here))
        .order_by()
        .values("post_id")
        .annotate(n=Count("id"))
        .values("n")
    )
    return posts.annotate(
        member_count=Coalesce(Subquery(members, output_field=IntegerField()), Value(0)),
        acknowledged_count=Coalesce(Subquery(acknowledged, output_field=IntegerField()), Value(0)),
    )


def acknowledgement_rate(*, member_count: int, acknowledged_count: int) -> int:
    """Percentage (0 to 100, rounded down) of the members to reach who acknowledged."""
    if not member_count:
        return 100
    return acknowledged_count * 100 // member_count


__all__ = [
    "AcknowledgementReport",
    "Banner",
    "acknowledged_attach",
    "acknowledgement_of",
    "acknowledgement_rate",
    "acknowledgement_report",
    "announcement_banner",
    "announcement_get_for",
    "announcement_require_managed",
    "announcements_pending_for",
    "announcements_with_acknowledgement_counts",
    "members_to_reach",
    "next_reminder_at",
    "pending_member_ids",
    "posts_with_acknowledged",
]
