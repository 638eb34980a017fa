"""A member's notification controls in the browser: the settings page (a delivery per
kind, a level per community, quiet hours, digest, email), and the small controls on
community pages (level) and post pages (follow or mute the thread).

The small controls answer htmx with their fragment (with a status message for screen
readers) and plain form posts with a redirect back and a message.
"""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from communities.forms import add_domain_error
from communities.models import Community, NotificationLevel, Post
from communities.selectors.posts import post_is_readable
from communities.views import _safe_back, form_status, is_htmx, member_view
from config.errors import DomainError
from notifications.preference_forms import (
    CommunityLevelForm,
    NotificationPreferencesForm,
    ThreadChoiceForm,
)
from notifications.quiet_hours import member_is_quiet, member_local_time
from notifications.selectors.notifications import (
    ID_MAX,
    community_level_for,
    community_levels_for,
    notification_preferences_for,
    thread_state_for,
)
from notifications.services.preferences import (
    notification_preferences_update,
    thread_state_set,
    thread_state_withdraw,
)
from notifications.services.subscriptions import community_notification_level_set


@member_view
def preferences(request: HttpRequest) -> HttpResponse:
    """The notification settings page: one form, saved at once or not at all."""
    user = request.user
    current = notification_preferences_for(user=user)
    form = NotificationPreferencesForm(
        request.POST if request.method == "POST" else None,
        preferences=current,
        memberships=community_levels_for(user=user),
    )
    if form.is_bound and form.is_valid():
        try:
            notification_preferences_update(user=user, **form.service_arguments())
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("Your notification settings are saved."))
            return redirect("notifications:preferences")
    now = timezone.now()
    context = {
        "form": form,
        "time_zone": user.time_zone,
        "local_now": member_local_time(time_zone=user.time_zone, at=now),
        "quiet_now": member_is_quiet(user=user, settings=current.settings, at=now),
    }
    return render(
        request, "notifications/preferences/preferences.html", context, status=form_status(form)
    )


# Community level -----------------------------------------------------------------------------


def _level_fragment(request, community, *, notice=None, error=None, status=200):
    membership = community_level_for(user=request.user, community=community)
    form = CommunityLevelForm(
        initial={"level": membership.notification_level},
        default_level=community.default_notification_level,
    )
    context = {
        "show": True,
        "community": community,
        "form": form,
        "notice": notice,
        "error": error,
    }
    return render(request, "notifications/preferences/community_level.html", context, status=status)


@require_POST
@member_view
def community_level(request: HttpRequest, slug: str) -> HttpResponse:
    """Set what the member hears from a community they belong to."""
    community = Community.objects.filter(slug=slug).first()
    if community is None:
        raise Http404(_("This community does not exist."))
    community_level_for(user=request.user, community=community)  # 404 / 403
    form = CommunityLevelForm(request.POST, default_level=community.default_notification_level)
    notice = error = None
    if form.is_valid():
        level = form.cleaned_data["level"]
        try:
            community_notification_level_set(user=request.user, community=community, level=level)
        except DomainError as refusal:
            error = refusal.message
        else:
            chosen = dict(NotificationLevel.choices).get(
                level or community.default_notification_level
            )
            notice = _("Notifications from %(community)s: %(level)s.") % {
                "community": community.name,
                "level": chosen,
            }
    else:
        error = _("Choose all posts, mentions and replies only, or muted.")
    if is_htmx(request):
        return _level_fragment(
            request, community, notice=notice, error=error, status=400 if error else 200
        )
    if error:
        messages.error(request, error)
    else:
        messages.success(request, notice)
    return redirect(_safe_back(request, reverse("communities:detail", args=[community.slug])))


# Thread --------------------------------------------------------------------------------------


def _readable_post(request: HttpRequest, post_id: int) -> Post:
    """The post, when the member may read it (404 otherwise, like a missing one)."""
    post = None
    if post_id <= ID_MAX:
        post = Post.objects.filter(pk=post_id).only("id", "community_id", "author_id").first()
    if post is None or not post_is_readable(user=request.user, post=post):
        raise Http404(_("This post does not exist."))
    return post


THREAD_NOTICES = {
    ThreadChoiceForm.FOLLOW: _("You follow this thread: you hear of every new comment."),
    ThreadChoiceForm.UNFOLLOW: _("You no longer follow this thread."),
    ThreadChoiceForm.MUTE: _("Thread muted: you hear nothing more from it but mentions."),
    ThreadChoiceForm.UNMUTE: _("Thread unmuted."),
}


@require_POST
@member_view
def thread(request: HttpRequest, post_id: int) -> HttpResponse:
    """Follow, unfollow, mute or unmute the thread of a post the member may read."""
    post = _readable_post(request, post_id)
    form = ThreadChoiceForm(request.POST)
    notice = error = None
    if form.is_valid():
        action = form.cleaned_data["action"]
        effect, state = ThreadChoiceForm.EFFECTS[action]
        if effect == "set":
            thread_state_set(user=request.user, post=post, state=state)
        else:
            thread_state_withdraw(user=request.user, post=post, state=state)
        notice = str(THREAD_NOTICES[action])
    else:
        error = _("Choose follow, unfollow, mute or unmute.")
    if is_htmx(request):
        context = {
            "show": True,
            "post": post,
            "state": thread_state_for(user=request.user, post=post),
            "notice": notice,
            "error": error,
        }
        return render(
            request,
            "notifications/preferences/thread_follow.html",
            context,
            status=400 if error else 200,
        )
    if error:
        messages.error(request, error)
    else:
        messages.success(request, notice)
    return redirect("communities:post", post_id=post.pk)


urlpatterns = [
    path("notifications/preferences/", preferences, name="preferences"),
    path(
        "notifications/communities/<slug:slug>/level/",
        community_level,
        name="community-level",
    ),
    path("notifications/posts/<int:post_id>/thread/", thread, name="thread"),
]
