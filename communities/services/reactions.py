"""Writes for reactions: one reaction of each kind per member on a post or a comment.

Who may react: whoever may read the post and is not banned from its community; hidden
comments only for their author and moderators; deleted comments not at all.
"""

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from communities import permissions
from communities.models import Comment, Post, Reaction
from communities.services.posts import post_participation_check
from config.errors import NotFound, ValidationError
from metrics.models import Activity
from metrics.services import activity_record
from notifications.events import community_group, post_group, send_event_on_commit
from notifications.services.sources import reaction_added_notify


@transaction.atomic
def reaction_toggle(
    *, user, kind: str, post: Post | None = None, comment: Comment | None = None
) -> bool:
    """Add the reaction ``kind`` of ``user`` on ``post`` or ``comment`` (exactly one), or
    remove it when already there. Returns True when the member now has that reaction.

    ValidationError for a kind outside ``CERCLE_REACTION_KINDS``, no or two targets, a
    deleted comment or an archived community; NotFound when the member may not read the
    content; PermissionDenied when banned. Adding logs REACTION_CREATED (removing logs
    nothing); both send ``reaction.changed`` with the new count to the community group and
    the post's group (readers of a public community they have not joined) on commit.
    """
    if (post is None) == (comment is None):
        raise ValidationError(_("React to a post or to a comment."))
    if kind not in settings.CERCLE_REACTION_KINDS:
        raise ValidationError(
            _("Unknown reaction."),
            field_errors={
                "kind": [
                    _("Choose one of: %(kinds)s.")
                    % {"kinds": ", ".join(settings.CERCLE_REACTION_KINDS)}
                ]
            },
        )
    content_post = post if post is not None else comment.post
    post_participation_check(user=user, post=content_post)
    if comment is not None:
        if comment.post_id != content_post.pk or comment.is_deleted:
            raise ValidationError(_("This comment was deleted."))
        if (
            comment.is_hidden
            and comment.author_id != user.pk
            and not permissions.can_moderate(user, content_post.community)
        ):
            raise NotFound(_("This comment does not exist."))
    target = {"post": post} if post is not None else {"comment": comment}
    deleted, _details = Reaction.objects.filter(user=user, kind=kind, **target).delete()
    reacted = not deleted
    if reacted:
        try:
            with transaction.atomic():
                Reaction.objects.create(user=user, kind=kind, **target)
        except IntegrityError:
            # A double click raced us to it: the member has the reaction, log it once.
            return True
        content = post if post is not None else comment
        activity_record(
            actor=user,
            verb=Activity.Verb.REACTION_CREATED,
            community=content_post.community_id,
            target=content,
            subject=content.author_id,
        )
        reaction_added_notify(user=user, post=post, comment=comment)
    count = Reaction.objects.filter(kind=kind, **target).count()
    send_event_on_commit(
        groups=[community_group(content_post.community_id), post_group(content_post.pk)],
        event_type="reaction.changed",
        data={
            "post_id": post.pk if post is not None else None,
            "comment_id": comment.pk if comment is not None else None,
            "community_id": content_post.community_id,
            "user_id": user.pk,
            "kind": kind,
            "reacted": reacted,
            "count": count,
        },
    )
    return reacted
