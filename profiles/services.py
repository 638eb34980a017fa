"""Writes for members and their profiles."""

from django.utils.translation import gettext as _

from config.errors import ValidationError
from profiles.models import User

EDITABLE_PROFILE_FIELDS = ("display_name", "job_title", "department")


def user_profile_update(*, user: User, **changes) -> User:
    """Update the member's own profile fields. Only ``EDITABLE_PROFILE_FIELDS`` may change."""
    unknown = set(changes) - set(EDITABLE_PROFILE_FIELDS)
    if unknown:
        raise ValidationError(
            _("These fields cannot be changed: %(fields)s.")
            % {"fields": ", ".join(sorted(unknown))}
        )
    if "display_name" in changes and not str(changes["display_name"]).strip():
        raise ValidationError(
            _("A display name is required."),
            field_errors={"display_name": [_("May not be blank.")]},
        )
    for field, value in changes.items():
        setattr(user, field, str(value).strip())
    if changes:
        user.save(update_fields=list(changes))
    return user
