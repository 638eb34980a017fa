"""Browser pages of announcements that require acknowledgement: acknowledging (from the
banner, the list of pending announcements or the post page), the list itself, and the
managers' acknowledgement report with its "Send a reminder" button.

Thin: a selector reads, a service writes. htmx requests get the fragment that replaces
the pressed button; plain form posts are redirected back with a message. Refusals the
views do not handle themselves are answered by :func:`communities.views.member_view`
(404, 403, or a message on the page the member came from).
"""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from communities.views import is_htmx, member_view
from config.errors import Conflict, RateLimited, ValidationError
from notifications.selectors.announcements import (
    acknowledgement_of,
    acknowledgement_report,
    announcement_get_for,
    announcements_pending_for,
)
from notifications.services.announcements import announcement_acknowledge, announcement_remind

REPORT_PAGE_SIZE = 50
LIST_PAGE_SIZE = 20


def _back(request: HttpRequest, fallback: str) -> str:
    """``next`` when it is a page of this site, else ``fallback``."""
    candidate = request.POST.get("next")
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return fallback


@member_view
def announcement_list(request: HttpRequest) -> HttpResponse:
    """Every announcement the member still has to acknowledge, newest first."""
    page = Paginator(announcements_pending_for(request.user), LIST_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "notifications/announcements/list.html", {"page": page})


@require_POST
@member_view
def announcement_acknowledge_view(request: HttpRequest, post_id: int) -> HttpResponse:
    """The member acknowledges an announcement. Acknowledging again is not an error for
    them to fix: htmx gets the acknowledged state (409), a plain post a notice."""
    post = announcement_get_for(user=request.user, post_id=post_id)
    already = None
    try:
        acknowledgement = announcement_acknowledge(user=request.user, post=post)
    except Conflict as refusal:
        already = refusal.message
        acknowledgement = acknowledgement_of(user=request.user, post=post)
    if is_htmx(request):
        place = "post" if request.POST.get("place") == "post" else "pending"
        return render(
            request,
            "notifications/announcements/acknowledged.html",
            {"post": post, "acknowledgement": acknowledgement, "place": place},
            status=409 if already else 200,
        )
    if already:
        messages.info(request, already)
    else:
        messages.success(
            request, _("Thank you: “%(title)s” is acknowledged.") % {"title": post.title}
        )
    return redirect(_back(request, reverse("communities:post", args=[post.pk])))


@member_view
def announcement_report_view(request: HttpRequest, post_id: int) -> HttpResponse:
    """Managers: the acknowledgement rate, who has not acknowledged (paginated), the
    reminders sent and the button to send one."""
    post = announcement_get_for(user=request.user, post_id=post_id)
    report = acknowledgement_report(user=request.user, post=post)
    page = Paginator(report.pending, REPORT_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "notifications/announcements/report.html",
        {
            "post": post,
            "community": post.community,
            "report": report,
            "page": page,
            "reminders": list(report.reminders),
        },
    )


@require_POST
@member_view
def announcement_remind_view(request: HttpRequest, post_id: int) -> HttpResponse:
    """Managers: remind the members who have not acknowledged, back to the report."""
    post = announcement_get_for(user=request.user, post_id=post_id)
    report_url = reverse("notifications:announcement-report", args=[post.pk])
    try:
        reminder = announcement_remind(actor=request.user, post=post)
    except (ValidationError, RateLimited) as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(
            request,
            ngettext(
                "Reminder sent to %(count)d member.",
                "Reminder sent to %(count)d members.",
                reminder.recipient_count,
            )
            % {"count": reminder.recipient_count},
        )
    return redirect(report_url)


urlpatterns = [
    path("announcements/", announcement_list, name="announcements"),
    path(
        "announcements/<int:post_id>/acknowledge/",
        announcement_acknowledge_view,
        name="announcement-acknowledge",
    ),
    path(
        "announcements/<int:post_id>/acknowledgements/",
        announcement_report_view,
        name="announcement-report",
    ),
    path(
        "announcements/<int:post_id>/remind/",
        announcement_remind_view,
        name="announcement-remind",
    ),
]
