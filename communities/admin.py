from django.contrib import admin

from communities.models import Community, Membership, Post


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]
    fields = ["user", "role", "status", "joined_at"]
    readonly_fields = ["joined_at"]


@admin.register(Community)
class CommunityAdmin(admin.ModelAdmin):
    list_display = ["name", "visibility", "join_policy", "parent", "is_archived", "created_at"]
    list_filter = ["visibility", "join_policy", "is_archived"]
    search_fields = ["name", "slug", "description"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [MembershipInline]
    list_select_related = ["parent"]


@admin.register(Post)
class PostAdmin(admin.ModelAdmin):
    list_display = ["title", "community", "author", "kind", "is_hidden", "created_at"]
    list_filter = ["kind", "is_hidden", "community"]
    search_fields = ["title", "body", "author__email"]
    list_select_related = ["community", "author"]
    readonly_fields = ["body_html"]
    raw_id_fields = ["author"]
