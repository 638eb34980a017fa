"""Closing reports: the one write on flags that hiding or restoring content (posts,
comments) and resolving a report (:mod:`communities.services.moderation`) share.

It sits below all three, so that moderation can call the posts' and comments' hide and
restore while those close the flags of what they hide.
"""

from django.utils import timezone

from communities.models import Comment, Flag, Post


def flags_close(
    *, actor, status: str, post: Post | None = None, comment: Comment | None = None
) -> int:
    """Resolve every open flag on ``post`` or ``comment`` with ``status``, by ``actor``.
    Returns how many were resolved. Callers check permissions."""
    target = {"post": post} if post is not None else {"comment": comment}
    return Flag.objects.filter(status=Flag.Status.OPEN, **target).update(
        status=status, resolved_by=actor, resolved_at=timezone.now()
    )


__all__ = ["flags_close"]
