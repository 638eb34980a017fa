"""What the page script of the live stream (static/js/stream.js) needs to know.

``{% stream_config %}`` renders, for a logged-in member, a JSON ``<script>`` element
(id ``cercle-stream-config``): the socket's path, the member's id (their own posts do
not count as new), the heartbeat period (a socket silent for two of them is dead), the
id of the member's newest personal event when the page was rendered, and the texts the
script shows. Nothing for visitors.

The event id is read before the rest of the page (the tag sits in ``<head>``): the
socket resumes after it, so an event committed while the page renders is replayed
rather than lost. One indexed query.
"""

from django import template
from django.conf import settings
from django.utils.html import json_script
from django.utils.translation import gettext, ngettext

from notifications.services.stream import stream_latest_event_id

register = template.Library()

CONFIG_ELEMENT_ID = "cercle-stream-config"
# Plural texts go to the script with this placeholder for the number.
NUMBER = "{n}"


def _forms(one: str, other: str) -> dict[str, str]:
    """The singular and plural forms of a counting message, with :data:`NUMBER` where
    the number goes (the script picks one by the count)."""
    return {"one": one % {"counter": NUMBER}, "other": other % {"counter": NUMBER}}


def stream_texts() -> dict:
    # Literal ngettext calls, so that makemessages finds the messages.
    return {
        "new_posts": _forms(
            ngettext("%(counter)s new post — show", "%(counter)s new posts — show", 1),
            ngettext("%(counter)s new post — show", "%(counter)s new posts — show", 2),
        ),
        "new_comments": gettext("New comments — show"),
        "bell_none": gettext("Notifications, none unread"),
        "bell": _forms(
            ngettext("Notifications, %(counter)s unread", "Notifications, %(counter)s unread", 1),
            ngettext("Notifications, %(counter)s unread", "Notifications, %(counter)s unread", 2),
        ),
        "catch_up": gettext("New activity arrived while you were away."),
        "reload": gettext("Reload to catch up"),
    }


@register.simple_tag(takes_context=True)
def stream_config(context) -> str:
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return ""
    config = {
        "path": "/ws/stream/",
        "user_id": user.pk,
        "last_event_id": stream_latest_event_id(user_id=user.pk),
        "heartbeat_seconds": settings.CERCLE_STREAM_HEARTBEAT_SECONDS,
        "texts": stream_texts(),
    }
    return json_script(config, CONFIG_ELEMENT_ID)
