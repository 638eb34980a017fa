from django.contrib import admin

from metrics.models import Activity


@admin.register(Activity)
class ActivityAdmin(admin.ModelAdmin):
    """Read-only: the activity log is append-only."""

    list_display = [
        "created_at",
        "actor",
        "verb",
        "subject",
        "community",
        "object_type",
        "object_id",
    ]
    list_filter = ["verb", "community"]
    list_select_related = ["actor", "subject", "community"]
    date_hierarchy = "created_at"
    search_fields = ["actor__email", "actor__display_name"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
