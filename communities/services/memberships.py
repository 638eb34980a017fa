"""Writes for memberships: joining, requests, roles, bans, leaving."""

from django.db import transaction
from django.utils.translation import gettext as _

from communities.models import Community, Membership
from config.errors import PermissionDenied
from metrics.models import Activity
from metrics.services import activity_record


@transaction.atomic
def membership_add(*, community: Community, user, role: str = Membership.Role.MEMBER) -> Membership:
    """Make ``user`` an active member (used by joins and by managers adding people).

    Idempotent for someone already active; refuses banned members.
    """
    membership, created = Membership.objects.get_or_create(
        community=community, user=user, defaults={"role": role}
    )
    if membership.status == Membership.Status.BANNED:
        raise PermissionDenied(_("This member is banned from the community."))
    if not created and membership.status == Membership.Status.ACTIVE:
        return membership
    if not created:
        membership.status = Membership.Status.ACTIVE
        membership.role = role
        membership.save(update_fields=["status", "role"])
    activity_record(
        actor=user, verb=Activity.Verb.MEMBER_JOINED, community=community, target=community
    )
    return membership
