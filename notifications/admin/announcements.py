"""Announcements in the admin of community managers, with their acknowledgement reports.

Scoped like the communities admin (:class:`communities.admin.CommunityScopedAdmin`): a
community manager sees the announcements of the communities they run, superusers all
of them; anything else answers 404. Announcements are read-only here (their authors
write them); the report shows who acknowledged and who has not, and "Send a reminder"
(an action on the list, a button on the page) calls
:func:`notifications.services.announcements.announcement_remind`, with its rules (at
most one reminder per ``CERCLE_ANNOUNCEMENT_REMINDER_HOURS``, nobody left to remind).
"""

from django.contrib import admin, messages
from django.http import HttpResponseNotAllowed, HttpResponseRedirect
from django.urls import path, reverse
from django.utils.translation import gettext, ngettext, ngettext_lazy
from django.utils.translation import gettext_lazy as _

from communities.admin import ReadOnlyContentAdmin
from config.errors import DomainError
from notifications.models import Announcement
from notifications.selectors.announcements import (
    acknowledgement_rate,
    acknowledgement_report,
    announcements_with_acknowledgement_counts,
)
from notifications.services.announcements import announcement_remind

# How many people of each list the page shows (the full pending list is in the app).
REPORT_LIST_SIZE = 100


@admin.register(Announcement)
class AnnouncementAdmin(ReadOnlyContentAdmin):
    list_display = [
        "title",
        "community",
        "created_at",
        "requires_acknowledgement",
        "acknowledged_column",
        "rate_column",
    ]
    list_filter = [
        "requires_acknowledgement",
        ("community", admin.RelatedOnlyFieldListFilter),
    ]
    search_fields = ["title", "body", "author__email", "author__display_name"]
    list_select_related = ["community"]
    ordering = ["-created_at", "-id"]
    fields = [
        "community",
        "author",
        "title",
        "body",
        "requires_acknowledgement",
        "is_hidden",
        "created_at",
    ]
    readonly_fields = fields
    actions = ["send_reminders"]
    change_form_template = "notifications/announcements/admin_change_form.html"

    def get_queryset(self, request):
        return announcements_with_acknowledgement_counts(super().get_queryset(request))

    @admin.display(description=_("acknowledged"), ordering="acknowledged_count")
    def acknowledged_column(self, obj):
        if not obj.requires_acknowledgement:
            return "—"
        return gettext("%(done)d of %(members)d") % {
            "done": obj.acknowledged_count,
            "members": obj.member_count,
        }

    @admin.display(description=_("rate"))
    def rate_column(self, obj):
        if not obj.requires_acknowledgement:
            return "—"
        rate = acknowledgement_rate(
            member_count=obj.member_count, acknowledged_count=obj.acknowledged_count
        )
        return f"{rate}%"

    # -- reminders -------------------------------------------------------------------

    @admin.action(
        description=_("Send a reminder to who has not acknowledged"), permissions=["manage"]
    )
    def send_reminders(self, request, queryset):
        self.run_action(
            request,
            queryset,
            lambda post: announcement_remind(actor=request.user, post=post),
            done=ngettext_lazy(
                "Reminder sent for %(count)d announcement.",
                "Reminders sent for %(count)d announcements.",
                "count",
            ),
        )

    def get_urls(self):
        remind = path(
            "<path:object_id>/remind/",
            self.admin_site.admin_view(self.remind_view),
            name="notifications_announcement_remind",
        )
        return [remind, *super().get_urls()]

    def remind_view(self, request, object_id):
        """The page's "Send a reminder" button (POST), back to the page with a message."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        announcement = self.get_object(request, object_id)
        if not self.has_manage_permission(request):
            return HttpResponseRedirect(reverse("admin:index"))
        try:
            reminder = announcement_remind(actor=request.user, post=announcement)
        except DomainError as error:
            self.message_user(request, error.message, messages.ERROR)
        else:
            self.message_user(
                request,
                ngettext(
                    "Reminder sent to %(count)d member.",
                    "Reminder sent to %(count)d members.",
                    reminder.recipient_count,
                )
                % {"count": reminder.recipient_count},
                messages.SUCCESS,
            )
        return HttpResponseRedirect(
            reverse("admin:notifications_announcement_change", args=[announcement.pk])
        )

    # -- the report on the page --------------------------------------------------------

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = dict(extra_context or {})
        announcement = self.get_object(request, object_id)
        if announcement.requires_acknowledgement:
            try:
                report = acknowledgement_report(user=request.user, post=announcement)
            except DomainError as error:
                extra_context["report_refused"] = error.message
            else:
                extra_context.update(
                    report=report,
                    report_pending=list(report.pending[:REPORT_LIST_SIZE]),
                    report_acknowledged=list(report.acknowledged[:REPORT_LIST_SIZE]),
                    report_reminders=list(report.reminders),
                    report_list_size=REPORT_LIST_SIZE,
                    remind_url=reverse(
                        "admin:notifications_announcement_remind", args=[announcement.pk]
                    ),
                    app_report_url=reverse(
                        "notifications:announcement-report", args=[announcement.pk]
                    ),
                )
        return super().change_view(request, object_id, form_url, extra_context)
