"""The "Messages" link of the navigation, with the number of conversations that have
unread messages (one query)."""

from django import template

from notifications.selectors.conversations import conversations_unread_count

register = template.Library()


@register.inclusion_tag("notifications/conversations/nav_link.html", takes_context=True)
def conversations_nav_link(context) -> dict:
    """``<li>`` with the link to my conversations; nothing for anonymous visitors."""
    request = context.get("request")
    user = getattr(request, "user", None) or context.get("user")
    if user is None or not user.is_authenticated:
        return {"show": False}
    match = getattr(request, "resolver_match", None)
    current = bool(match) and (
        match.app_name == "notifications" and (match.url_name or "").startswith("conversation")
    )
    return {"show": True, "unread": conversations_unread_count(user=user), "current": current}
