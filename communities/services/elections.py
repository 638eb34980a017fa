"""Writes for elections: a manager opens a vote for a role (e.g. the quarterly chair),
members vote once and secretly, and at closing the winner gets the role.

Ballots are secret: an :class:`ElectionVoter` row records *that* a member voted, and the
chosen candidate's ``vote_count`` goes up by one; nothing links the two. Elections are
never deleted, so the history of who held which role stays readable.
"""

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from communities import permissions
from communities.models import Candidate, Community, Election, ElectionVoter, Membership
from communities.selectors.communities import community_require_visible
from communities.services.memberships import ROLE_RANK, membership_role_assign
from config.errors import Conflict, PermissionDenied, ValidationError
from metrics.models import Activity
from metrics.services import activity_record
from notifications.events import community_group, send_event_on_commit

# Roles a vote can confer. Owners come from owners (see membership_role_change).
ELECTED_ROLES = (Membership.Role.MANAGER, Membership.Role.MODERATOR)
TITLE_MAX_LENGTH = Election._meta.get_field("title").max_length


@transaction.atomic
def election_open(
    *,
    actor,
    community: Community,
    title: str,
    role: str,
    candidates: list,
    closes_at,
    term_ends_at=None,
) -> Election:
    """Open an election for ``role`` (manager or moderator; owner only when ``actor`` is
    an owner) among ``candidates`` (users, active members, at least one; duplicates
    ignored; candidacy order breaks ties). Owners and managers only (NotFound for a
    secret community they are not in, PermissionDenied otherwise).

    ``closes_at`` must be in the future; ``term_ends_at`` after ``closes_at``. Bad input:
    ValidationError with ``field_errors``. Sends ``election.opened`` to the community's
    live group on commit."""
    community_require_visible(user=actor, community=community)
    if not permissions.can_manage(actor, community):
        raise PermissionDenied(_("Only the community's managers can open an election."))
    if community.is_archived:
        raise ValidationError(_("This community is archived."))
    errors: dict[str, list[str]] = {}
    title = (title or "").strip()
    if not title:
        errors["title"] = [_("An election needs a title.")]
    elif len(title) > TITLE_MAX_LENGTH:
        errors["title"] = [_("At most %(max)d characters.") % {"max": TITLE_MAX_LENGTH}]
    actor_is_owner = actor.is_superuser or (
        Membership.objects.filter(
            community=community,
            user=actor,
            status=Membership.Status.ACTIVE,
            role=Membership.Role.OWNER,
        ).exists()
    )
    allowed_roles = (*ELECTED_ROLES, Membership.Role.OWNER) if actor_is_owner else ELECTED_ROLES
    if role not in allowed_roles:
        errors["role"] = [
            _("Choose one of: %(roles)s.") % {"roles": ", ".join(str(r) for r in allowed_roles)}
        ]
    now = timezone.now()
    if closes_at is None or closes_at <= now:
        errors["closes_at"] = [_("The closing date must be in the future.")]
    elif term_ends_at is not None and term_ends_at <= closes_at:
        errors["term_ends_at"] = [_("The term must end after the election closes.")]
    unique_candidates = []
    for candidate in candidates or []:
        if candidate.pk not in {c.pk for c in unique_candidates}:
            unique_candidates.append(candidate)
    if not unique_candidates:
        errors["candidates"] = [_("Name at least one candidate.")]
    else:
        member_ids = set(
            Membership.objects.filter(
                community=community,
                status=Membership.Status.ACTIVE,
                user_id__in=[c.pk for c in unique_candidates],
            ).values_list("user_id", flat=True)
        )
        outsiders = [c for c in unique_candidates if c.pk not in member_ids]
        if outsiders:
            errors["candidates"] = [
                _("%(name)s is not a member of this community.") % {"name": c.get_full_name()}
                for c in outsiders
            ]
    if errors:
        raise ValidationError(_("The election cannot be opened as it is."), field_errors=errors)
    election = Election.objects.create(
        community=community,
        title=title,
        role=role,
        closes_at=closes_at,
        term_ends_at=term_ends_at,
        created_by=actor,
    )
    # One by one, so that ids follow the order of candidacy (the tie-break).
    for candidate in unique_candidates:
        Candidate.objects.create(election=election, user=candidate)
    send_event_on_commit(
        groups=[community_group(community.pk)],
        event_type="election.opened",
        data={
            "election_id": election.pk,
            "community_id": community.pk,
            "title": election.title,
            "role": election.role,
            "closes_at": election.closes_at.isoformat(),
        },
    )
    return election


@transaction.atomic
def election_vote(*, voter, election: Election, candidate) -> None:
    """Cast ``voter``'s secret ballot for ``candidate`` (a :class:`Candidate` of this
    election, or the candidate's user). Active members of the community only
    (NotFound when the community is secret to them, PermissionDenied otherwise).

    Once per member: Conflict. Closed election or closing time passed: ValidationError.
    The election row is locked (``select_for_update``) so that concurrent ballots of
    one member cannot both count; the tally grows with ``F()``. Records ELECTION_VOTED
    (on the election, never the candidate)."""
    locked = Election.objects.select_for_update().select_related("community").get(pk=election.pk)
    community = locked.community
    community_require_visible(user=voter, community=community)
    if not permissions.is_member(voter, community):
        raise PermissionDenied(_("Only members of the community can vote."))
    if locked.status != Election.Status.OPEN or locked.closes_at <= timezone.now():
        raise ValidationError(_("This election is closed."))
    if isinstance(candidate, Candidate):
        candidacy = Candidate.objects.filter(pk=candidate.pk, election=locked).first()
    else:
        candidacy = Candidate.objects.filter(
            election=locked, user_id=getattr(candidate, "pk", None)
        ).first()
    if candidacy is None:
        raise ValidationError(
            _("Vote for one of this election's candidates."),
            field_errors={"candidate": [_("Not a candidate in this election.")]},
        )
    if ElectionVoter.objects.filter(election=locked, user=voter).exists():
        raise Conflict(_("You have already voted in this election."))
    try:
        with transaction.atomic():
            ElectionVoter.objects.create(election=locked, user=voter)
    except IntegrityError:
        raise Conflict(_("You have already voted in this election.")) from None
    Candidate.objects.filter(pk=candidacy.pk).update(vote_count=F("vote_count") + 1)
    activity_record(
        actor=voter, verb=Activity.Verb.ELECTION_VOTED, community=community, target=locked
    )


@transaction.atomic
def election_close(*, election: Election) -> Election:
    """Close ``election`` and give its role to the winner. For the system (the
    ``elections_close_due`` task) and for managers' "close now"; no actor check.

    Winner: the candidate with the most votes who is still an active member; ties go to
    the earliest candidacy. No ballot at all: closed with no winner. The winner gets
    the role as :func:`membership_role_assign` does, but is never demoted by it (a
    manager elected moderator stays manager). Idempotent: an election that is no longer
    open is returned unchanged. The election row is locked. Sends ``election.closed``
    to the community's live group on commit."""
    locked = Election.objects.select_for_update().select_related("community").get(pk=election.pk)
    if locked.status != Election.Status.OPEN:
        return locked
    active_member_ids = Membership.objects.filter(
        community=locked.community, status=Membership.Status.ACTIVE
    ).values("user_id")
    winner = (
        Candidate.objects.filter(election=locked, vote_count__gt=0, user_id__in=active_member_ids)
        .order_by("-vote_count", "id")
        .first()
    )
    locked.status = Election.Status.CLOSED
    locked.closed_at = timezone.now()
    locked.winner_id = winner.user_id if winner is not None else None
    locked.save(update_fields=["status", "closed_at", "winner"])
    if winner is not None:
        membership = Membership.objects.get(community=locked.community, user_id=winner.user_id)
        if ROLE_RANK[locked.role] > ROLE_RANK[membership.role]:
            locked.winner_previous_role = membership.role
            locked.save(update_fields=["winner_previous_role"])
            membership_role_assign(membership=membership, role=locked.role)
    send_event_on_commit(
        groups=[community_group(locked.community_id)],
        event_type="election.closed",
        data={
            "election_id": locked.pk,
            "community_id": locked.community_id,
            "winner_id": locked.winner_id,
            "role": locked.role,
        },
    )
    election.status, election.closed_at = locked.status, locked.closed_at
    election.winner_id = locked.winner_id
    return locked


@transaction.atomic
def election_term_end(*, election: Election) -> Election:
    """End the elected term of ``election``: the winner goes back to the role held before
    the election. For the system (the ``election_terms_end_due`` task); no actor check.

    Only for a closed election whose ``term_ends_at`` has passed. A winner who was not
    promoted by the election, who no longer holds the elected role (a manager changed it
    since) or who is no longer an active member keeps whatever they have. Idempotent: the
    term is marked ended once. The election row is locked."""
    locked = Election.objects.select_for_update().get(pk=election.pk)
    now = timezone.now()
    if (
        locked.status != Election.Status.CLOSED
        or locked.term_ended_at is not None
        or locked.term_ends_at is None
        or locked.term_ends_at > now
    ):
        return locked
    if locked.winner_id and locked.winner_previous_role:
        membership = Membership.objects.filter(
            community_id=locked.community_id,
            user_id=locked.winner_id,
            status=Membership.Status.ACTIVE,
            role=locked.role,
        ).first()
        if membership is not None:
            membership_role_assign(membership=membership, role=locked.winner_previous_role)
    locked.term_ended_at = now
    locked.save(update_fields=["term_ended_at"])
    election.term_ended_at = locked.term_ended_at
    return locked
