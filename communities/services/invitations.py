"""Writes for invitations: members inviting colleagues (referral), managers inviting in
bulk, and the invitee's answer.

Who may invite: in open and on-request communities every active member may invite
colleagues (growth by recommendation); in invitation-only communities only owners and
managers may, since an invitation there is the only way in. Archived communities take
no invitations.

An invitation is addressed to an email. A colleague who already has an account gets
``invitee`` set at once; an unknown address gets it at signup
(:func:`invitations_claim`, hooked to allauth's ``user_signed_up``). Every new
invitation is emailed once the transaction commits (a link to the community for
colleagues with an account, a signup link otherwise).
"""

import csv
import io
import re
from functools import partial

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from communities import permissions
from communities.emails import invitation_emails_send
from communities.models import Community, Invitation, Membership
from communities.selectors.communities import community_require_visible
from communities.services.membership_add import membership_add
from config.errors import Conflict, NotFound, PermissionDenied, ValidationError
from metrics.models import Activity
from metrics.services import activity_record
from notifications.services.sources import invitations_notify
from profiles.models import User

# One paste or file holds at most this many addresses, and this many bytes.
INVITATIONS_MAX_PER_BATCH = 500
INVITATIONS_FILE_MAX_BYTES = 1024 * 1024
_SEPARATORS = re.compile(r"[\s;,]+")


def _normalize_emails(emails) -> list[str]:
    """Strip, lower-case and de-duplicate (keeping order); ValidationError listing every
    invalid address under ``emails``."""
    if isinstance(emails, str):
        emails = [emails]
    cleaned: list[str] = []
    invalid: list[str] = []
    for raw in emails or []:
        email = str(raw).strip().strip("<>\"'").strip().lower()
        if not email:
            continue
        try:
            validate_email(email)
        except DjangoValidationError:
            invalid.append(
                _("“%(email)s” is not a valid email address.") % {"email": str(raw).strip()}
            )
            continue
        if email not in cleaned:
            cleaned.append(email)
    if invalid:
        raise ValidationError(
            _("Some email addresses are not valid."), field_errors={"emails": invalid}
        )
    if not cleaned:
        raise ValidationError(
            _("Give at least one email address."),
            field_errors={"emails": [_("Give at least one email address.")]},
        )
    if len(cleaned) > INVITATIONS_MAX_PER_BATCH:
        raise ValidationError(
            _("Invite at most %(max)d people at once.") % {"max": INVITATIONS_MAX_PER_BATCH},
            field_errors={
                "emails": [_("At most %(max)d addresses.") % {"max": INVITATIONS_MAX_PER_BATCH}]
            },
        )
    return cleaned


def _check_can_invite(inviter, community: Community) -> None:
    community_require_visible(user=inviter, community=community)
    if community.is_archived:
        raise ValidationError(_("This community is archived and takes no new members."))
    if community.join_policy == Community.JoinPolicy.INVITATION:
        if not permissions.can_manage(inviter, community):
            raise PermissionDenied(
                _("In an invitation-only community, only the managers invite people.")
            )
    elif not (inviter.is_superuser or permissions.is_member(inviter, community)):
        raise PermissionDenied(_("Only members can invite colleagues to this community."))


def _send_on_commit(invitation_ids: list[int]) -> None:
    transaction.on_commit(partial(invitation_emails_send.delay, invitation_ids))


@transaction.atomic
def invitation_create(*, inviter, community: Community, emails: list[str]) -> list[Invitation]:
    """Invite the people at ``emails`` to ``community`` on behalf of ``inviter``.

    Who may: see the module docstring (NotFound for a secret community the inviter is
    not in, PermissionDenied otherwise). Addresses are normalised and de-duplicated;
    any invalid one refuses the whole batch (ValidationError, ``field_errors["emails"]``
    lists them). Active members, banned people and addresses with a pending invitation
    are skipped; Conflict when nobody is left to invite. Returns the new invitations,
    records MEMBER_INVITED for each, and emails them once the transaction commits."""
    _check_can_invite(inviter, community)
    addresses = _normalize_emails(emails)
    users_by_email = {user.email.lower(): user for user in User.objects.filter(email__in=addresses)}
    skipped_statuses = (Membership.Status.ACTIVE, Membership.Status.BANNED)
    skipped_emails = {
        email.lower()
        for email in Membership.objects.filter(
            community=community,
            user__email__in=addresses,
            status__in=skipped_statuses,
        ).values_list("user__email", flat=True)
    }
    skipped_emails |= set(
        Invitation.objects.filter(
            community=community, status=Invitation.Status.PENDING, email__in=addresses
        ).values_list("email", flat=True)
    )
    invitations: list[Invitation] = []
    for email in addresses:
        if email in skipped_emails:
            continue
        try:
            # A savepoint: a colleague inviting the same address at the same moment
            # trips the one-pending-invitation constraint without spoiling the batch.
            with transaction.atomic():
                invitation = Invitation.objects.create(
                    community=community,
                    email=email,
                    invitee=users_by_email.get(email),
                    invited_by=inviter,
                )
        except IntegrityError:
            continue
        activity_record(
            actor=inviter,
            verb=Activity.Verb.MEMBER_INVITED,
            community=community,
            target=invitation,
            subject=invitation.invitee_id,
        )
        invitations.append(invitation)
    if not invitations:
        raise Conflict(
            _("Everyone on the list is already a member or already invited."),
            field_errors={"emails": [_("Already a member or already invited.")]},
        )
    invitations_notify(inviter=inviter, community=community, invitations=invitations)
    _send_on_commit([invitation.pk for invitation in invitations])
    return invitations


def _read_text(file_or_text) -> str:
    if isinstance(file_or_text, str):
        data = file_or_text.encode("utf-8")
    elif isinstance(file_or_text, bytes):
        data = file_or_text
    else:
        if hasattr(file_or_text, "seek"):
            file_or_text.seek(0)
        data = file_or_text.read(INVITATIONS_FILE_MAX_BYTES + 1)
        if isinstance(data, str):
            data = data.encode("utf-8")
    if len(data) > INVITATIONS_FILE_MAX_BYTES:
        raise ValidationError(
            _("The list is too large."),
            field_errors={"emails": [_("At most 1 MB of addresses.")]},
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Spreadsheets exported on older Windows set-ups write Latin-1.
        return data.decode("latin-1")


def _emails_in(text: str) -> list[str]:
    """Every cell holding an "@" in a CSV (comma or semicolon separated) or in a pasted
    list (one per line, or separated by spaces); other cells (names, headers) are
    ignored."""
    found: list[str] = []
    for row in csv.reader(io.StringIO(text)):
        for cell in row:
            found.extend(token for token in _SEPARATORS.split(cell) if "@" in token)
    return found


@transaction.atomic
def invitation_bulk_create_from_csv(
    *, inviter, community: Community, file_or_text
) -> list[Invitation]:
    """Invite every address found in a pasted text or an uploaded CSV file (str, bytes
    or a file object). Owners and managers only (the admin's bulk invite): NotFound for
    a secret community the inviter is not in, PermissionDenied otherwise.

    Cells holding an "@" are addresses, the others (names, headers) are ignored; then
    the rules of :func:`invitation_create` apply (ValidationError listing invalid
    addresses, skipped members, Conflict when nobody is left, emails on commit). A file
    over 1 MB, or one with no address at all: ValidationError."""
    community_require_visible(user=inviter, community=community)
    if not permissions.can_manage(inviter, community):
        raise PermissionDenied(_("Only the community's managers can invite in bulk."))
    emails = _emails_in(_read_text(file_or_text))
    if not emails:
        raise ValidationError(
            _("No email address was found in the list."),
            field_errors={"emails": [_("No email address was found.")]},
        )
    return invitation_create(inviter=inviter, community=community, emails=emails)


def _lock_own_invitation(user, invitation: Invitation) -> Invitation:
    """The invitation, locked, if it is addressed to ``user``; NotFound otherwise (others'
    invitations, and the communities they name, stay unseen)."""
    locked = (
        Invitation.objects.select_for_update()
        .select_related("community", "invited_by")
        .filter(pk=invitation.pk)
        .first()
    )
    addressed_to_user = locked is not None and (
        locked.invitee_id == user.pk
        or (locked.invitee_id is None and locked.email.lower() == user.email.lower())
    )
    if not addressed_to_user:
        raise NotFound(_("This invitation does not exist."))
    if locked.status != Invitation.Status.PENDING:
        raise ValidationError(_("This invitation has already been answered or withdrawn."))
    return locked


def _answer(locked: Invitation, user, status: str) -> None:
    locked.status = status
    locked.invitee = user
    locked.responded_at = timezone.now()
    locked.save(update_fields=["status", "invitee", "responded_at"])


@transaction.atomic
def invitation_accept(*, user, invitation: Invitation) -> Membership:
    """Accept an invitation addressed to ``user``: they become an active member whose
    membership records ``invited_by`` (MEMBER_JOINED recorded), whatever the join
    policy. Already a member: the invitation is marked accepted, the membership is kept
    as it is. NotFound when it is not theirs; ValidationError when already answered or
    when the community is archived; PermissionDenied when banned. The invitation row is
    locked."""
    locked = _lock_own_invitation(user, invitation)
    if locked.community.is_archived:
        raise ValidationError(_("This community is archived and takes no new members."))
    membership = membership_add(community=locked.community, user=user, invited_by=locked.invited_by)
    _answer(locked, user, Invitation.Status.ACCEPTED)
    invitation.status, invitation.responded_at = locked.status, locked.responded_at
    invitation.invitee_id = user.pk
    return membership


@transaction.atomic
def invitation_decline(*, user, invitation: Invitation) -> None:
    """Decline an invitation addressed to ``user`` (NotFound otherwise; ValidationError
    when already answered). The invitation row is locked."""
    locked = _lock_own_invitation(user, invitation)
    _answer(locked, user, Invitation.Status.DECLINED)
    invitation.status, invitation.responded_at = locked.status, locked.responded_at
    invitation.invitee_id = user.pk


@transaction.atomic
def invitations_claim(*, user) -> int:
    """Attach the pending invitations sent to ``user``'s email before they had an account
    (called at signup). Returns how many were claimed."""
    if not user.email:
        return 0
    return Invitation.objects.filter(
        status=Invitation.Status.PENDING, invitee__isnull=True, email__iexact=user.email
    ).update(invitee=user)
