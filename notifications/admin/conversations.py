"""Conversations in the admin: superusers only, read-only.

Private conversations are readable by their participants and, for support and legal
requests, by superusers here; staff users (community managers included) do not see
this model at all: every permission answers False for them, so the admin index hides
it and its pages answer 403. Nothing can be added, changed or deleted from here.
"""

from django.contrib import admin
from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from notifications.models import Conversation, ConversationMember, Message


class SuperuserReadOnlyMixin:
    """Visible to superusers, read-only for them, absent for everybody else."""

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ConversationMemberInline(SuperuserReadOnlyMixin, admin.TabularInline):
    model = ConversationMember
    fields = ["user", "joined_at", "left_at", "last_read_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    verbose_name = _("participant")
    verbose_name_plural = _("participants")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("user")


class MessageInline(SuperuserReadOnlyMixin, admin.TabularInline):
    model = Message
    fields = ["created_at", "author", "body"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    ordering = ["created_at", "id"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("author")


@admin.register(Conversation)
class ConversationAdmin(SuperuserReadOnlyMixin, admin.ModelAdmin):
    list_display = ["__str__", "is_group", "created_by", "people", "created_at", "last_message_at"]
    list_filter = ["is_group"]
    search_fields = ["title", "participants__user__email", "participants__user__display_name"]
    date_hierarchy = "last_message_at"
    fields = ["title", "is_group", "created_by", "created_at", "last_message_at"]
    readonly_fields = fields
    inlines = [ConversationMemberInline, MessageInline]
    list_select_related = ["created_by"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                active_people=Count(
                    "participants", filter=Q(participants__left_at__isnull=True), distinct=True
                )
            )
        )

    @admin.display(description=_("people"), ordering="active_people")
    def people(self, conversation) -> int:
        return conversation.active_people
