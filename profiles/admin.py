"""The admin for members, the skills and interests taxonomy, badges and kudos moderation.

Who sees what
-------------
Skills, interests, badges, badge awards and kudos are organisation-wide, not owned by a
community, so they are NOT scoped like the communities admin: staff users and superusers
see and act on them (kept simple on purpose; a community manager who is staff sees them
all). Django model permissions are not consulted for these models, only ``is_staff``,
and every write still goes through the services, which enforce their own rules
(``badge_award_manual`` and ``kudos_hide`` check the actor again). The member list
(UserAdmin) keeps Django's permissions, as it controls staff and superuser status.

Every change goes through ``profiles.services`` / ``profiles.recognition``: merging
duplicates (``skill_merge`` / ``interest_merge``), awarding a manual badge
(``badge_award_manual``), hiding a kudos (``kudos_hide``). A refusal (a domain error) is
shown as a form error or an error message, never as a server error.
"""

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db import transaction
from django.db.models import Count
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.text import Truncator
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from config.errors import DomainError

from .forms import BadgeAwardForm, MergeForm
from .models import Badge, BadgeAward, Interest, Kudos, Skill, User


def _add_domain_error(form, error: DomainError) -> None:
    """A service's refusal on ``form``: field errors next to their fields, the rest and
    the message on top."""
    placed = []
    for field, errors in (error.field_errors or {}).items():
        for message in errors if isinstance(errors, list | tuple) else [errors]:
            form.add_error(field if field in form.fields else None, str(message))
            placed.append(str(message))
    if error.message not in placed:
        form.add_error(None, error.message)


class StaffOnlyAdmin(admin.ModelAdmin):
    """Organisation-wide models: staff and superusers only, nothing deleted by default."""

    def _is_staff(self, request) -> bool:
        user = request.user
        return bool(user.is_active and (user.is_staff or user.is_superuser))

    def has_module_permission(self, request):
        return self._is_staff(request)

    def has_view_permission(self, request, obj=None):
        return self._is_staff(request)

    def has_change_permission(self, request, obj=None):
        return self._is_staff(request)

    def has_add_permission(self, request):
        return self._is_staff(request)

    def has_delete_permission(self, request, obj=None):
        return False


# ---------------------------------------------------------------------------------------
# Members
# ---------------------------------------------------------------------------------------


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ["display_name"]
    list_display = [
        "email",
        "display_name",
        "department",
        "job_title",
        "location",
        "show_in_leaderboards",
        "is_staff",
        "is_active",
    ]
    list_filter = ["is_staff", "is_superuser", "is_active", "show_in_leaderboards", "department"]
    search_fields = ["email", "display_name", "department", "job_title", "location"]
    filter_horizontal = ("groups", "user_permissions", "skills", "interests")
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (
            _("Profile"),
            {
                "fields": (
                    "display_name",
                    "job_title",
                    "department",
                    "location",
                    "time_zone",
                    "avatar",
                    "bio",
                    "languages",
                    "show_in_leaderboards",
                )
            },
        ),
        (_("Skills and interests"), {"fields": ("skills", "interests")}),
        (
            _("Permissions"),
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("email", "display_name", "password1", "password2"),
            },
        ),
    )

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and "bio" in form.changed_data:
            # bio_html is derived: the service renders and sanitises it.
            from profiles.services import user_profile_update

            user_profile_update(user=obj, bio=obj.bio)


# ---------------------------------------------------------------------------------------
# Skills and interests: the taxonomy, with "merge into…"
# ---------------------------------------------------------------------------------------


class TaxonomyAdmin(StaffOnlyAdmin):
    """Skills or interests: list with member counts, and the merge action."""

    list_display = ["name", "member_count", "created_at"]
    search_fields = ["name"]
    ordering = ["name"]
    actions = ["merge_into"]
    merge_template = "profiles/admin/merge.html"

    def merge(self, *, source, target):  # pragma: no cover - defined by subclasses
        raise NotImplementedError

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(members_total=Count("members"))

    @admin.display(description=_("members"), ordering="members_total")
    def member_count(self, obj):
        return obj.members_total

    @admin.action(description=_("Merge the selected into…"))
    def merge_into(self, request, queryset):
        """An intermediate page asks for the target; the service moves the members of
        each selected entry onto it and deletes the duplicate."""
        form = MergeForm(request.POST if "target" in request.POST else None)
        if form.is_bound and form.is_valid():
            target = self.model.objects.filter(name__iexact=form.cleaned_data["target"]).first()
            if target is None:
                form.add_error(
                    "target",
                    gettext("“%(name)s” does not exist. Choose an existing entry.")
                    % {"name": form.cleaned_data["target"]},
                )
            else:
                merged = 0
                for source in queryset.exclude(pk=target.pk):
                    try:
                        with transaction.atomic():
                            self.merge(source=source, target=target)
                    except DomainError as error:
                        self.message_user(
                            request,
                            gettext("%(object)s: %(reason)s")
                            % {"object": source, "reason": error.message},
                            messages.ERROR,
                        )
                    else:
                        merged += 1
                if merged:
                    self.message_user(
                        request,
                        ngettext(
                            "%(count)d entry merged into %(target)s.",
                            "%(count)d entries merged into %(target)s.",
                            merged,
                        )
                        % {"count": merged, "target": target},
                        messages.SUCCESS,
                    )
                elif not queryset.exclude(pk=target.pk).exists():
                    self.message_user(
                        request,
                        gettext("An entry cannot be merged into itself."),
                        messages.ERROR,
                    )
                return None
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": gettext("Merge into another entry"),
            "form": form,
            "queryset": queryset,
            "action": "merge_into",
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            "choices": self.model.objects.order_by("name").values_list("name", flat=True)[:500],
        }
        status = 400 if form.is_bound else 200
        return TemplateResponse(request, self.merge_template, context, status=status)


@admin.register(Skill)
class SkillAdmin(TaxonomyAdmin):
    def merge(self, *, source, target):
        from profiles.services import skill_merge

        return skill_merge(source=source, target=target)


@admin.register(Interest)
class InterestAdmin(TaxonomyAdmin):
    def merge(self, *, source, target):
        from profiles.services import interest_merge

        return interest_merge(source=source, target=target)


# ---------------------------------------------------------------------------------------
# Badges and awards
# ---------------------------------------------------------------------------------------


@admin.register(Badge)
class BadgeAdmin(StaffOnlyAdmin):
    """Definitions. Rule-based badges are created by the code (their rule and levels are
    read-only here); managers define manual badges and award them by hand."""

    list_display = ["name", "code", "icon", "rule", "levels", "is_manual", "holders"]
    list_filter = ["is_manual"]
    search_fields = ["name", "code", "description"]
    prepopulated_fields = {"code": ["name"]}

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(holder_total=Count("awards__user", distinct=True))
        )

    @admin.display(description=_("holders"), ordering="holder_total")
    def holders(self, obj):
        return obj.holder_total

    def get_fields(self, request, obj=None):
        if obj is None or obj.is_manual:
            return ["name", "code", "description", "icon"]
        return ["name", "code", "description", "icon", "rule", "levels"]

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and not obj.is_manual:
            return ["code", "rule", "levels"]
        if obj is not None:
            return ["code"]
        return []

    def save_model(self, request, obj, form, change):
        if not change:
            # Badges defined here are awarded by hand: rule-based ones come from the code.
            obj.is_manual = True
        super().save_model(request, obj, form, change)


@admin.register(BadgeAward)
class BadgeAwardAdmin(StaffOnlyAdmin):
    """Awards are read-only here; "Award manually" calls badge_award_manual."""

    list_display = ["badge", "user", "level", "awarded_by", "reason", "awarded_at"]
    list_filter = ["badge"]
    search_fields = ["user__display_name", "user__email", "badge__name"]
    list_select_related = ["badge", "user", "awarded_by"]
    readonly_fields = ["badge", "user", "level", "awarded_by", "reason", "awarded_at"]
    fields = readonly_fields

    def has_change_permission(self, request, obj=None):
        return False

    def get_urls(self):
        award = path(
            "award/",
            self.admin_site.admin_view(self.award_view),
            name="profiles_badgeaward_award",
        )
        return [award, *super().get_urls()]

    def add_view(self, request, form_url="", extra_context=None):
        return HttpResponseRedirect(reverse("admin:profiles_badgeaward_award"))

    def award_view(self, request):
        """Pick a manual badge, a member and a reason; the service checks the rest."""
        if not self.has_add_permission(request):
            raise DjangoPermissionDenied
        from profiles.recognition.badges import badge_award_manual

        form = BadgeAwardForm(
            request.POST or None,
            initial={"badge": request.GET.get("badge"), "user": request.GET.get("user")},
        )
        status = 200
        if request.method == "POST":
            if form.is_valid():
                data = form.cleaned_data
                try:
                    award = badge_award_manual(
                        actor=request.user,
                        badge=data["badge"],
                        user=data["user"],
                        reason=data["reason"],
                    )
                except DomainError as error:
                    _add_domain_error(form, error)
                else:
                    self.message_user(
                        request,
                        gettext("%(badge)s awarded to %(user)s.")
                        % {"badge": award.badge, "user": award.user},
                        messages.SUCCESS,
                    )
                    return HttpResponseRedirect(reverse("admin:profiles_badgeaward_changelist"))
            status = 400
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": gettext("Award a badge"),
            "form": form,
            "media": self.media + form.media,
            "has_view_permission": self.has_view_permission(request),
        }
        return TemplateResponse(request, "profiles/admin/award.html", context, status=status)


# ---------------------------------------------------------------------------------------
# Kudos moderation
# ---------------------------------------------------------------------------------------


@admin.register(Kudos)
class KudosAdmin(StaffOnlyAdmin):
    """Kudos are read-only; moderation hides them through kudos_hide."""

    list_display = [
        "giver",
        "recipient_names",
        "value",
        "excerpt",
        "community",
        "is_hidden",
        "created_at",
    ]
    list_filter = ["is_hidden", "value"]
    search_fields = ["message", "giver__display_name", "recipients__display_name"]
    list_select_related = ["giver", "community"]
    readonly_fields = [
        "giver",
        "recipient_names",
        "value",
        "message",
        "community",
        "post",
        "is_hidden",
        "created_at",
    ]
    fields = readonly_fields
    actions = ["hide_kudos"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("recipients")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_hide_permission(self, request):
        return self._is_staff(request)

    @admin.display(description=_("recipients"))
    def recipient_names(self, obj):
        return ", ".join(str(recipient) for recipient in obj.recipients.all())

    @admin.display(description=_("message"))
    def excerpt(self, obj):
        return Truncator(obj.message).chars(80)

    @admin.action(description=_("Hide the selected kudos"), permissions=["hide"])
    def hide_kudos(self, request, queryset):
        from profiles.recognition.kudos import kudos_hide

        hidden = 0
        for kudos in queryset.select_related("community"):
            try:
                with transaction.atomic():
                    kudos_hide(actor=request.user, kudos=kudos)
            except DomainError as error:
                self.message_user(
                    request,
                    gettext("%(object)s: %(reason)s") % {"object": kudos, "reason": error.message},
                    messages.ERROR,
                )
            else:
                hidden += 1
        if hidden:
            self.message_user(
                request,
                ngettext("%(count)d kudos hidden.", "%(count)d kudos hidden.", hidden)
                % {"count": hidden},
                messages.SUCCESS,
            )
