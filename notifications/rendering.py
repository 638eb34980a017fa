"""How a notification reads and where it leads, the same in the app, the API and email.

Callers pass notifications fetched with ``actor``, ``community``, ``post`` and
``conversation`` joined (see notifications.selectors.notifications).
"""

from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.urls import reverse
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from notifications.models import Kind, Notification


def _people(notification: Notification) -> str:
    """ "Alice", or "Alice and 4 others"."""
    name = str(notification.actor) if notification.actor_id else _("Someone")
    others = max(notification.actor_count - 1, 0)
    if not others:
        return name
    return ngettext("%(name)s and %(count)d other", "%(name)s and %(count)d others", others) % {
        "name": name,
        "count": others,
    }


def _event_start(notification: Notification, time_zone: str) -> str:
    starts_at = notification.data.get("starts_at")
    if not starts_at:
        return ""
    try:
        zone = ZoneInfo(time_zone or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo("UTC")
    moment = datetime.fromisoformat(starts_at).astimezone(zone)
    return formats.date_format(moment, "DATETIME_FORMAT")


def notification_text(notification: Notification, *, time_zone: str = "UTC") -> str:
    """One sentence, in the active language, e.g. "Alice and 4 others reacted to your
    post “Roadmap”"."""
    people = _people(notification)
    title = notification.post.title if notification.post_id else ""
    community = notification.community.name if notification.community_id else ""
    data = notification.data or {}
    kind = notification.kind
    if kind == Kind.MENTION:
        return _("%(people)s mentioned you in “%(title)s”") % {"people": people, "title": title}
    if kind == Kind.REPLY:
        return _("%(people)s replied to you in “%(title)s”") % {"people": people, "title": title}
    if kind == Kind.THREAD_COMMENT:
        return _("%(people)s commented on “%(title)s”") % {"people": people, "title": title}
    if kind == Kind.COMMUNITY_POST:
        if notification.actor_count > 1:
            return _("%(people)s posted in %(community)s") % {
                "people": people,
                "community": community,
            }
        return _("%(people)s posted “%(title)s” in %(community)s") % {
            "people": people,
            "title": title,
            "community": community,
        }
    if kind == Kind.REACTION:
        if data.get("target") == "comment":
            return _("%(people)s reacted to your comment on “%(title)s”") % {
                "people": people,
                "title": title,
            }
        return _("%(people)s reacted to your post “%(title)s”") % {"people": people, "title": title}
    if kind == Kind.ANSWER_ACCEPTED:
        return _("%(people)s accepted your answer to “%(title)s”") % {
            "people": people,
            "title": title,
        }
    if kind == Kind.KUDOS:
        return _("%(people)s gave you kudos: %(value)s") % {
            "people": people,
            "value": data.get("value", ""),
        }
    if kind == Kind.BADGE:
        return _("You earned the badge “%(badge)s”") % {"badge": data.get("badge", "")}
    if kind == Kind.MEMBERSHIP_REQUEST:
        return _("%(people)s asked to join %(community)s") % {
            "people": people,
            "community": community,
        }
    if kind == Kind.MEMBERSHIP_APPROVED:
        return _("You are now a member of %(community)s") % {"community": community}
    if kind == Kind.INVITATION:
        return _("%(people)s invited you to join %(community)s") % {
            "people": people,
            "community": community,
        }
    if kind == Kind.ANNOUNCEMENT:
        if data.get("reminder"):
            return _("Reminder: please acknowledge “%(title)s” in %(community)s") % {
                "title": title,
                "community": community,
            }
        return _("%(people)s announced “%(title)s” in %(community)s") % {
            "people": people,
            "title": title,
            "community": community,
        }
    if kind == Kind.EVENT_REMINDER:
        return _("“%(title)s” starts at %(start)s") % {
            "title": title,
            "start": _event_start(notification, time_zone),
        }
    if kind == Kind.MESSAGE:
        conversation = notification.conversation
        if conversation is not None and conversation.is_group and conversation.title:
            return _("%(people)s wrote in “%(conversation)s”") % {
                "people": people,
                "conversation": conversation.title,
            }
        return _("%(people)s sent you a message") % {"people": people}
    if kind == Kind.MODERATION:
        hidden = data.get("action") == "hidden"
        if data.get("target") == "comment":
            if hidden:
                return _("A moderator hid your comment on “%(title)s”") % {"title": title}
            return _("A moderator restored your comment on “%(title)s”") % {"title": title}
        if hidden:
            return _("A moderator hid your post “%(title)s”") % {"title": title}
        return _("A moderator restored your post “%(title)s”") % {"title": title}
    return notification.get_kind_display()


def notification_url(notification: Notification) -> str:
    """The page of the notification's object (a path)."""
    kind = notification.kind
    if kind == Kind.MESSAGE and notification.conversation_id:
        return reverse("notifications:conversation", args=[notification.conversation_id])
    if kind == Kind.KUDOS:
        return reverse("profiles:detail", args=[notification.recipient_id])
    if kind == Kind.BADGE:
        return reverse("profiles:badges")
    if notification.post_id:
        url = reverse("communities:post", args=[notification.post_id])
        if notification.comment_id:
            url += f"#comment-{notification.comment_id}"
        return url
    if notification.community_id:
        slug = notification.community.slug
        if kind == Kind.MEMBERSHIP_REQUEST:
            return reverse("communities:members", args=[slug])
        return reverse("communities:detail", args=[slug])
    return reverse("notifications:centre")
