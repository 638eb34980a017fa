"""The announcement banner (on every page) and the acknowledgement box of a post page.

Both are inclusion tags that read through :mod:`notifications.selectors.announcements`:
the banner costs one query for a logged-in member (none for visitors), the post box
none for posts that do not ask for acknowledgement.
"""

from django import template
from django.utils import formats

from communities import permissions
from communities.models import Membership
from notifications.quiet_hours import member_local_time
from notifications.selectors.announcements import acknowledgement_of, announcement_banner

register = template.Library()

BANNER_SIZE = 3
# The page that lists every pending announcement shows no banner above itself.
LIST_VIEW_NAME = "notifications:announcements"


@register.filter
def member_time(moment, user) -> str:
    """``moment`` as a date and time in ``user``'s time zone (UTC when unknown)."""
    if not moment:
        return ""
    local = member_local_time(time_zone=getattr(user, "time_zone", "UTC"), at=moment)
    return formats.date_format(local, "DATETIME_FORMAT")


@register.inclusion_tag("notifications/announcements/banner.html", takes_context=True)
def announcement_banner_for_member(context) -> dict:
    """The announcements the member still has to acknowledge: the newest three, each
    with its Acknowledge button, and how many more."""
    request = context.get("request")
    user = context.get("user")
    match = getattr(request, "resolver_match", None)
    if (
        user is None
        or not user.is_authenticated
        or (match is not None and match.view_name == LIST_VIEW_NAME)
    ):
        return {"banner": None}
    banner = announcement_banner(user, limit=BANNER_SIZE)
    return {
        "banner": banner if banner.total else None,
        "request": request,
        "user": user,
        "csrf_token": context.get("csrf_token"),
    }


@register.inclusion_tag("notifications/announcements/post_acknowledgement.html", takes_context=True)
def announcement_acknowledgement(context, post) -> dict:
    """On an announcement that asks for acknowledgement: the Acknowledge button for
    members who have not, when they did for those who have, and the report link for
    the community's managers. Nothing (and no query) for other posts."""
    user = context.get("user")
    if not post.requires_acknowledgement or user is None or not user.is_authenticated:
        return {"show": False}
    membership = permissions.active_membership(user, post.community)
    is_author = post.author_id == user.pk
    return {
        "show": True,
        "post": post,
        "user": user,
        "request": context.get("request"),
        "csrf_token": context.get("csrf_token"),
        "can_acknowledge": membership is not None and not is_author,
        "acknowledgement": None if is_author else acknowledgement_of(user=user, post=post),
        "can_manage": user.is_superuser
        or (membership is not None and membership.role in Membership.MANAGING_ROLES),
        "is_author": is_author,
    }
