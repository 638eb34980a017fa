"""One-click unsubscribe from notification email (RFC 8058), with signed links.

A link carries a token signed with the project's secret key (``django.core.signing``,
a salt of its own): the member's id and a scope. The token is the credential: whoever
holds it may switch off that email for that member, without logging in, and for nobody
else. Tokens do not expire, as an unsubscribe link in an old email must keep working.

Scopes:

- ``email``: no notification email at all (``NotificationSettings.email_enabled``);
  in every away email;
- ``digest``: no digest (``NotificationSettings.digest_frequency`` = off); in digests.
"""

from dataclasses import dataclass

from django.core import signing
from django.db import transaction
from django.utils.translation import gettext as _

from config.errors import ValidationError
from notifications.models import NotificationSettings
from profiles.models import User

SALT = "notifications.unsubscribe"


class Scope:
    EMAIL = "email"
    DIGEST = "digest"

    ALL = frozenset({EMAIL, DIGEST})


@dataclass(frozen=True)
class UnsubscribeRequest:
    """What a valid token asks: switch ``scope`` off for ``user``."""

    user: User
    scope: str


def unsubscribe_token(*, user_id: int, scope: str) -> str:
    """The signed token of ``scope`` for member ``user_id`` (URL-safe, no slash)."""
    if scope not in Scope.ALL:
        raise ValueError(f"Unknown unsubscribe scope: {scope!r}")
    return signing.dumps({"u": user_id, "s": scope}, salt=SALT, compress=False)


def unsubscribe_request_read(*, token: str) -> UnsubscribeRequest:
    """The member and scope a token names (one query).

    Raises :class:`config.errors.ValidationError` when the token was altered, is not
    one of ours, or names a member who no longer exists: nothing is changed then.
    """
    invalid = ValidationError(
        _("This unsubscribe link is not valid. It may have been altered or copied incompletely.")
    )
    try:
        payload = signing.loads(token, salt=SALT)
    except signing.BadSignature as error:
        raise invalid from error
    if not isinstance(payload, dict):
        raise invalid
    user_id, scope = payload.get("u"), payload.get("s")
    if not isinstance(user_id, int) or scope not in Scope.ALL:
        raise invalid
    user = User.objects.filter(pk=user_id).first()
    if user is None:
        raise invalid
    return UnsubscribeRequest(user=user, scope=scope)


@transaction.atomic
def unsubscribe(*, token: str) -> UnsubscribeRequest:
    """Switch off what the token names for the token's owner, and nobody else; the
    same token applied twice changes nothing more. Creates the member's
    NotificationSettings row when they had none (defaults otherwise).

    Raises :class:`config.errors.ValidationError` for an invalid token (nothing changed).
    """
    request = unsubscribe_request_read(token=token)
    settings, _created = NotificationSettings.objects.select_for_update().get_or_create(
        user=request.user
    )
    if request.scope == Scope.EMAIL:
        settings.email_enabled = False
        settings.save(update_fields=["email_enabled", "updated_at"])
    else:
        settings.digest_frequency = NotificationSettings.DigestFrequency.OFF
        settings.save(update_fields=["digest_frequency", "updated_at"])
    return request
