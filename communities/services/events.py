"""Writes for event RSVPs: yes / maybe / no, with a capacity and a waiting list."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from communities.models import Event, Rsvp
from communities.services.posts import post_participation_check
from config.errors import ValidationError
from metrics.models import Activity
from metrics.services import activity_record
from notifications.events import send_event_on_commit, user_group


def _confirmed_count(event: Event) -> int:
    return event.rsvps.filter(answer=Rsvp.Answer.YES, is_waitlisted=False).count()


@transaction.atomic
def rsvp_set(*, user, event: Event, answer: str) -> Rsvp:
    """Answer ``event`` for ``user`` ("yes", "maybe" or "no"); changing one's mind is
    allowed until the event is over.

    - "yes" while every seat is taken puts the member on the waiting list:
      ``rsvp.is_waitlisted`` is True (a member already holding a seat keeps it);
    - a seat freed (a confirmed "yes" becoming "maybe"/"no") goes to the first member
      on the waiting list, who gets ``rsvp.promoted`` on their user group on commit;
    - a finished event, an unknown answer or an archived community: ValidationError;
      NotFound / PermissionDenied as for reading and participating in the post.

    Logs RSVP when the answer changes.
    """
    if answer not in Rsvp.Answer.values:
        raise ValidationError(
            _("Unknown answer."), field_errors={"answer": [_("Choose yes, maybe or no.")]}
        )
    post_participation_check(user=user, post=event.post)
    # Lock the event row so that two last-seat answers cannot both get the seat.
    event = Event.objects.select_for_update().get(pk=event.pk)
    if event.ends_at <= timezone.now():
        raise ValidationError(_("This event is over."))
    rsvp = Rsvp.objects.filter(event=event, user=user).first()
    had_seat = rsvp is not None and rsvp.answer == Rsvp.Answer.YES and not rsvp.is_waitlisted
    if rsvp is not None and rsvp.answer == answer:
        return rsvp
    waitlisted = False
    if answer == Rsvp.Answer.YES and not had_seat and event.capacity is not None:
        waitlisted = _confirmed_count(event) >= event.capacity
    if rsvp is None:
        rsvp = Rsvp.objects.create(event=event, user=user, answer=answer, is_waitlisted=waitlisted)
    else:
        rsvp.answer, rsvp.is_waitlisted = answer, waitlisted
        rsvp.save(update_fields=["answer", "is_waitlisted", "updated_at"])
    activity_record(
        actor=user,
        verb=Activity.Verb.RSVP,
        community=event.post.community_id,
        target=event,
        subject=event.post.author_id,
    )
    if had_seat and answer != Rsvp.Answer.YES:
        _promote_waitlisted(event)
    return rsvp


def _promote_waitlisted(event: Event) -> None:
    """Give freed seats to the waiting list, first come first served."""
    if event.capacity is None:
        return
    free = event.capacity - _confirmed_count(event)
    if free <= 0:
        return
    promoted = list(
        event.rsvps.filter(answer=Rsvp.Answer.YES, is_waitlisted=True).order_by("updated_at", "id")[
            :free
        ]
    )
    for rsvp in promoted:
        rsvp.is_waitlisted = False
        rsvp.save(update_fields=["is_waitlisted", "updated_at"])
        send_event_on_commit(
            groups=[user_group(rsvp.user_id)],
            event_type="rsvp.promoted",
            data={"event_id": event.pk, "post_id": event.post_id},
        )
