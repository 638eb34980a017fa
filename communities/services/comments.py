"""Writes for comments and accepted answers.

- Comment: whoever may read the post and is not banned from its community (public
  communities: any colleague; private and secret: active members). One level of
  replies: a reply to a reply joins the thread of the top-level comment.
- Edit and delete: the comment's author (deleting keeps a placeholder: the body,
  mentions and attachments are removed).
- Hide and restore: the community's moderators.
- Accept an answer on a question: the asker or a moderator.

``Post.comment_count`` counts the comments readers see in full (neither deleted nor
hidden) and is kept with F() expressions.
"""

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from communities import permissions
from communities.markdown import render_markdown
from communities.models import Attachment, Comment, Flag, Post
from communities.parsing import mentioned_members
from communities.selectors.posts import post_is_readable
from communities.services.attachments import (
    attachment_files_delete_on_commit,
    attachments_link,
    attachments_prepare,
)
from communities.services.flags import flags_close
from communities.services.posts import (
    markdown_body_clean,
    post_participation_check,
)
from config.errors import NotFound, PermissionDenied, ValidationError
from metrics.models import Activity
from metrics.services import activity_record
from notifications.events import community_group, post_group, send_event_on_commit
from notifications.services.sources import (
    answer_accepted_notify,
    comment_created_notify,
    content_moderated_notify,
)


def _count_change(post_id: int, delta: int) -> None:
    Post.objects.filter(pk=post_id).update(comment_count=F("comment_count") + delta)


def _comment_readable_check(user, comment: Comment) -> None:
    """NotFound unless ``user`` may read the post and, for a hidden comment, is its
    author or a moderator."""
    if not post_is_readable(user=user, post=comment.post):
        raise NotFound(_("This comment does not exist."))
    if (
        comment.is_hidden
        and comment.author_id != user.pk
        and not permissions.can_moderate(user, comment.post.community)
    ):
        raise NotFound(_("This comment does not exist."))


@transaction.atomic
def comment_create(
    *, author, post: Post, body: str, parent: Comment | None = None, attachments=()
) -> Comment:
    """Comment on ``post`` (or reply to ``parent``, a comment of the same post).

    Body: Markdown, required, <= ``CERCLE_COMMENT_BODY_MAX_LENGTH`` (ValidationError with
    field_errors {"body": [...]}); mentions of members who may read the community are
    stored. NotFound when the author may not read the post, PermissionDenied when banned,
    ValidationError for an archived community or a deleted parent. Increments
    ``post.comment_count``, logs COMMENT_CREATED and sends ``comment.created`` to the
    community group on commit.
    """
    post_participation_check(user=author, post=post)
    if parent is not None:
        if parent.post_id != post.pk:
            raise ValidationError(
                _("You can only reply to a comment of the same post."),
                field_errors={"parent": [_("Not a comment of this post.")]},
            )
        if parent.parent_id is not None:
            parent = parent.parent
        if parent.is_deleted:
            raise ValidationError(
                _("This comment was deleted: it takes no replies."),
                field_errors={"parent": [_("Deleted.")]},
            )
    body, errors = markdown_body_clean(body, max_length=settings.CERCLE_COMMENT_BODY_MAX_LENGTH)
    if errors:
        raise ValidationError(_("The comment cannot be published."), field_errors={"body": errors})
    prepared = attachments_prepare(uploader=author, attachments=attachments)
    comment = Comment.objects.create(
        post=post, author=author, parent=parent, body=body, body_html=render_markdown(body)
    )
    comment.mentions.set(mentioned_members(body, community=post.community))
    attachments_link(uploader=author, prepared=prepared, comment=comment)
    _count_change(post.pk, +1)
    # Addressed to the author of the thread replied to (a reply to a reply joined it), else
    # to the post's author; to nobody when that is the commenter (activity_record).
    activity_record(
        actor=author,
        verb=Activity.Verb.COMMENT_CREATED,
        community=post.community_id,
        target=comment,
        subject=parent.author_id if parent is not None else post.author_id,
    )
    comment_created_notify(comment=comment)
    send_event_on_commit(
        groups=[community_group(post.community_id), post_group(post.pk)],
        event_type="comment.created",
        data={
            "comment_id": comment.pk,
            "post_id": post.pk,
            "parent_id": comment.parent_id,
            "community_id": post.community_id,
            "author_id": author.pk,
        },
    )
    return comment


@transaction.atomic
def comment_update(*, actor, comment: Comment, body: str) -> Comment:
    """Edit ``comment``: its author only (PermissionDenied for others, NotFound when they
    may not read it). Sets ``edited_at``, re-renders and re-parses mentions. A deleted
    comment or an archived community: ValidationError."""
    _comment_readable_check(actor, comment)
    if comment.author_id != actor.pk:
        raise PermissionDenied(_("Only the author can edit this comment."))
    if comment.is_deleted:
        raise ValidationError(_("This comment was deleted."))
    if comment.post.community.is_archived:
        raise ValidationError(_("This community is archived: it takes no new content."))
    body, errors = markdown_body_clean(body, max_length=settings.CERCLE_COMMENT_BODY_MAX_LENGTH)
    if errors:
        raise ValidationError(_("The comment cannot be saved."), field_errors={"body": errors})
    if body == comment.body:
        return comment
    comment.body, comment.body_html, comment.edited_at = body, render_markdown(body), timezone.now()
    comment.save(update_fields=["body", "body_html", "edited_at"])
    comment.mentions.set(mentioned_members(body, community=comment.post.community))
    return comment


@transaction.atomic
def comment_delete(*, actor, comment: Comment) -> None:
    """Delete ``comment``: its author only. The row stays as a placeholder (replies keep
    their thread) with the body, mentions and attachments removed (files on commit);
    an accepted answer stops being one. Idempotent."""
    _comment_readable_check(actor, comment)
    if comment.author_id != actor.pk:
        raise PermissionDenied(_("Only the author can delete this comment."))
    if comment.is_deleted:
        return
    if not comment.is_hidden:
        _count_change(comment.post_id, -1)
    attachments = list(Attachment.objects.filter(comment=comment))
    attachment_files_delete_on_commit(attachments)
    Attachment.objects.filter(comment=comment).delete()
    comment.mentions.clear()
    comment.is_deleted, comment.body, comment.body_html = True, "", ""
    comment.save(update_fields=["is_deleted", "body", "body_html"])
    Post.objects.filter(pk=comment.post_id, accepted_answer=comment).update(accepted_answer=None)


def _moderator_check(actor, comment: Comment) -> None:
    if permissions.can_moderate(actor, comment.post.community):
        return
    _comment_readable_check(actor, comment)
    raise PermissionDenied(_("Only moderators can hide or restore content."))


@transaction.atomic
def comment_hide(*, actor, comment: Comment) -> Comment:
    """Hide ``comment`` (others see a placeholder): moderators only. Resolves its open
    flags as "content hidden"; a hidden accepted answer stops being one. Idempotent."""
    _moderator_check(actor, comment)
    if not comment.is_hidden:
        comment.is_hidden = True
        comment.save(update_fields=["is_hidden"])
        if not comment.is_deleted:
            _count_change(comment.post_id, -1)
        Post.objects.filter(pk=comment.post_id, accepted_answer=comment).update(
            accepted_answer=None
        )
        content_moderated_notify(actor=actor, action="hidden", comment=comment)
    flags_close(actor=actor, status=Flag.Status.HIDDEN, comment=comment)
    return comment


@transaction.atomic
def comment_restore(*, actor, comment: Comment) -> Comment:
    """Show a hidden ``comment`` again: moderators only. Resolves its open flags as
    "content restored". Idempotent."""
    _moderator_check(actor, comment)
    if comment.is_hidden:
        comment.is_hidden = False
        comment.save(update_fields=["is_hidden"])
        if not comment.is_deleted:
            _count_change(comment.post_id, +1)
        content_moderated_notify(actor=actor, action="restored", comment=comment)
    flags_close(actor=actor, status=Flag.Status.RESTORED, comment=comment)
    return comment


def _answer_check(actor, post: Post) -> None:
    if not post_is_readable(user=actor, post=post):
        raise NotFound(_("This post does not exist."))
    if post.author_id != actor.pk and not permissions.can_moderate(actor, post.community):
        raise PermissionDenied(_("Only the person who asked or a moderator can do this."))
    if post.kind != Post.Kind.QUESTION:
        raise ValidationError(_("Only questions have an accepted answer."))


@transaction.atomic
def answer_accept(*, actor, post: Post, comment: Comment) -> Post:
    """Mark ``comment`` as the accepted answer of the question ``post``: the asker or a
    moderator (NotFound when they may not read it, PermissionDenied otherwise).

    ValidationError when the post is not a question or the comment is not one of its
    visible comments. Replaces a previous answer; logs ANSWER_ACCEPTED with the
    comment's author as actor and the asker as subject, whoever accepted it (accepting
    the same answer again logs nothing).
    """
    _answer_check(actor, post)
    if comment.post_id != post.pk or comment.is_deleted or comment.is_hidden:
        raise ValidationError(
            _("Choose one of the visible comments of this question."),
            field_errors={"comment": [_("Not a visible comment of this question.")]},
        )
    if post.accepted_answer_id == comment.pk:
        return post
    post.accepted_answer = comment
    post.save(update_fields=["accepted_answer", "updated_at"])
    activity_record(
        actor=comment.author_id,
        verb=Activity.Verb.ANSWER_ACCEPTED,
        community=post.community_id,
        target=comment,
        subject=post.author_id,
    )
    answer_accepted_notify(actor=actor, post=post, comment=comment)
    return post


@transaction.atomic
def answer_unaccept(*, actor, post: Post) -> Post:
    """Remove the accepted answer of the question ``post``: the asker or a moderator.
    Idempotent."""
    _answer_check(actor, post)
    if post.accepted_answer_id is not None:
        post.accepted_answer = None
        post.save(update_fields=["accepted_answer", "updated_at"])
    return post
