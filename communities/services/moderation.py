"""Writes for moderation: members report posts and comments, moderators resolve.

- Anyone who may read a post or comment may report it (not their own), once while the
  report is open (Conflict otherwise). CONTENT_FLAGGED is logged.
- The community's moderators (owner, manager, moderator; superusers) resolve a flag by
  hiding or restoring the content, or dismissing the report; every open flag on the
  same content is resolved with it. This module stands above the posts' and comments'
  hide and restore, which it calls; the flag closing they share is in
  :mod:`communities.services.flags`.
- The moderation queue (:func:`communities.selectors.posts.moderation_queue`) counts, per
  flag, the author's hidden items in the community and suggests a ban from
  ``CERCLE_BAN_SUGGESTION_THRESHOLD`` on; banning itself is
  ``communities.services.memberships.membership_ban``.
"""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from communities import permissions
from communities.models import Comment, Flag, Post
from communities.selectors.posts import post_is_readable
from communities.services.comments import comment_hide, comment_restore
from communities.services.flags import flags_close
from communities.services.posts import post_hide, post_restore
from config.errors import Conflict, NotFound, PermissionDenied, ValidationError
from metrics.models import Activity
from metrics.services import activity_record

DETAILS_MAX_LENGTH = Flag._meta.get_field("details").max_length


class Action:
    HIDE = "hide"
    RESTORE = "restore"
    DISMISS = "dismiss"
    ALL = (HIDE, RESTORE, DISMISS)


@transaction.atomic
def flag_create(
    *,
    reporter,
    reason: str,
    details: str = "",
    post: Post | None = None,
    comment: Comment | None = None,
) -> Flag:
    """Report ``post`` or ``comment`` (exactly one) for ``reason`` (a Flag.Reason).

    NotFound when the reporter may not read the content; ValidationError for an unknown
    reason, details over 500 characters, a deleted comment or one's own content;
    Conflict when the reporter already has an open report on it.
    """
    if (post is None) == (comment is None):
        raise ValidationError(_("Report a post or a comment."))
    content_post = post if post is not None else comment.post
    if not post_is_readable(user=reporter, post=content_post):
        raise NotFound(_("This post does not exist."))
    if comment is not None:
        if comment.is_deleted:
            raise ValidationError(_("This comment was deleted."))
        if (
            comment.is_hidden
            and comment.author_id != reporter.pk
            and not permissions.can_moderate(reporter, content_post.community)
        ):
            raise NotFound(_("This comment does not exist."))
    target = post if post is not None else comment
    errors: dict[str, list[str]] = {}
    if reason not in Flag.Reason.values:
        errors["reason"] = [_("Choose a reason.")]
    details = (details or "").strip()
    if len(details) > DETAILS_MAX_LENGTH:
        errors["details"] = [_("At most %(n)d characters.") % {"n": DETAILS_MAX_LENGTH}]
    if errors:
        raise ValidationError(_("The report is incomplete."), field_errors=errors)
    if target.author_id == reporter.pk:
        raise ValidationError(_("You cannot report your own content."))
    target_filter = {"post": post} if post is not None else {"comment": comment}
    if Flag.objects.filter(reporter=reporter, status=Flag.Status.OPEN, **target_filter).exists():
        raise Conflict(_("You already reported this; moderators will look at it."))
    flag = Flag.objects.create(
        community_id=content_post.community_id,
        reporter=reporter,
        reason=reason,
        details=details,
        **target_filter,
    )
    activity_record(
        actor=reporter,
        verb=Activity.Verb.CONTENT_FLAGGED,
        community=content_post.community,
        target=target,
    )
    return flag


@transaction.atomic
def flag_resolve(*, actor, flag: Flag, action: str) -> Flag:
    """Resolve ``flag`` with ``action``: "hide" hides the content, "restore" shows it
    again, "dismiss" leaves it as it is. All open flags on the same content are resolved
    the same way (and ``flag`` itself, even if it was resolved before).

    The community's moderators only: NotFound for members who may not see the
    community, PermissionDenied for others; ValidationError for an unknown action.
    """
    if action not in Action.ALL:
        raise ValidationError(
            _("Unknown moderation action."),
            field_errors={"action": [_("Choose hide, restore or dismiss.")]},
        )
    community = flag.community
    if not permissions.can_moderate(actor, community):
        if not permissions.can_see(actor, community):
            raise NotFound(_("This community does not exist."))
        raise PermissionDenied(_("Only moderators can resolve reports."))
    if action == Action.HIDE:
        status = Flag.Status.HIDDEN
        if flag.post_id:
            post_hide(actor=actor, post=flag.post)
        else:
            comment_hide(actor=actor, comment=flag.comment)
    elif action == Action.RESTORE:
        status = Flag.Status.RESTORED
        if flag.post_id:
            post_restore(actor=actor, post=flag.post)
        else:
            comment_restore(actor=actor, comment=flag.comment)
    else:
        status = Flag.Status.DISMISSED
        flags_close(actor=actor, status=status, post=flag.post, comment=flag.comment)
    flag.status, flag.resolved_by, flag.resolved_at = status, actor, timezone.now()
    flag.save(update_fields=["status", "resolved_by", "resolved_at"])
    return flag
