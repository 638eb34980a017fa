"""The admin of community managers (CMs): communities, members, content, flags, elections.

Who sees what
-------------
- Superusers see and act on everything.
- A *community manager* is an active staff user (``is_staff``) who is the active owner
  or manager (``Membership.MANAGING_ROLES``) of at least one community. In this admin
  they see and act on ONLY those communities and what belongs to them: memberships,
  invitations, posts, comments, flags and elections. Everything else answers 404, as
  if it did not exist (a secret community must not leak through the admin either).
- A staff user who manages no community does not see these models at all. Django
  model permissions (groups, user permissions) are deliberately NOT consulted for
  non-superusers: the community role is the single source of truth, so demoting a
  manager in the community removes their admin reach at once, with nothing to sync.

How a CM gets access
--------------------
Make them owner or manager of their community (membership list, "Make manager"), and
have a superuser tick "Staff status" on their member page (Members admin). No group,
permission row or migration is involved.

Every change goes through ``communities.services``: the admin forms and actions call the
same functions as the browser and the API, so rules, the activity log and emails sent
on commit are the same. A refused operation (a domain error) is shown as a form error
or an error message, never a server error. Nothing is deleted from this admin:
communities are archived, members banned, content hidden.
"""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db import transaction
from django.db.models import Count, Q
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.text import Truncator
from django.utils.translation import gettext, ngettext, ngettext_lazy
from django.utils.translation import gettext_lazy as _

from communities.admin_forms import (
    BulkInviteForm,
    CommunityForm,
    ElectionOpenForm,
    MembershipAddForm,
    MembershipRoleForm,
)
from communities.models import (
    Comment,
    Community,
    Election,
    Flag,
    Invitation,
    Membership,
    Post,
)
from communities.selectors.posts import moderation_queue
from communities.services import comments as comment_services
from communities.services import communities as community_services
from communities.services import elections as election_services
from communities.services import invitations as invitation_services
from communities.services import memberships as membership_services
from communities.services import moderation as moderation_services
from communities.services import posts as post_services
from config.errors import DomainError
from profiles.models import User

# ---------------------------------------------------------------------------------------
# Scope: which communities the requesting user manages
# ---------------------------------------------------------------------------------------

_SCOPE_CACHE_ATTRIBUTE = "_cercle_managed_community_ids"


def managed_community_ids(request) -> frozenset[int]:
    """Ids of the communities ``request.user`` runs as an active owner or manager.

    Empty for inactive or non-staff users. Cached on the request: one query per page.
    """
    cached = getattr(request, _SCOPE_CACHE_ATTRIBUTE, None)
    if cached is None:
        user = request.user
        if not (user.is_authenticated and user.is_active and user.is_staff):
            cached = frozenset()
        else:
            cached = frozenset(
                Membership.objects.filter(
                    user_id=user.pk,
                    status=Membership.Status.ACTIVE,
                    role__in=Membership.MANAGING_ROLES,
                ).values_list("community_id", flat=True)
            )
        setattr(request, _SCOPE_CACHE_ATTRIBUTE, cached)
    return cached


def forget_managed_community_ids(request) -> None:
    """Drop the cached scope (after the user created a community, for instance)."""
    if hasattr(request, _SCOPE_CACHE_ATTRIBUTE):
        delattr(request, _SCOPE_CACHE_ATTRIBUTE)


def managed_communities(request):
    """The communities the requesting user may pick in a form."""
    if request.user.is_superuser:
        return Community.objects.all()
    return Community.objects.filter(pk__in=managed_community_ids(request))


def _adopt(target, source) -> None:
    """Copy the saved state of ``source`` (returned by a service) onto ``target`` (the
    admin form's instance), so that the admin's log and redirect use the real row."""
    for field in source._meta.concrete_fields:
        setattr(target, field.attname, getattr(source, field.attname))
    target._state.adding = False


def _add_domain_error(form, error: DomainError, *, field_aliases=None) -> None:
    """Show a service's refusal on ``form``: its field errors on the matching fields
    (renamed through ``field_aliases``), the rest and its message as form-wide errors."""
    field_aliases = field_aliases or {}
    field_messages = []
    for field, errors in (error.field_errors or {}).items():
        field = field_aliases.get(field, field)
        for message in errors if isinstance(errors, list | tuple) else [errors]:
            form.add_error(field if field in form.fields else None, str(message))
            field_messages.append(str(message))
    if error.message not in field_messages:
        form.add_error(None, error.message)


class CommunityScopedAdmin(admin.ModelAdmin):
    """Limits an admin to the communities the requesting user manages.

    ``community_lookup`` is the ORM path from the model to its Community;
    :meth:`community_id_of` returns it for one object.
    """

    community_lookup = "community"
    # Fields whose choices are limited to the managed communities.
    community_fields = ("community",)

    def community_id_of(self, obj) -> int:
        return obj.community_id

    # -- querysets ---------------------------------------------------------------------

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        return queryset.filter(**{f"{self.community_lookup}__in": managed_community_ids(request)})

    def get_object(self, request, object_id, from_field=None):
        # Out of scope looks exactly like missing: 404, never a hint that it exists.
        obj = super().get_object(request, object_id, from_field)
        if obj is None:
            raise Http404(gettext("This object does not exist."))
        return obj

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name in self.community_fields:
            kwargs["queryset"] = managed_communities(request)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    # -- permissions -------------------------------------------------------------------

    def manages(self, request, obj=None) -> bool:
        """The user manages ``obj``'s community (or, without ``obj``, some community)."""
        if request.user.is_superuser:
            return True
        ids = managed_community_ids(request)
        if obj is None:
            return bool(ids)
        return self.community_id_of(obj) in ids

    def has_module_permission(self, request):
        return self.manages(request)

    def has_view_permission(self, request, obj=None):
        return self.manages(request, obj)

    def has_change_permission(self, request, obj=None):
        return self.manages(request, obj)

    def has_add_permission(self, request):
        return self.manages(request)

    def has_delete_permission(self, request, obj=None):
        # Nothing is deleted here: archive, ban or hide through the services instead.
        return False

    def has_manage_permission(self, request):
        """Permission of the bulk actions (``allowed_permissions=("manage",)``)."""
        return self.manages(request)

    # -- service calls -----------------------------------------------------------------

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        """Run the admin's form view; when a service refuses the save, the transaction
        is rolled back and the same form is shown again with the refusal on it."""
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except DomainError as error:
            if request.method != "POST" or getattr(request, "_cercle_domain_error", None):
                raise
            request._cercle_domain_error = error
            for upload in request.FILES.values():
                upload.seek(0)  # the first pass read them
            return super().changeform_view(request, object_id, form_url, extra_context)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form_class = super().get_form(request, obj, change, **kwargs)
        error = getattr(request, "_cercle_domain_error", None)
        if error is None:
            return form_class

        class RefusedForm(form_class):
            def clean(self):
                cleaned = super().clean()
                _add_domain_error(self, error)
                return cleaned

        return RefusedForm

    def run_action(self, request, queryset, call, *, done) -> None:
        """Call ``call(obj)`` (a service) on each selected object, each in its own
        transaction; report how many succeeded (``done``: a plural message keyed on
        ``count``) and, one by one, what was refused."""
        succeeded = refused = 0
        for obj in queryset:
            try:
                with transaction.atomic():
                    call(obj)
            except DomainError as error:
                refused += 1
                self.message_user(
                    request,
                    gettext("%(object)s: %(reason)s") % {"object": obj, "reason": error.message},
                    messages.ERROR,
                )
            else:
                succeeded += 1
        if succeeded:
            self.message_user(request, done % {"count": succeeded}, messages.SUCCESS)
        elif not refused:
            self.message_user(
                request, gettext("This action does not apply to the selection."), messages.WARNING
            )


# ---------------------------------------------------------------------------------------
# Communities
# ---------------------------------------------------------------------------------------


@admin.register(Community)
class CommunityAdmin(CommunityScopedAdmin):
    form = CommunityForm
    community_lookup = "pk"
    community_fields = ("parent",)
    list_display = [
        "name",
        "visibility",
        "join_policy",
        "parent",
        "members_link",
        "pending_requests",
        "invite_link",
        "is_archived",
        "created_at",
    ]
    list_filter = ["visibility", "join_policy", "is_archived"]
    search_fields = ["name", "slug", "description"]
    ordering = ["name"]
    prepopulated_fields = {"slug": ["name"]}
    list_select_related = ["parent"]
    readonly_fields = ["created_by", "created_at", "updated_at"]

    def community_id_of(self, obj) -> int:
        return obj.pk

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                active_member_count=Count(
                    "memberships", filter=Q(memberships__status=Membership.Status.ACTIVE)
                ),
                pending_request_count=Count(
                    "memberships", filter=Q(memberships__status=Membership.Status.PENDING)
                ),
            )
        )

    def get_fields(self, request, obj=None):
        fields = [
            "name",
            "slug",
            "description",
            "cover_image",
            "visibility",
            "join_policy",
            "parent",
        ]
        if obj is not None:
            fields += [
                "default_notification_level",
                "is_archived",
                "created_by",
                "created_at",
                "updated_at",
            ]
        return fields

    def get_prepopulated_fields(self, request, obj=None):
        # The address of an existing community changes only on purpose.
        return self.prepopulated_fields if obj is None else {}

    @admin.display(description=_("members"), ordering="active_member_count")
    def members_link(self, obj):
        url = reverse("admin:communities_membership_changelist")
        return format_html(
            '<a href="{}?community__id__exact={}">{}</a>', url, obj.pk, obj.active_member_count
        )

    @admin.display(description=_("pending requests"), ordering="pending_request_count")
    def pending_requests(self, obj):
        if not obj.pending_request_count:
            return 0
        url = reverse("admin:communities_membership_changelist")
        return format_html(
            '<a href="{}?community__id__exact={}&amp;status__exact={}">{}</a>',
            url,
            obj.pk,
            Membership.Status.PENDING,
            obj.pending_request_count,
        )

    @admin.display(description=_("invitations"))
    def invite_link(self, obj):
        url = reverse("admin:communities_invitation_bulk")
        return format_html('<a href="{}?community={}">{}</a>', url, obj.pk, gettext("Invite"))

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if change:
            changes = {name: data[name] for name in form.changed_data if name in data}
            if changes:
                community = community_services.community_update(
                    actor=request.user, community=Community.objects.get(pk=obj.pk), **changes
                )
                _adopt(obj, community)
            return
        community = community_services.community_create(
            creator=request.user,
            name=data["name"],
            description=data.get("description", ""),
            visibility=data["visibility"],
            join_policy=data["join_policy"],
            slug=data.get("slug") or None,
            parent=data.get("parent"),
            cover_image=data.get("cover_image") or None,
        )
        _adopt(obj, community)
        # The creator is now the owner of one more community.
        forget_managed_community_ids(request)

    def save_related(self, request, form, formsets, change):
        # Communities have no relations edited here; the service saved everything.
        pass


# ---------------------------------------------------------------------------------------
# Memberships
# ---------------------------------------------------------------------------------------


@admin.register(Membership)
class MembershipAdmin(CommunityScopedAdmin):
    list_display = ["user", "community", "role", "status", "invited_by", "joined_at"]
    list_filter = ["status", "role", ("community", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["user__email", "user__display_name", "community__name"]
    list_select_related = ["user", "community", "invited_by"]
    ordering = ["community__name", "user__display_name"]
    actions = [
        "approve_requests",
        "decline_requests",
        "make_members",
        "make_moderators",
        "make_managers",
        "make_owners",
        "ban_members",
        "unban_members",
    ]

    def get_form(self, request, obj=None, change=False, **kwargs):
        kwargs["form"] = MembershipRoleForm if obj is not None else MembershipAddForm
        return super().get_form(request, obj, change, **kwargs)

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["community", "user", "role"]
        return [
            "community",
            "user",
            "role",
            "status",
            "invited_by",
            "request_message",
            "joined_at",
            "updated_at",
        ]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        return [
            "community",
            "user",
            "status",
            "invited_by",
            "request_message",
            "joined_at",
            "updated_at",
        ]

    def save_model(self, request, obj, form, change):
        role = form.cleaned_data["role"]
        if change:
            if "role" in form.changed_data:
                membership = membership_services.membership_role_change(
                    actor=request.user, membership=Membership.objects.get(pk=obj.pk), role=role
                )
                _adopt(obj, membership)
            return
        membership = membership_services.membership_add(
            community=form.cleaned_data["community"],
            user=form.cleaned_data["user"],
            invited_by=request.user,
        )
        if role != membership.role:
            # Through the role service, so that only owners make owners.
            membership = membership_services.membership_role_change(
                actor=request.user, membership=membership, role=role
            )
        _adopt(obj, membership)

    # -- actions -----------------------------------------------------------------------

    @admin.action(description=_("Approve the selected requests"), permissions=["manage"])
    def approve_requests(self, request, queryset):
        self.run_action(
            request,
            queryset.filter(status=Membership.Status.PENDING),
            lambda membership: membership_services.membership_request_approve(
                actor=request.user, membership=membership
            ),
            done=ngettext_lazy(
                "%(count)d request approved.", "%(count)d requests approved.", "count"
            ),
        )

    @admin.action(description=_("Decline the selected requests"), permissions=["manage"])
    def decline_requests(self, request, queryset):
        self.run_action(
            request,
            queryset.filter(status=Membership.Status.PENDING),
            lambda membership: membership_services.membership_request_decline(
                actor=request.user, membership=membership
            ),
            done=ngettext_lazy(
                "%(count)d request declined.", "%(count)d requests declined.", "count"
            ),
        )

    def _change_roles(self, request, queryset, role) -> None:
        self.run_action(
            request,
            queryset,
            lambda membership: membership_services.membership_role_change(
                actor=request.user, membership=membership, role=role
            ),
            done=ngettext_lazy("%(count)d role changed.", "%(count)d roles changed.", "count"),
        )

    @admin.action(description=_("Make the selected people members"), permissions=["manage"])
    def make_members(self, request, queryset):
        self._change_roles(request, queryset, Membership.Role.MEMBER)

    @admin.action(description=_("Make the selected people moderators"), permissions=["manage"])
    def make_moderators(self, request, queryset):
        self._change_roles(request, queryset, Membership.Role.MODERATOR)

    @admin.action(
        description=_("Make the selected people community managers"), permissions=["manage"]
    )
    def make_managers(self, request, queryset):
        self._change_roles(request, queryset, Membership.Role.MANAGER)

    @admin.action(description=_("Make the selected people owners"), permissions=["manage"])
    def make_owners(self, request, queryset):
        self._change_roles(request, queryset, Membership.Role.OWNER)

    @admin.action(description=_("Ban the selected members"), permissions=["manage"])
    def ban_members(self, request, queryset):
        self.run_action(
            request,
            queryset,
            lambda membership: membership_services.membership_ban(
                actor=request.user, membership=membership
            ),
            done=ngettext_lazy("%(count)d member banned.", "%(count)d members banned.", "count"),
        )

    @admin.action(description=_("Lift the ban of the selected members"), permissions=["manage"])
    def unban_members(self, request, queryset):
        self.run_action(
            request,
            queryset.filter(status=Membership.Status.BANNED),
            lambda membership: membership_services.membership_unban(
                actor=request.user, membership=membership
            ),
            done=ngettext_lazy("%(count)d ban lifted.", "%(count)d bans lifted.", "count"),
        )


# ---------------------------------------------------------------------------------------
# Invitations
# ---------------------------------------------------------------------------------------


@admin.register(Invitation)
class InvitationAdmin(CommunityScopedAdmin):
    list_display = ["email", "community", "invitee", "invited_by", "status", "created_at"]
    list_filter = ["status", ("community", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["email", "invitee__display_name", "community__name"]
    list_select_related = ["community", "invitee", "invited_by"]
    readonly_fields = [
        "community",
        "email",
        "invitee",
        "invited_by",
        "status",
        "created_at",
        "responded_at",
    ]
    fields = readonly_fields

    def has_change_permission(self, request, obj=None):
        # Invitations are answered by the invitee; managers only create them.
        return False

    def get_urls(self):
        bulk = path(
            "invite/",
            self.admin_site.admin_view(self.bulk_invite_view),
            name="communities_invitation_bulk",
        )
        return [bulk, *super().get_urls()]

    def add_view(self, request, form_url="", extra_context=None):
        return HttpResponseRedirect(reverse("admin:communities_invitation_bulk"))

    def bulk_invite_view(self, request):
        """Paste addresses or upload a CSV: invitation_bulk_create_from_csv does the rest
        (existing colleagues are linked, unknown addresses get an email on commit)."""
        if not self.has_add_permission(request):
            raise DjangoPermissionDenied
        posted = request.method == "POST"
        form = BulkInviteForm(
            request.POST if posted else None,
            request.FILES if posted else None,
            communities=managed_communities(request).order_by("name"),
            initial={"community": request.GET.get("community")},
        )
        if posted and form.is_valid():
            source_field = form.cleaned_data["source_field"]
            try:
                invitations = invitation_services.invitation_bulk_create_from_csv(
                    inviter=request.user,
                    community=form.cleaned_data["community"],
                    file_or_text=form.cleaned_data["content"],
                )
            except DomainError as error:
                _add_domain_error(form, error, field_aliases={"emails": source_field})
            else:
                count = len(invitations)
                self.message_user(
                    request,
                    ngettext(
                        "%(count)d invitation sent to %(community)s.",
                        "%(count)d invitations sent to %(community)s.",
                        count,
                    )
                    % {"count": count, "community": form.cleaned_data["community"]},
                    messages.SUCCESS,
                )
                return HttpResponseRedirect(reverse("admin:communities_invitation_changelist"))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": gettext("Invite colleagues"),
            "form": form,
            "media": self.media + form.media,
            "has_view_permission": self.has_view_permission(request),
        }
        return TemplateResponse(request, "admin/communities/invitation/bulk_invite.html", context)


# ---------------------------------------------------------------------------------------
# Posts and comments
# ---------------------------------------------------------------------------------------


class ReadOnlyContentAdmin(CommunityScopedAdmin):
    """Content is written by its authors; managers hide and restore it by actions."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class FlagHistoryInline(admin.TabularInline):
    """The reports on a post or comment and how they were resolved (read-only). Shown
    only inside a page the manager may already view."""

    model = Flag
    fk_name = "post"
    extra = 0
    fields = ["created_at", "reason", "details", "reporter", "status", "resolved_by", "resolved_at"]
    readonly_fields = fields
    ordering = ["-created_at"]
    verbose_name_plural = _("reports")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("reporter", "resolved_by")

    def has_view_permission(self, request, obj=None):
        return True

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class CommentFlagHistoryInline(FlagHistoryInline):
    fk_name = "comment"


@admin.register(Post)
class PostAdmin(ReadOnlyContentAdmin):
    list_display = ["title", "community", "author", "kind", "is_hidden", "created_at"]
    list_filter = ["kind", "is_hidden", ("community", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["title", "body", "author__email", "author__display_name"]
    list_select_related = ["community", "author"]
    fields = [
        "community",
        "author",
        "kind",
        "title",
        "body",
        "is_hidden",
        "comment_count",
        "accepted_answer",
        "edited_at",
        "created_at",
    ]
    readonly_fields = fields
    inlines = [FlagHistoryInline]
    actions = ["hide_posts", "restore_posts"]

    @admin.action(description=_("Hide the selected posts"), permissions=["manage"])
    def hide_posts(self, request, queryset):
        self.run_action(
            request,
            queryset,
            lambda post: post_services.post_hide(actor=request.user, post=post),
            done=ngettext_lazy("%(count)d post hidden.", "%(count)d posts hidden.", "count"),
        )

    @admin.action(description=_("Restore the selected posts"), permissions=["manage"])
    def restore_posts(self, request, queryset):
        self.run_action(
            request,
            queryset,
            lambda post: post_services.post_restore(actor=request.user, post=post),
            done=ngettext_lazy("%(count)d post restored.", "%(count)d posts restored.", "count"),
        )


@admin.register(Comment)
class CommentAdmin(ReadOnlyContentAdmin):
    community_lookup = "post__community"
    list_display = [
        "excerpt",
        "post",
        "community",
        "author",
        "is_hidden",
        "is_deleted",
        "created_at",
    ]
    list_filter = [
        "is_hidden",
        "is_deleted",
        ("post__community", admin.RelatedOnlyFieldListFilter),
    ]
    search_fields = ["body", "author__email", "author__display_name", "post__title"]
    list_select_related = ["post__community", "author"]
    fields = ["post", "parent", "author", "body", "is_hidden", "is_deleted", "created_at"]
    readonly_fields = fields
    inlines = [CommentFlagHistoryInline]
    actions = ["hide_comments", "restore_comments"]

    def community_id_of(self, obj) -> int:
        return obj.post.community_id

    @admin.display(description=_("comment"))
    def excerpt(self, obj):
        return Truncator(obj.body).chars(80)

    @admin.display(description=_("community"), ordering="post__community__name")
    def community(self, obj):
        return obj.post.community

    @admin.action(description=_("Hide the selected comments"), permissions=["manage"])
    def hide_comments(self, request, queryset):
        self.run_action(
            request,
            queryset,
            lambda comment: comment_services.comment_hide(actor=request.user, comment=comment),
            done=ngettext_lazy("%(count)d comment hidden.", "%(count)d comments hidden.", "count"),
        )

    @admin.action(description=_("Restore the selected comments"), permissions=["manage"])
    def restore_comments(self, request, queryset):
        self.run_action(
            request,
            queryset,
            lambda comment: comment_services.comment_restore(actor=request.user, comment=comment),
            done=ngettext_lazy(
                "%(count)d comment restored.", "%(count)d comments restored.", "count"
            ),
        )


# ---------------------------------------------------------------------------------------
# Flags: the moderation queue
# ---------------------------------------------------------------------------------------


@admin.register(Flag)
class FlagAdmin(ReadOnlyContentAdmin):
    """The moderation queue: open reports, oldest first, with the ban suggestion of
    :func:`communities.selectors.posts.moderation_queue`. Resolved reports leave the
    queue; their history shows on the post or comment page."""

    list_display = [
        "created_at",
        "reason",
        "flagged_content",
        "content_author",
        "ban_suggestion",
        "reporter",
        "community",
    ]
    list_filter = ["reason", ("community", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["details", "post__title", "comment__body", "reporter__email"]
    ordering = ["created_at", "id"]
    fields = [
        "community",
        "reason",
        "details",
        "flagged_content",
        "content_author",
        "ban_suggestion",
        "reporter",
        "status",
        "created_at",
    ]
    readonly_fields = fields
    actions = ["resolve_hide", "resolve_restore", "resolve_dismiss", "ban_content_authors"]

    def get_queryset(self, request):
        queryset = moderation_queue(user=request.user)
        if request.user.is_superuser:
            return queryset
        return queryset.filter(community_id__in=managed_community_ids(request))

    @admin.display(description=_("reported content"))
    def flagged_content(self, obj):
        if obj.post_id:
            target, label = obj.post, obj.post.title
            url = reverse("admin:communities_post_change", args=[obj.post_id])
        else:
            target, label = obj.comment, Truncator(obj.comment.body).chars(80)
            url = reverse("admin:communities_comment_change", args=[obj.comment_id])
        hidden = gettext(" (hidden)") if target.is_hidden else ""
        return format_html('<a href="{}">{}</a>{}', url, label, hidden)

    @admin.display(description=_("author"))
    def content_author(self, obj):
        return (obj.post or obj.comment).author

    @admin.display(description=_("ban suggested"))
    def ban_suggestion(self, obj):
        hidden = obj.author_hidden_count
        if obj.author_is_banned:
            return gettext("Already banned")
        if obj.suggest_ban:
            return format_html(
                "<strong>{}</strong>",
                ngettext(
                    "Yes: %(count)d item hidden in this community",
                    "Yes: %(count)d items hidden in this community",
                    hidden,
                )
                % {"count": hidden},
            )
        return ngettext("No (%(count)d item hidden)", "No (%(count)d items hidden)", hidden) % {
            "count": hidden
        }

    def _resolve(self, request, queryset, action, done) -> None:
        self.run_action(
            request,
            queryset,
            lambda flag: moderation_services.flag_resolve(
                actor=request.user, flag=flag, action=action
            ),
            done=done,
        )

    @admin.action(description=_("Hide the reported content"), permissions=["manage"])
    def resolve_hide(self, request, queryset):
        self._resolve(
            request,
            queryset,
            "hide",
            ngettext_lazy(
                "%(count)d report resolved: content hidden.",
                "%(count)d reports resolved: content hidden.",
                "count",
            ),
        )

    @admin.action(description=_("Restore the reported content"), permissions=["manage"])
    def resolve_restore(self, request, queryset):
        self._resolve(
            request,
            queryset,
            "restore",
            ngettext_lazy(
                "%(count)d report resolved: content restored.",
                "%(count)d reports resolved: content restored.",
                "count",
            ),
        )

    @admin.action(description=_("Dismiss the selected reports"), permissions=["manage"])
    def resolve_dismiss(self, request, queryset):
        self._resolve(
            request,
            queryset,
            "dismiss",
            ngettext_lazy(
                "%(count)d report dismissed.",
                "%(count)d reports dismissed.",
                "count",
            ),
        )

    @admin.action(description=_("Ban the authors of the reported content"), permissions=["manage"])
    def ban_content_authors(self, request, queryset):
        pairs = {
            (flag.community_id, (flag.post or flag.comment).author_id)
            for flag in queryset.select_related("post", "comment")
        }
        query = Q(pk__in=[])
        for community_id, user_id in pairs:
            query |= Q(community_id=community_id, user_id=user_id)
        memberships = Membership.objects.filter(query).select_related("user", "community")
        self.run_action(
            request,
            memberships,
            lambda membership: membership_services.membership_ban(
                actor=request.user, membership=membership
            ),
            done=ngettext_lazy("%(count)d member banned.", "%(count)d members banned.", "count"),
        )


# ---------------------------------------------------------------------------------------
# Elections
# ---------------------------------------------------------------------------------------


@admin.register(Election)
class ElectionAdmin(CommunityScopedAdmin):
    list_display = ["title", "community", "role", "status", "closes_at", "winner", "voter_count"]
    list_filter = ["status", "role", ("community", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["title", "community__name"]
    list_select_related = ["community", "winner"]
    ordering = ["-created_at", "-id"]
    actions = ["close_elections"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(number_of_voters=Count("voters"))

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["community", "title", "role", "closes_at", "term_ends_at", "candidates"]
        return [
            "community",
            "title",
            "role",
            "status",
            "closes_at",
            "term_ends_at",
            "created_by",
            "created_at",
            "closed_at",
            "winner",
            "voter_count",
            "results",
        ]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        return self.get_fields(request, obj)

    def has_change_permission(self, request, obj=None):
        # Results and history are read-only; an election changes by votes and closing.
        return False

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            candidates = User.objects.filter(
                memberships__status=Membership.Status.ACTIVE,
                memberships__community__in=managed_communities(request),
            ).distinct()
            kwargs["form"] = type(
                "ScopedElectionOpenForm", (ElectionOpenForm,), {"candidate_queryset": candidates}
            )
        return super().get_form(request, obj, change, **kwargs)

    @admin.display(description=_("voters"), ordering="number_of_voters")
    def voter_count(self, obj):
        return obj.number_of_voters

    @admin.display(description=_("results"))
    def results(self, obj):
        if obj.status != Election.Status.CLOSED:
            # Counts, and even the order of candidates by votes, stay sealed while
            # members vote, so that nobody is swayed.
            candidates = obj.candidates.select_related("user").order_by("id")
            names = format_html_join(", ", "{}", ((c.user,) for c in candidates))
            return format_html(
                "{} ({})", names, gettext("vote counts are shown once the election closes")
            )
        candidates = obj.candidates.select_related("user").order_by("-vote_count", "id")
        return format_html(
            "<table><thead><tr><th>{}</th><th>{}</th><th></th></tr></thead>"
            "<tbody>{}</tbody></table>",
            gettext("Candidate"),
            gettext("Votes"),
            format_html_join(
                "",
                "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
                (
                    (
                        candidate.user,
                        candidate.vote_count,
                        gettext("elected") if candidate.user_id == obj.winner_id else "",
                    )
                    for candidate in candidates
                ),
            ),
        )

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        election = election_services.election_open(
            actor=request.user,
            community=data["community"],
            title=data["title"],
            role=data["role"],
            candidates=list(data["candidates"]),
            closes_at=data["closes_at"],
            term_ends_at=data.get("term_ends_at"),
        )
        _adopt(obj, election)

    def save_related(self, request, form, formsets, change):
        # election_open stored the candidates.
        pass

    @admin.action(description=_("Close the selected elections now"), permissions=["manage"])
    def close_elections(self, request, queryset):
        self.run_action(
            request,
            queryset.filter(status=Election.Status.OPEN),
            lambda election: election_services.election_close(election=election),
            done=ngettext_lazy(
                "%(count)d election closed.", "%(count)d elections closed.", "count"
            ),
        )
