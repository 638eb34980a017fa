"""A member's contribution history, as another member may see it."""

from datetime import datetime
from typing import TypedDict

from django.db.models import Q

from communities.models import Comment, Community
from communities.selectors.visibility import community_visibility_q, posts_visible_to
from profiles.models import BadgeAward, Kudos, User


class TimelineItem(TypedDict):
    kind: str  # "post", "accepted_answer", "kudos_received", "kudos_given", "badge"
    at: datetime
    object: object
    community: Community | None


def _kudos_visible_q(viewer: User) -> Q:
    """Kudos not hidden, and either private to people or shared where the viewer reads."""
    readable = Community.objects.filter(community_visibility_q(viewer, for_content=True))
    return Q(is_hidden=False) & (Q(community__isnull=True) | Q(community__in=readable))


def contribution_timeline(*, viewer: User, user: User, limit: int = 50) -> list[TimelineItem]:
    """What ``user`` contributed and received, newest first, at most ``limit`` items:
    posts, accepted answers, kudos received and given, badges earned.

    Filtered by the VIEWER's visibility: posts and answers in communities the viewer may
    not read, hidden or deleted content, hidden kudos and kudos shared where the viewer
    may not read are left out. Each item is ``{"kind", "at", "object", "community"}``;
    kudos come with their giver and recipients, answers with their question. A constant
    number of queries."""
    limit = max(int(limit), 0)
    if limit == 0:
        return []
    items: list[TimelineItem] = []
    posts = posts_visible_to(user=viewer).filter(author_id=user.pk).order_by("-created_at", "-id")
    items.extend(
        {"kind": "post", "at": post.created_at, "object": post, "community": post.community}
        for post in posts[:limit]
    )
    # Answers the viewer may read, accepted on someone else's question.
    accepted_ids = (
        posts_visible_to(user=viewer)
        .filter(accepted_answer__isnull=False)
        .exclude(author_id=user.pk)
        .values("accepted_answer_id")
    )
    answers = (
        Comment.objects.filter(
            author_id=user.pk, is_hidden=False, is_deleted=False, pk__in=accepted_ids
        )
        .select_related("post", "post__community", "post__author")
        .order_by("-created_at", "-id")
    )
    items.extend(
        {
            "kind": "accepted_answer",
            "at": answer.created_at,
            "object": answer,
            "community": answer.post.community,
        }
        for answer in answers[:limit]
    )
    kudos = (
        Kudos.objects.filter(_kudos_visible_q(viewer))
        .filter(Q(giver_id=user.pk) | Q(recipients=user.pk))
        .distinct()
        .select_related("giver", "community")
        .prefetch_related("recipients")
        .order_by("-created_at", "-id")
    )
    for praise in kudos[:limit]:
        kind = "kudos_given" if praise.giver_id == user.pk else "kudos_received"
        items.append(
            {"kind": kind, "at": praise.created_at, "object": praise, "community": praise.community}
        )
    awards = (
        BadgeAward.objects.filter(user_id=user.pk)
        .select_related("badge")
        .order_by("-awarded_at", "-id")
    )
    items.extend(
        {"kind": "badge", "at": award.awarded_at, "object": award, "community": None}
        for award in awards[:limit]
    )
    items.sort(key=lambda item: item["at"], reverse=True)
    return items[:limit]


__all__ = ["TimelineItem", "contribution_timeline"]
