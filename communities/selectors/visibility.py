"""Reads for communities and posts, scoped to what the asking member may see.

The one visibility rule lives here (:func:`community_visibility_q`): every page,
API endpoint, search, stream, notification and websocket asks it.

- public: everyone in the organisation reads it, except the members it banned;
- private: listed to everyone; its content only to active members;
- secret: does not exist for anyone but its active members.

Pending requests count as non-members. Banned members keep no access: they are
non-members, and a public community's content is closed to them too (they still see
that it exists, as anyone does). Superusers see everything.
"""

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from communities.models import Community, Membership, Post


def _active_membership(user) -> QuerySet:
    return Membership.objects.filter(
        community=OuterRef("pk"), user_id=user.pk, status=Membership.Status.ACTIVE
    )


def community_visibility_q(user, *, prefix: str = "", for_content: bool = False) -> Q:
    """The filter on Community (or on a model pointing at one, via ``prefix``) that a
    member may see. ``for_content=True`` asks who may read what is inside: private
    communities then require membership too."""
    if not user.is_authenticated:
        return Q(pk__in=[])
    if user.is_superuser:
        return Q()
    member_ids = Membership.objects.filter(user_id=user.pk, status=Membership.Status.ACTIVE).values(
        "community_id"
    )
    open_visibilities = [Community.Visibility.PUBLIC]
    if not for_content:
        open_visibilities.append(Community.Visibility.PRIVATE)
    open_to_all = Q(**{f"{prefix}visibility__in": open_visibilities})
    if for_content:
        banned_ids = Membership.objects.filter(
            user_id=user.pk, status=Membership.Status.BANNED
        ).values("community_id")
        open_to_all &= ~Q(**{f"{prefix}pk__in": banned_ids})
    return open_to_all | Q(**{f"{prefix}pk__in": member_ids})


def communities_visible_to(*, user) -> QuerySet[Community]:
    """Communities the member may know exist, with member counts and their own membership."""
    return (
        Community.objects.filter(community_visibility_q(user))
        .annotate(
            member_count=Count(
                "memberships", filter=Q(memberships__status=Membership.Status.ACTIVE)
            ),
            is_member=Exists(_active_membership(user)),
        )
        .order_by("name")
    )


def community_list_for_member(*, user) -> QuerySet[Community]:
    """The communities the member belongs to."""
    return communities_visible_to(user=user).filter(is_member=True, is_archived=False)


def posts_visible_to(*, user) -> QuerySet[Post]:
    """Posts the member may read, joined with their author and community."""
    return (
        Post.objects.filter(community_visibility_q(user, prefix="community__", for_content=True))
        .filter(is_hidden=False)
        .select_related("author", "community")
    )


def post_stream_for(*, user) -> QuerySet[Post]:
    """The member's home stream: latest posts in the communities they belong to."""
    member_ids = Membership.objects.filter(user_id=user.pk, status=Membership.Status.ACTIVE).values(
        "community_id"
    )
    return (
        posts_visible_to(user=user)
        .filter(community_id__in=member_ids)
        .order_by("-created_at", "-id")
    )


def community_readers_q(community_id: int) -> Q:
    """The filter on User for who may read the content of community ``community_id``:
    the same rule as :func:`community_visibility_q` with ``for_content=True``, seen from
    the community's side (superusers; active members; anyone not banned when public).
    Notifications use it so that nobody hears of content they cannot open."""
    memberships = Membership.objects.filter(community_id=community_id, user_id=OuterRef("pk"))
    is_member = Exists(memberships.filter(status=Membership.Status.ACTIVE))
    is_banned = Exists(memberships.filter(status=Membership.Status.BANNED))
    is_public = Exists(
        Community.objects.filter(pk=community_id, visibility=Community.Visibility.PUBLIC)
    )
    return Q(is_superuser=True) | Q(is_member) | (Q(is_public) & ~Q(is_banned))
