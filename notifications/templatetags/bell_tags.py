"""The member's notification controls where other pages show them: the bell in the
navigation, follow/mute on a post page, the level on a community page.

Each tag reads what it needs itself (one small query), so the pages that include them
need no extra context.
"""

from django import template

from communities.models import Community, Membership, Post
from notifications.preference_forms import CommunityLevelForm
from notifications.selectors.notifications import thread_state_for, unread_count

register = template.Library()


@register.inclusion_tag("notifications/centre/bell.html", takes_context=True)
def notification_bell(context) -> dict:
    """The bell linking to the centre, with the unread count (one COUNT query); nothing
    for visitors who are not logged in."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"show": False}
    return {"show": True, "unread_total": unread_count(user=user), "request": request}


def _with_csrf(context, values: dict) -> dict:
    # Inclusion tags render with a fresh context: forms need the page's CSRF token.
    return {**values, "csrf_token": context.get("csrf_token")}


def _membership(user, community: Community) -> Membership | None:
    if not user.is_authenticated:
        return None
    return Membership.objects.filter(
        user_id=user.pk, community_id=community.pk, status=Membership.Status.ACTIVE
    ).first()


@register.inclusion_tag("notifications/preferences/community_level.html", takes_context=True)
def community_notification_level(context, community: Community) -> dict:
    """The member's level select for ``community`` (nothing for non-members)."""
    request = context.get("request")
    membership = _membership(request.user, community) if request is not None else None
    if membership is None:
        return {"show": False}
    form = CommunityLevelForm(
        initial={"level": membership.notification_level},
        default_level=community.default_notification_level,
    )
    return _with_csrf(
        context, {"show": True, "community": community, "form": form, "request": request}
    )


@register.inclusion_tag("notifications/preferences/thread_follow.html", takes_context=True)
def thread_follow_controls(context, post: Post) -> dict:
    """Follow / unfollow / mute buttons of ``post``'s thread for the member."""
    request = context.get("request")
    if request is None or not request.user.is_authenticated:
        return {"show": False}
    return _with_csrf(
        context,
        {
            "show": True,
            "post": post,
            "state": thread_state_for(user=request.user, post=post),
            "request": request,
        },
    )
