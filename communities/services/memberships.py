"""Writes for memberships: joining, requests, roles, bans, leaving.

Roles rank owner > manager > moderator > member. Owners and managers manage the
community (approve requests, change roles); moderators may ban plain members; nobody
bans an owner, and a community always keeps at least one owner. A banned member keeps
no access: the visibility rule treats them as a non-member.

Every function locks the membership rows it reads to decide (``select_for_update``), so
two managers acting at once cannot, for instance, both demote "the other" owner.

Joining stands above invitations (a pending invitation is accepted on join); both make
members through :func:`communities.services.membership_add.membership_add`, importable
from here too.
"""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from communities import permissions
from communities.models import Community, Invitation, Membership
from communities.selectors.communities import community_require_visible
from communities.services.invitations import invitation_accept
from communities.services.membership_add import membership_add
from config.errors import Conflict, PermissionDenied, ValidationError
from metrics.models import Activity
from metrics.services import activity_record
from notifications.events import membership_changed_on_commit
from notifications.services.sources import (
    membership_approved_notify,
    membership_requested_notify,
)

ROLE_RANK = {
    Membership.Role.MEMBER: 0,
    Membership.Role.MODERATOR: 1,
    Membership.Role.MANAGER: 2,
    Membership.Role.OWNER: 3,
}
REQUEST_MESSAGE_MAX_LENGTH = Membership._meta.get_field("request_message").max_length


def _actor_rank(actor, community: Community) -> int:
    """The actor's rank in ``community``; superusers rank like owners; -1 for outsiders."""
    if actor.is_authenticated and actor.is_superuser:
        return ROLE_RANK[Membership.Role.OWNER]
    membership = permissions.active_membership(actor, community)
    return ROLE_RANK[membership.role] if membership is not None else -1


def _require_manager(actor, community: Community, message: str) -> None:
    community_require_visible(user=actor, community=community)
    if not permissions.can_manage(actor, community):
        raise PermissionDenied(message)


def _lock(membership: Membership) -> Membership:
    return (
        Membership.objects.select_for_update()
        .select_related("community", "user")
        .get(pk=membership.pk)
    )


def _refresh(target: Membership, source: Membership) -> Membership:
    """Copy the saved state onto the caller's instance (it may be shown right after)."""
    for field in ("role", "status", "invited_by_id", "request_message", "updated_at"):
        setattr(target, field, getattr(source, field))
    return target


def _pending_invitation_for(user, community: Community) -> Invitation | None:
    return (
        Invitation.objects.filter(
            community=community, status=Invitation.Status.PENDING, email__iexact=user.email
        )
        .select_related("invited_by")
        .order_by("created_at", "id")
        .first()
    )


@transaction.atomic
def membership_join(*, user, community: Community) -> Membership:
    """Join ``community`` as ``user``.

    - a pending invitation for the user's email: it is accepted (any join policy; the
      membership records who invited them);
    - open: active at once;
    - on request: ValidationError (code ``request_required``) telling to send a request;
    - invitation only: PermissionDenied;
    - banned: PermissionDenied; secret community without invitation: NotFound;
      archived community: ValidationError.
    Already an active member: returns the membership unchanged."""
    invitation = _pending_invitation_for(user, community)
    if invitation is None:
        community_require_visible(user=user, community=community)
    existing = Membership.objects.filter(community=community, user=user).first()
    if existing is not None and existing.status == Membership.Status.ACTIVE:
        return existing
    if existing is not None and existing.status == Membership.Status.BANNED:
        raise PermissionDenied(_("You are banned from this community."))
    if community.is_archived:
        raise ValidationError(_("This community is archived and takes no new members."))
    if invitation is not None:
        return invitation_accept(user=user, invitation=invitation)
    if community.join_policy == Community.JoinPolicy.REQUEST:
        raise ValidationError(
            _("This community accepts members on request: send a request to join."),
            code="request_required",
        )
    if community.join_policy == Community.JoinPolicy.INVITATION:
        raise PermissionDenied(_("This community is open to invited members only."))
    return membership_add(community=community, user=user)


@transaction.atomic
def membership_request(*, user, community: Community, message: str = "") -> Membership:
    """Ask to join a community whose join policy is "on request".

    Creates (or reuses a "left" row as) a pending membership carrying ``message``; the
    managers approve or decline it. Conflict when already pending or active;
    PermissionDenied when banned or when the community is invitation only;
    ValidationError for an open community (join instead), an archived one or a message
    that is too long; NotFound for a secret community."""
    community_require_visible(user=user, community=community)
    message = (message or "").strip()
    if len(message) > REQUEST_MESSAGE_MAX_LENGTH:
        raise ValidationError(
            _("The message is too long."),
            field_errors={
                "message": [_("At most %(max)d characters.") % {"max": REQUEST_MESSAGE_MAX_LENGTH}]
            },
        )
    membership = (
        Membership.objects.select_for_update().filter(community=community, user=user).first()
    )
    if membership is not None:
        if membership.status == Membership.Status.BANNED:
            raise PermissionDenied(_("You are banned from this community."))
        if membership.status == Membership.Status.ACTIVE:
            raise Conflict(_("You are already a member of this community."))
        if membership.status == Membership.Status.PENDING:
            raise Conflict(_("Your request to join is already waiting for a manager."))
    if community.is_archived:
        raise ValidationError(_("This community is archived and takes no new members."))
    if community.join_policy == Community.JoinPolicy.OPEN:
        raise ValidationError(_("This community is open: join it directly."), code="join_directly")
    if community.join_policy == Community.JoinPolicy.INVITATION:
        raise PermissionDenied(_("This community is open to invited members only."))
    if membership is None:
        membership = Membership.objects.create(
            community=community,
            user=user,
            status=Membership.Status.PENDING,
            request_message=message,
        )
    else:
        membership.status = Membership.Status.PENDING
        membership.role = Membership.Role.MEMBER
        membership.request_message = message
        membership.save(update_fields=["status", "role", "request_message", "updated_at"])
    membership_requested_notify(membership=membership)
    return membership


@transaction.atomic
def membership_request_approve(*, actor, membership: Membership) -> Membership:
    """Accept a pending request: the requester becomes an active member (MEMBER_JOINED
    recorded for them). Owners and managers only; ValidationError when the request is
    no longer pending. The membership row is locked."""
    _require_manager(
        actor, membership.community, _("Only the community's managers can approve requests.")
    )
    locked = _lock(membership)
    if locked.status != Membership.Status.PENDING:
        raise ValidationError(_("This request is no longer waiting for an answer."))
    locked.status = Membership.Status.ACTIVE
    locked.role = Membership.Role.MEMBER
    locked.save(update_fields=["status", "role", "updated_at"])
    membership_changed_on_commit(
        user_id=locked.user_id, community_id=locked.community_id, active=True
    )
    activity_record(
        actor=locked.user,
        verb=Activity.Verb.MEMBER_JOINED,
        community=locked.community,
        target=locked.community,
    )
    membership_approved_notify(actor=actor, membership=locked)
    return _refresh(membership, locked)


@transaction.atomic
def membership_request_decline(*, actor, membership: Membership) -> None:
    """Decline a pending request: the row is deleted, so the person may ask again later.
    Owners and managers only; ValidationError when it is no longer pending."""
    _require_manager(
        actor, membership.community, _("Only the community's managers can decline requests.")
    )
    locked = _lock(membership)
    if locked.status != Membership.Status.PENDING:
        raise ValidationError(_("This request is no longer waiting for an answer."))
    locked.delete()


@transaction.atomic
def membership_leave(*, user, community: Community) -> None:
    """Leave ``community``: the membership becomes "left" (role reset to member) and
    MEMBER_LEFT is recorded. A pending request is withdrawn instead (row deleted, nothing
    recorded). The last owner cannot leave (ValidationError): they must name another
    owner first. Not a member: ValidationError (NotFound for a secret community).
    The owners' rows are locked while the rule is checked."""
    membership = (
        Membership.objects.select_for_update().filter(community=community, user=user).first()
    )
    if membership is None or membership.status in (
        Membership.Status.LEFT,
        Membership.Status.BANNED,
    ):
        community_require_visible(user=user, community=community)
        raise ValidationError(_("You are not a member of this community."))
    if membership.status == Membership.Status.PENDING:
        membership.delete()
        return
    if membership.role == Membership.Role.OWNER:
        _require_another_owner(community)
    membership.status = Membership.Status.LEFT
    membership.role = Membership.Role.MEMBER
    membership.save(update_fields=["status", "role", "updated_at"])
    membership_changed_on_commit(user_id=user.pk, community_id=community.pk, active=False)
    activity_record(
        actor=user, verb=Activity.Verb.MEMBER_LEFT, community=community, target=community
    )


def _require_another_owner(community: Community) -> None:
    owners = list(
        Membership.objects.select_for_update()
        .filter(community=community, role=Membership.Role.OWNER, status=Membership.Status.ACTIVE)
        .values_list("pk", flat=True)
    )
    if len(owners) <= 1:
        raise ValidationError(
            _("A community needs an owner: make someone else owner first."),
            code="last_owner",
        )


def _role_apply(locked: Membership, role: str) -> Membership:
    if role not in Membership.Role.values:
        raise ValidationError(
            _("“%(role)s” is not a role.") % {"role": role},
            field_errors={"role": [_("Choose owner, manager, moderator or member.")]},
        )
    if locked.status != Membership.Status.ACTIVE:
        raise ValidationError(_("Only active members can be given a role."))
    if locked.role == role:
        return locked
    if locked.role == Membership.Role.OWNER:
        _require_another_owner(locked.community)
    locked.role = role
    locked.save(update_fields=["role", "updated_at"])
    return locked


@transaction.atomic
def membership_role_change(*, actor, membership: Membership, role: str) -> Membership:
    """Give an active member another role. Owners and managers only; only owners (and
    superusers) make someone owner or change an owner's role; the last owner cannot be
    demoted (ValidationError). The membership and the owners' rows are locked."""
    community = membership.community
    _require_manager(actor, community, _("Only the community's managers can change roles."))
    locked = _lock(membership)
    owner_rank = ROLE_RANK[Membership.Role.OWNER]
    touches_owner = Membership.Role.OWNER in (role, locked.role)
    if touches_owner and _actor_rank(actor, community) < owner_rank:
        raise PermissionDenied(_("Only an owner can make or unmake owners."))
    return _refresh(membership, _role_apply(locked, role))


@transaction.atomic
def membership_role_assign(*, membership: Membership, role: str) -> Membership:
    """Give an active member ``role`` with no actor check: for the system only (an
    election's result). Same rules otherwise: active members only, the last owner is
    never demoted. The membership and the owners' rows are locked."""
    return _refresh(membership, _role_apply(_lock(membership), role))


def _check_can_ban(actor, locked: Membership) -> None:
    community = locked.community
    community_require_visible(user=actor, community=community)
    if locked.user_id == actor.pk:
        raise ValidationError(_("You cannot ban yourself."))
    if locked.role == Membership.Role.OWNER:
        raise PermissionDenied(_("An owner cannot be banned."))
    actor_rank = _actor_rank(actor, community)
    if actor_rank < ROLE_RANK[Membership.Role.MODERATOR]:
        raise PermissionDenied(_("Only moderators and managers can ban members."))
    if actor_rank <= ROLE_RANK[locked.role]:
        raise PermissionDenied(_("You can only ban members whose role is below yours."))


@transaction.atomic
def membership_ban(*, actor, membership: Membership) -> Membership:
    """Ban a member: they lose every access to the community (it is secret to them if it
    is secret), cannot rejoin or request, and their pending invitations are revoked.

    Moderators may ban members; managers may ban moderators and members; owners may ban
    managers too; nobody bans an owner or themselves. Already banned: returned unchanged.
    An active member's departure is recorded as MEMBER_LEFT (actor: the banned member).
    The membership row is locked."""
    locked = _lock(membership)
    _check_can_ban(actor, locked)
    if locked.status == Membership.Status.BANNED:
        return _refresh(membership, locked)
    was_active = locked.status == Membership.Status.ACTIVE
    locked.status = Membership.Status.BANNED
    locked.save(update_fields=["status", "updated_at"])
    membership_changed_on_commit(
        user_id=locked.user_id, community_id=locked.community_id, active=False
    )
    Invitation.objects.filter(
        community=locked.community,
        status=Invitation.Status.PENDING,
        email__iexact=locked.user.email,
    ).update(status=Invitation.Status.REVOKED, responded_at=timezone.now())
    if was_active:
        activity_record(
            actor=locked.user,
            verb=Activity.Verb.MEMBER_LEFT,
            community=locked.community,
            target=locked.community,
        )
    return _refresh(membership, locked)


@transaction.atomic
def membership_unban(*, actor, membership: Membership) -> Membership:
    """Lift a ban. The person is not silently re-added: the membership becomes "left",
    role member, and they may join (or request, or be invited) again. Same ranks as
    :func:`membership_ban`; ValidationError when the member is not banned."""
    locked = _lock(membership)
    if locked.status != Membership.Status.BANNED:
        community_require_visible(user=actor, community=locked.community)
        raise ValidationError(_("This member is not banned."))
    _check_can_ban(actor, locked)
    locked.status = Membership.Status.LEFT
    locked.role = Membership.Role.MEMBER
    locked.save(update_fields=["status", "role", "updated_at"])
    return _refresh(membership, locked)
