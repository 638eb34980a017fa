"""Writes for polls: one ballot per member, options counted with F() expressions."""

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from communities.models import Poll, PollBallot, PollOption
from communities.services.posts import post_participation_check
from config.errors import Conflict, ValidationError
from metrics.models import Activity
from metrics.services import activity_record


@transaction.atomic
def poll_vote(*, voter, poll: Poll, option_ids: list[int]) -> PollBallot:
    """Vote in ``poll`` for ``option_ids``.

    - whoever may read the poll's post and is not banned (NotFound / PermissionDenied);
    - once: a second ballot is a Conflict (the first one stands);
    - a closed poll or an archived community: ValidationError;
    - single choice: exactly one option; multiple choice: at least one; every option must
      belong to this poll (ValidationError with field_errors {"option_ids": [...]}).

    Adds one to each chosen option's ``vote_count`` and logs POLL_VOTED.
    """
    post_participation_check(user=voter, post=poll.post)
    if poll.closes_at is not None and poll.closes_at <= timezone.now():
        raise ValidationError(_("This poll is closed."))
    if PollBallot.objects.filter(poll=poll, voter=voter).exists():
        raise Conflict(_("You already voted in this poll."))
    try:
        wanted = list(dict.fromkeys(int(option_id) for option_id in option_ids or []))
    except (TypeError, ValueError):
        wanted = None
    error = None
    if not wanted:
        error = _("Choose an option.")
    elif not poll.allows_multiple and len(wanted) != 1:
        error = _("This poll takes a single choice.")
    else:
        options = list(PollOption.objects.filter(poll=poll, pk__in=wanted))
        if len(options) != len(wanted):
            error = _("Choose among the options of this poll.")
    if error:
        raise ValidationError(error, field_errors={"option_ids": [error]})
    try:
        with transaction.atomic():
            ballot = PollBallot.objects.create(poll=poll, voter=voter)
    except IntegrityError:
        raise Conflict(_("You already voted in this poll.")) from None
    ballot.options.set(options)
    PollOption.objects.filter(pk__in=wanted).update(vote_count=F("vote_count") + 1)
    activity_record(
        actor=voter,
        verb=Activity.Verb.POLL_VOTED,
        community=poll.post.community_id,
        target=poll,
        subject=poll.post.author_id,
    )
    return ballot
