"""Framework hooks for the live stream: a socket ends when its credentials end.

No business rules here. These hooks react to what Django and allauth already did, on
every path that does it (the logout views, allauth headless, the admin, the shell, any
service), and close the sockets after the commit (notifications.events):

- logging out (Django's ``user_logged_out``, sent before the session is flushed: by the
  browser logout view and by allauth headless ``DELETE /_allauth/app/v1/auth/session``)
  closes the sockets of that session only;
- saving a user inactive, or deleting one, closes all of their sockets.

A bulk ``QuerySet.update(is_active=False)`` sends no signal: whatever deactivates in
bulk must call :func:`notifications.events.account_closed_on_commit` itself.
"""

from django.conf import settings
from django.contrib.auth.signals import user_logged_out
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from notifications.events import account_closed_on_commit, session_ended_on_commit


@receiver(user_logged_out, dispatch_uid="notifications.stream_end_session_at_logout")
def end_session_sockets_at_logout(sender, request, user, **kwargs) -> None:
    """The sockets opened with the session being logged out end (4401)."""
    session_key = getattr(getattr(request, "session", None), "session_key", None)
    if user is not None and session_key:
        session_ended_on_commit(session_key=session_key)


@receiver(
    post_save,
    sender=settings.AUTH_USER_MODEL,
    dispatch_uid="notifications.stream_end_sockets_of_inactive_account",
)
def end_sockets_of_inactive_account(sender, instance, created, raw=False, **kwargs) -> None:
    """An account saved inactive has its sockets closed (4401). Saving an account that
    was already inactive sends again, harmlessly: it has no open socket."""
    if not instance.is_active and not created and not raw:
        account_closed_on_commit(user_id=instance.pk)


@receiver(
    post_delete,
    sender=settings.AUTH_USER_MODEL,
    dispatch_uid="notifications.stream_end_sockets_of_deleted_account",
)
def end_sockets_of_deleted_account(sender, instance, **kwargs) -> None:
    """A deleted account has its sockets closed (4401)."""
    account_closed_on_commit(user_id=instance.pk)
