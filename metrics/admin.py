from django.contrib import admin, messages
from django.utils.timesince import timesince
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from metrics.models import Activity, CommunityDay, MemberDay, RollupState
from metrics.selectors import rollups_lag


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


class ReadOnlyAdmin(admin.ModelAdmin):
    """The rollups are written by their fill only (:mod:`metrics.rollups`)."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class RollupLagWarningMixin:
    """Lists of rollups warn, above the rows, when a rollup is behind the log."""

    def changelist_view(self, request, extra_context=None):
        for lag in rollups_lag():
            if lag.is_lagging:
                messages.warning(
                    request,
                    _(
                        "The %(rollup)s rollup is %(lag)s behind the activity log "
                        "(counted through %(through)s UTC): check that the Celery beat "
                        "task metrics.tasks.rollups_update runs."
                    )
                    % {
                        "rollup": lag.label,
                        "lag": timesince(lag.counted_through),
                        "through": f"{lag.counted_through:%Y-%m-%d %H:%M}",
                    },
                )
        return super().changelist_view(request, extra_context)


@admin.register(MemberDay)
class MemberDayAdmin(RollupLagWarningMixin, ReadOnlyAdmin):
    list_display = [
        "day",
        "user",
        "community",
        "posts",
        "comments",
        "replies_to_others",
        "replies_received",
        "reactions_given",
        "kudos_received",
        "reads",
        "visits",
    ]
    list_filter = ["community"]
    list_select_related = ["user", "community"]
    date_hierarchy = "day"
    search_fields = ["user__email", "user__display_name"]


@admin.register(CommunityDay)
class CommunityDayAdmin(RollupLagWarningMixin, ReadOnlyAdmin):
    list_display = [
        "day",
        "community",
        "active_members",
        "new_members",
        "content",
        "median_first_reply_seconds",
    ]
    list_filter = ["community"]
    list_select_related = ["community"]
    date_hierarchy = "day"


@admin.register(RollupState)
class RollupStateAdmin(RollupLagWarningMixin, ReadOnlyAdmin):
    list_display = ["name", "status", "filled_through", "lag", "started_at", "finished_at"]

    @admin.display(description=gettext_lazy("behind by"))
    def lag(self, obj):
        return timesince(obj.filled_through)
