"""Who may do what in a community. Object checks built on the one visibility rule.

``can_see``/``can_read`` ask the same queryset filter the list selectors use, so a
single object and a list never disagree.
"""

from communities.models import Community, Membership
from communities.selectors.visibility import community_visibility_q


def active_membership(user, community: Community) -> Membership | None:
    if not user.is_authenticated:
        return None
    return Membership.objects.filter(
        community=community, user=user, status=Membership.Status.ACTIVE
    ).first()


def can_see(user, community: Community) -> bool:
    """The member may know the community exists (secret ones: members only)."""
    return Community.objects.filter(community_visibility_q(user), pk=community.pk).exists()


def can_read(user, community: Community) -> bool:
    """The member may read what is inside (private and secret ones: members only)."""
    return Community.objects.filter(
        community_visibility_q(user, for_content=True), pk=community.pk
    ).exists()


def can_manage(user, community: Community) -> bool:
    """Owner or community manager (or a superuser): approve, invite, roles, settings."""
    if user.is_authenticated and user.is_superuser:
        return True
    membership = active_membership(user, community)
    return membership is not None and membership.role in Membership.MANAGING_ROLES


def can_moderate(user, community: Community) -> bool:
    """Owner, manager or moderator (or a superuser): hide, restore, accept answers."""
    if user.is_authenticated and user.is_superuser:
        return True
    membership = active_membership(user, community)
    return membership is not None and membership.role in Membership.MODERATING_ROLES


def is_member(user, community: Community) -> bool:
    return active_membership(user, community) is not None
