"""Support admin: the notification log, the email log and members' notification settings.

Everything here is read-only: support answers "why did (or didn't) I get this email?"
by looking, never by editing (members change their own preferences, the emailer and
the fan-out write the logs). Nothing can be added, changed or deleted, whoever asks.

Who sees what: Django's model permissions (``view_notification``, ``view_emaillog``,
...), granted to the support group; superusers see everything; other staff, and
members who are not staff, are refused by the admin itself.
"""

from django.contrib import admin
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from notifications.models import (
    EmailLog,
    Notification,
    NotificationPreference,
    NotificationSettings,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    """View only: no add, change or delete for anyone (Django's view permission decides
    who sees the model)."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class _IsSetFilter(admin.SimpleListFilter):
    """Filter on whether a date field is set ("yes") or not ("no")."""

    field: str
    labels: tuple

    def lookups(self, request, model_admin):
        return [("yes", self.labels[0]), ("no", self.labels[1])]

    def queryset(self, request, queryset: QuerySet) -> QuerySet:
        if self.value() in ("yes", "no"):
            return queryset.filter(**{f"{self.field}__isnull": self.value() == "no"})
        return queryset


class ReadFilter(_IsSetFilter):
    title = _("read")
    parameter_name = "read"
    field = "read_at"
    labels = (_("Read"), _("Unread"))


class EmailedFilter(_IsSetFilter):
    title = _("emailed")
    parameter_name = "emailed"
    field = "emailed_at"
    labels = (_("Emailed"), _("Not emailed"))


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ["recipient", "kind", "delivery", "created_at", "read_at", "emailed_at"]
    list_filter = ["kind", "delivery", ReadFilter, EmailedFilter]
    list_select_related = ["recipient"]
    search_fields = ["recipient__email"]
    date_hierarchy = "created_at"
    fields = [
        "recipient",
        "kind",
        "delivery",
        "actor",
        "actor_count",
        "community",
        "post",
        "comment",
        "conversation",
        "data",
        "group_key",
        "created_at",
        "updated_at",
        "read_at",
        "emailed_at",
        "email",
    ]
    readonly_fields = fields


class CarriedNotificationInline(admin.TabularInline):
    """The notifications an email carried."""

    model = Notification
    fk_name = "email"
    fields = ["kind", "delivery", "created_at", "updated_at", "read_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True
    verbose_name = _("notification carried")
    verbose_name_plural = _("notifications carried")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(EmailLog)
class EmailLogAdmin(ReadOnlyAdmin):
    list_display = [
        "sent_at",
        "recipient",
        "category",
        "subject",
        "notification_count",
        "post_count",
    ]
    list_filter = ["category"]
    list_select_related = ["recipient"]
    search_fields = ["recipient__email", "subject"]
    date_hierarchy = "sent_at"
    fields = ["recipient", "category", "subject", "notification_count", "post_count", "sent_at"]
    readonly_fields = fields
    inlines = [CarriedNotificationInline]


@admin.register(NotificationSettings)
class NotificationSettingsAdmin(ReadOnlyAdmin):
    list_display = [
        "user",
        "email_enabled",
        "digest_frequency",
        "quiet_hours_start",
        "quiet_hours_end",
        "quiet_weekends",
        "last_digest_at",
    ]
    list_filter = ["email_enabled", "digest_frequency", "quiet_weekends"]
    list_select_related = ["user"]
    search_fields = ["user__email"]
    fields = [
        "user",
        "email_enabled",
        "digest_frequency",
        "quiet_hours_start",
        "quiet_hours_end",
        "quiet_weekends",
        "last_digest_at",
        "updated_at",
    ]
    readonly_fields = fields


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(ReadOnlyAdmin):
    list_display = ["user", "kind", "delivery"]
    list_filter = ["kind", "delivery"]
    list_select_related = ["user"]
    search_fields = ["user__email"]
    fields = readonly_fields = ["user", "kind", "delivery"]
