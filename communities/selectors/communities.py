"""Reads about communities, their members, requests, invitations and elections.

Every selector builds on the one visibility rule in
:mod:`communities.selectors.visibility`, so a page, an API call and a count never
disagree. A secret community answers :class:`NotFound` to anyone who is not an active
member; a private one lists its name but keeps its content (members, elections) for
members, answering :class:`PermissionDenied`.
"""

from django.db.models import (
    Case,
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.utils.translation import gettext as _

from communities import permissions
from communities.models import (
    Candidate,
    Community,
    Election,
    ElectionVoter,
    Invitation,
    Membership,
    Post,
)
from communities.selectors.visibility import communities_visible_to, community_visibility_q
from config.errors import NotFound, PermissionDenied

# Owners first, then managers, moderators and members: how member lists read.
ROLE_ORDER = Case(
    When(role=Membership.Role.OWNER, then=Value(0)),
    When(role=Membership.Role.MANAGER, then=Value(1)),
    When(role=Membership.Role.MODERATOR, then=Value(2)),
    default=Value(3),
    output_field=IntegerField(),
)


def community_require_visible(*, user, community: Community) -> None:
    """Raise NotFound unless ``user`` may know that ``community`` exists.

    The guard every service and selector uses before anything else, so that a secret
    community looks exactly like a missing one to non-members (404, never 403)."""
    if not permissions.can_see(user, community):
        raise NotFound(_("This community does not exist."))


def community_require_readable(*, user, community: Community) -> None:
    """Raise NotFound for a community ``user`` may not see, PermissionDenied for a
    private community whose content is for members only."""
    community_require_visible(user=user, community=community)
    if not permissions.can_read(user, community):
        raise PermissionDenied(_("Only members can see what is inside this community."))


def _with_my_role(queryset: QuerySet[Community], user) -> QuerySet[Community]:
    my_membership = Membership.objects.filter(
        community=OuterRef("pk"), user_id=user.pk, status=Membership.Status.ACTIVE
    )
    return queryset.annotate(my_role=Subquery(my_membership.values("role")[:1]))


def community_get_for(*, user, slug: str) -> Community:
    """The community at ``slug`` as ``user`` sees it, annotated with ``member_count``
    (active members), ``is_member`` and ``my_role`` (None for non-members).

    Raises NotFound when it does not exist or when ``user`` may not see it (secret)."""
    queryset = _with_my_role(communities_visible_to(user=user), user).select_related("parent")
    community = queryset.filter(slug=slug).first()
    if community is None:
        raise NotFound(_("This community does not exist."))
    return community


def community_list(
    *,
    user,
    search: str | None = None,
    mine: bool = False,
    visibility: str | None = None,
    topic: str | None = None,
) -> QuerySet[Community]:
    """The community directory for ``user``: every community they may see, by name.

    Annotated with ``member_count``, ``is_member`` and ``my_role``; a constant number of
    queries whatever the number of rows. Filters: ``search`` (name or description),
    ``mine`` (active memberships only), ``visibility`` and ``topic`` (communities with a
    readable post tagged with that #topic)."""
    queryset = _with_my_role(communities_visible_to(user=user), user)
    if search and search.strip():
        term = search.strip()
        queryset = queryset.filter(Q(name__icontains=term) | Q(description__icontains=term))
    if mine:
        queryset = queryset.filter(is_member=True)
    if visibility:
        queryset = queryset.filter(visibility=visibility)
    if topic and topic.strip().lstrip("#"):
        tagged_posts = Post.objects.filter(
            community=OuterRef("pk"),
            is_hidden=False,
            topics__name__iexact=topic.strip().lstrip("#"),
        )
        # Only communities whose content the member may read: a private community's
        # topics are part of its content.
        queryset = queryset.filter(Exists(tagged_posts)).filter(
            community_visibility_q(user, for_content=True)
        )
    return queryset.order_by("name", "id")


def community_members(*, user, community: Community) -> QuerySet[Membership]:
    """The active members of ``community``, owners first, with their user joined.

    Public communities: anyone in the organisation. Private: members only
    (PermissionDenied). Secret: members only (NotFound)."""
    community_require_readable(user=user, community=community)
    return (
        Membership.objects.filter(community=community, status=Membership.Status.ACTIVE)
        .select_related("user", "invited_by")
        .annotate(role_order=ROLE_ORDER)
        .order_by("role_order", "user__display_name", "id")
    )


def membership_requests_pending(*, user, community: Community) -> QuerySet[Membership]:
    """Pending requests to join ``community``, oldest first. Managers (and owners) only:
    PermissionDenied for others, NotFound when the community is secret to them."""
    community_require_visible(user=user, community=community)
    if not permissions.can_manage(user, community):
        raise PermissionDenied(_("Only the community's managers can see join requests."))
    return (
        Membership.objects.filter(community=community, status=Membership.Status.PENDING)
        .select_related("user")
        .order_by("joined_at", "id")
    )


def invitations_for(*, user) -> QuerySet[Invitation]:
    """``user``'s pending invitations (addressed to the account, or to its email before
    it was claimed), newest first, with the community and the inviter joined. Archived
    communities are left out: they take no new members."""
    if not user.is_authenticated:
        return Invitation.objects.none()
    return (
        Invitation.objects.filter(
            Q(invitee=user) | Q(invitee__isnull=True, email__iexact=user.email),
            status=Invitation.Status.PENDING,
            community__is_archived=False,
        )
        .select_related("community", "invited_by")
        .order_by("-created_at", "-id")
    )


def elections_for(*, user, community: Community) -> QuerySet[Election]:
    """Every election of ``community``, open and past (the history is kept), newest
    first. Candidates are prefetched with their user, ordered by candidacy; each
    election is annotated with ``voter_count`` and ``has_voted`` (for ``user``).

    Vote counts of an open election are on the candidates but views should show them
    only once it is closed. Readable communities only (see community_members)."""
    community_require_readable(user=user, community=community)
    my_vote = ElectionVoter.objects.filter(election=OuterRef("pk"), user_id=user.pk)
    return (
        Election.objects.filter(community=community)
        .select_related("winner", "created_by")
        .annotate(voter_count=Count("voters", distinct=True), has_voted=Exists(my_vote))
        .prefetch_related(
            Prefetch(
                "candidates",
                queryset=Candidate.objects.select_related("user").order_by("id"),
            )
        )
        .order_by("-created_at", "-id")
    )
