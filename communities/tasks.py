"""Background work for communities: invitation emails and closing due elections.

Tasks take ids and plain values, never ORM instances, and are queued by services once
their transaction commits (or by Celery beat, see ``CELERY_BEAT_SCHEDULE``).
"""

import logging
from urllib.parse import urlencode

from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from communities.models import Election, Invitation
from config.links import absolute_url

logger = logging.getLogger(__name__)


def _community_path(slug: str) -> str:
    try:
        return reverse("communities:detail", kwargs={"slug": slug})
    except NoReverseMatch:
        # The browser pages are not mounted (e.g. an API-only deployment): same address.
        return f"/communities/{slug}/"


def _invitation_message(invitation: Invitation) -> EmailMultiAlternatives:
    community_path = _community_path(invitation.community.slug)
    if invitation.invitee_id is not None:
        link = absolute_url(community_path)
    else:
        query = urlencode({"email": invitation.email, "next": community_path})
        link = absolute_url(f"{reverse('account_signup')}?{query}")
    context = {
        "invitation": invitation,
        "community": invitation.community,
        "inviter": invitation.invited_by,
        "has_account": invitation.invitee_id is not None,
        "link": link,
        "site_name": settings.SITE_NAME,
    }
    subject = " ".join(
        render_to_string("communities/email/invitation_subject.txt", context).split()
    )
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string("communities/email/invitation_body.txt", context),
        to=[invitation.email],
    )
    message.attach_alternative(
        render_to_string("communities/email/invitation_body.html", context), "text/html"
    )
    return message


@shared_task
def invitation_emails_send(invitation_ids: list[int]) -> int:
    """Email each still-pending invitation among ``invitation_ids``; returns how many went."""
    invitations = Invitation.objects.filter(
        pk__in=invitation_ids, status=Invitation.Status.PENDING
    ).select_related("community", "invited_by")
    messages = [_invitation_message(invitation) for invitation in invitations]
    if not messages:
        return 0
    with get_connection() as connection:
        return connection.send_messages(messages) or 0


@shared_task
def elections_close_due() -> int:
    """Close every open election whose closing time has passed; returns how many closed.

    Each election closes in its own transaction, so one failure does not hold the rest."""
    from communities.services.elections import election_close

    due = Election.objects.filter(status=Election.Status.OPEN, closes_at__lte=timezone.now())
    closed = 0
    for election in due.order_by("closes_at", "id"):
        try:
            election_close(election=election)
        except Exception:
            logger.exception("Could not close election %s", election.pk)
            continue
        closed += 1
    return closed


@shared_task
def election_terms_end_due() -> int:
    """Give winners their previous role back when their elected term has ended; returns
    how many terms ended."""
    from communities.services.elections import election_term_end

    due = Election.objects.filter(
        status=Election.Status.CLOSED, term_ended_at__isnull=True, term_ends_at__lte=timezone.now()
    )
    ended = 0
    for election in due.order_by("term_ends_at", "id"):
        try:
            election_term_end(election=election)
        except Exception:
            logger.exception("Could not end the term of election %s", election.pk)
            continue
        ended += 1
    return ended
