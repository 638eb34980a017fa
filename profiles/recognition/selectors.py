"""Reads for recognition: kudos and badges, scoped to what the viewer may see.

Kudos follow the one visibility rule: a kudos shared in a community is readable only by
those who may read that community's content; hidden kudos are for nobody.
"""

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _

from communities.selectors.visibility import community_visibility_q
from config.errors import NotFound
from profiles.models import Badge, BadgeAward, Kudos, User


def kudos_visible_to(*, viewer) -> QuerySet[Kudos]:
    """Kudos ``viewer`` may read, newest first, with giver, community and recipients."""
    shared_where_readable = Q(community__isnull=True) | community_visibility_q(
        viewer, prefix="community__", for_content=True
    )
    return (
        Kudos.objects.filter(is_hidden=False)
        .filter(shared_where_readable)
        .select_related("giver", "community")
        .prefetch_related("recipients")
        .order_by("-created_at", "-id")
    )


def kudos_list(*, viewer, giver_id: int | None = None, recipient_id: int | None = None):
    """Readable kudos, optionally given by ``giver_id`` or received by ``recipient_id``."""
    kudos = kudos_visible_to(viewer=viewer)
    if giver_id:
        kudos = kudos.filter(giver_id=giver_id)
    if recipient_id:
        kudos = kudos.filter(recipients__id=recipient_id)
    return kudos


def kudos_received_summary(*, viewer, user: User) -> dict:
    """Readable kudos ``user`` received: total, distinct givers and counts per value."""
    received = kudos_visible_to(viewer=viewer).filter(recipients=user).order_by()
    by_value = dict(received.values_list("value").annotate(count=Count("id")))
    givers = received.values("giver_id").distinct().count()
    return {"total": sum(by_value.values()), "givers": givers, "by_value": by_value}


def badges_held(*, user: User) -> list[BadgeAward]:
    """The highest level of each badge ``user`` holds, by badge name."""
    highest: dict[int, BadgeAward] = {}
    for award in BadgeAward.objects.filter(user=user).select_related("badge"):
        if award.badge_id not in highest or award.level > highest[award.badge_id].level:
            highest[award.badge_id] = award
    return sorted(highest.values(), key=lambda award: award.badge.name)


def badge_list() -> QuerySet[Badge]:
    """Every badge definition, with ``holder_count`` (distinct members holding it)."""
    return Badge.objects.annotate(holder_count=Count("awards__user", distinct=True)).order_by(
        "name", "pk"
    )


def badge_get(*, code: str) -> Badge:
    badge = Badge.objects.filter(code=code).first()
    if badge is None:
        raise NotFound(_("This badge does not exist."))
    return badge


def badge_holders(*, badge: Badge) -> QuerySet[BadgeAward]:
    """Awards of ``badge`` to active members, latest first, with the member joined."""
    return (
        BadgeAward.objects.filter(badge=badge, user__is_active=True)
        .select_related("user")
        .order_by("-awarded_at", "-pk")
    )
