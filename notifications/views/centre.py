"""The notification centre in the browser: the list with its filters, opening a
notification, marking one or all read.

A member only ever sees their own notifications: another member's notification answers
404 like one that does not exist. htmx requests (``HX-Request``) get the fragment to swap
(a row, or the list) with the bell's new count out of band; plain form posts are
redirected back.
"""

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from communities.views import _safe_back, is_htmx, member_view
from notifications.preference_forms import CentreFilterForm, MarkReadForm
from notifications.rendering import notification_text, notification_url
from notifications.selectors.notifications import (
    notification_get_for,
    notification_list_for,
    unread_count,
)
from notifications.services.centre import notifications_mark_read

PAGE_SIZE = 20


def member_zone(user) -> ZoneInfo:
    """The member's time zone (UTC when it is unknown)."""
    try:
        return ZoneInfo(user.time_zone or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def _row(notification, user) -> dict:
    return {
        "notification": notification,
        "text": notification_text(notification, time_zone=user.time_zone),
    }


def _filter_params(form: CentreFilterForm) -> QueryDict:
    """The valid filters, for the links of the pages and the "mark all" form."""
    params = QueryDict(mutable=True)
    if form.is_bound and form.is_valid():
        for name in ("show", "kind"):
            if form.cleaned_data.get(name):
                params[name] = form.cleaned_data[name]
    return params


def _list_context(request: HttpRequest, form: CentreFilterForm, page_number=None) -> dict:
    notifications = notification_list_for(user=request.user, **form.filters())
    page = Paginator(notifications, PAGE_SIZE).get_page(page_number)
    return {
        "form": form,
        "page": page,
        "rows": [_row(notification, request.user) for notification in page.object_list],
        "filter_params": _filter_params(form),
        "unread_total": unread_count(user=request.user),
        "zone": member_zone(request.user),
    }


@member_view
def centre(request: HttpRequest) -> HttpResponse:
    """The member's notifications, latest activity first, filtered by read state and
    kind, twenty per page."""
    form = CentreFilterForm(request.GET or None)
    context = _list_context(request, form, request.GET.get("page"))
    return render(request, "notifications/centre/centre.html", context)


@member_view
def open_notification(request: HttpRequest, notification_id: int) -> HttpResponse:
    """Mark the notification read and go to its object."""
    notification = notification_get_for(user=request.user, notification_id=notification_id)
    if not notification.is_read:
        notifications_mark_read(user=request.user, ids=[notification.pk])
    return redirect(notification_url(notification))


@require_POST
@member_view
def mark_read(request: HttpRequest) -> HttpResponse:
    """Mark one notification (``id``) or all of them (``all``) read."""
    form = MarkReadForm(request.POST)
    if not form.is_valid():
        message = " ".join(str(error) for errors in form.errors.values() for error in errors)
        if is_htmx(request):
            return render(
                request, "communities/partials/error.html", {"message": message}, status=400
            )
        messages.error(request, message)
        return redirect(_safe_back(request, reverse("notifications:centre")))

    if form.cleaned_data["all"]:
        marked = notifications_mark_read(user=request.user, all_unread=True)
        notice = ngettext(
            "%(count)d notification marked read.", "%(count)d notifications marked read.", marked
        ) % {"count": marked}
        if marked == 0:
            notice = _("Everything was already read.")
        if is_htmx(request):
            filters = CentreFilterForm(request.POST)
            context = {**_list_context(request, filters), "notice": notice}
            return render(request, "notifications/centre/list_response.html", context)
    else:
        notification = notification_get_for(
            user=request.user, notification_id=form.cleaned_data["id"]
        )
        notifications_mark_read(user=request.user, ids=[notification.pk])
        notice = _("Marked read.")
        if is_htmx(request):
            notification.refresh_from_db(fields=["read_at"])
            context = {
                "row": _row(notification, request.user),
                "zone": member_zone(request.user),
                "unread_total": unread_count(user=request.user),
                "notice": notice,
            }
            return render(request, "notifications/centre/row_response.html", context)
    messages.success(request, notice)
    return redirect(_safe_back(request, reverse("notifications:centre")))


urlpatterns = [
    path("notifications/", centre, name="centre"),
    path("notifications/read/", mark_read, name="mark-read"),
    path("notifications/<int:notification_id>/open/", open_notification, name="open"),
]
