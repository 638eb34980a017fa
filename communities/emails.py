"""Emails of the communities app: the invitations, sent by a Celery task that
:mod:`communities.services.invitations` queues once its transaction commits.

Below the services (it reads rows, calls no service), so that they can queue it;
:mod:`communities.tasks` registers it with the app's other tasks under its historical
name.
"""

from urllib.parse import urlencode

from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse

from communities.models import Invitation
from config.links import absolute_url


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


@shared_task(name="communities.tasks.invitation_emails_send")
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


__all__ = ["invitation_emails_send"]
