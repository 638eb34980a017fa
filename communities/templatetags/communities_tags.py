"""Small presentation helpers for the community templates: labels for reactions and
roles (translatable, with a fallback for kinds configured later)."""

from django import template
from django.utils.translation import gettext_lazy as _

from communities.models import Membership

register = template.Library()

REACTION_LABELS = {
    "like": _("Like"),
    "celebrate": _("Celebrate"),
    "insightful": _("Insightful"),
    "helpful": _("Helpful"),
    "support": _("Support"),
    "love": _("Love"),
    "funny": _("Funny"),
    "curious": _("Curious"),
}
REACTION_SYMBOLS = {
    "like": "👍",
    "celebrate": "🎉",
    "insightful": "💡",
    "helpful": "🙌",
    "support": "🤝",
    "love": "❤️",
    "funny": "😄",
    "curious": "🤔",
}


@register.filter
def reaction_label(kind: str) -> str:
    """The translated name of a reaction kind (the kind itself, capitalised, if unknown)."""
    return str(REACTION_LABELS.get(kind, kind.replace("_", " ").capitalize()))


@register.filter
def reaction_symbol(kind: str) -> str:
    return REACTION_SYMBOLS.get(kind, "✳️")


@register.filter
def role_label(role: str | None) -> str:
    if not role:
        return ""
    try:
        return str(Membership.Role(role).label)
    except ValueError:
        return role


@register.filter
def contains(collection, item) -> bool:
    return item in (collection or ())
