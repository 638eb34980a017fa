"""Making someone an active member: :func:`membership_add`, the one write shared by
joining and approvals (:mod:`communities.services.memberships`), accepted invitations
(:mod:`communities.services.invitations`) and managers adding people.

It sits below both modules, so that joining can accept a pending invitation while
accepting an invitation adds the member.
"""

from django.db import transaction
from django.utils.translation import gettext as _

from communities.models import Community, Membership
from config.errors import PermissionDenied
from metrics.models import Activity
from metrics.services import activity_record
from notifications.events import membership_changed_on_commit


@transaction.atomic
def membership_add(
    *, community: Community, user, role: str = Membership.Role.MEMBER, invited_by=None
) -> Membership:
    """Make ``user`` an active member with ``role`` (used by joins, invitations, approvals
    and managers adding people; callers check permissions).

    Idempotent for someone already active (their role is kept); refuses banned members
    (PermissionDenied). Records MEMBER_JOINED when someone becomes active. The member's
    row is locked while it changes."""
    membership = (
        Membership.objects.select_for_update().filter(community=community, user=user).first()
    )
    if membership is None:
        membership, created = Membership.objects.get_or_create(
            community=community, user=user, defaults={"role": role, "invited_by": invited_by}
        )
    else:
        created = False
    if membership.status == Membership.Status.BANNED:
        raise PermissionDenied(_("This member is banned from the community."))
    if not created and membership.status == Membership.Status.ACTIVE:
        return membership
    if not created:
        membership.status = Membership.Status.ACTIVE
        membership.role = role
        update_fields = ["status", "role", "updated_at"]
        if invited_by is not None:
            membership.invited_by = invited_by
            update_fields.append("invited_by")
        membership.save(update_fields=update_fields)
    membership_changed_on_commit(user_id=user.pk, community_id=community.pk, active=True)
    activity_record(
        actor=user, verb=Activity.Verb.MEMBER_JOINED, community=community, target=community
    )
    return membership


__all__ = ["membership_add"]
