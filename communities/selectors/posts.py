"""Reads for posts, comments, polls, events, topics and the moderation queue.

Every selector here builds on the one visibility rule
(:func:`communities.selectors.visibility.community_visibility_q`): a post in a private
or secret community is readable only by the community's active members (and
superusers). What the asking member may not read answers :class:`config.errors.NotFound`.

Hidden posts (hidden by a moderator) stay readable, through :func:`post_get_for`, by
their author and by the community's moderators; lists never show them.

Lists are joined and annotated so that their query count does not grow with the rows.
The reaction summary is attached by :func:`reaction_summary_attach`, in one query, to
the posts or comments actually shown: :func:`post_get_for` and :func:`comments_for` do
it themselves; post lists (:func:`post_list`, :func:`community_stream`) are paginated
first, and the caller attaches it to the page. Each post or comment then carries:

- ``reaction_counts``: ``{kind: count}`` for every configured kind (zeros included)
  and any other kind present;
- ``reaction_total``: all reactions;
- ``my_reactions``: the kinds the asking member reacted with.
"""

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime

from django.conf import settings
from django.db.models import (
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from communities import permissions
from communities.models import (
    Attachment,
    Comment,
    Community,
    Event,
    Flag,
    Membership,
    Poll,
    Post,
    Reaction,
    Rsvp,
    Topic,
)
from communities.selectors.visibility import community_visibility_q
from config.errors import NotFound, PermissionDenied


def _user_id(user) -> int | None:
    return user.pk if user is not None and user.is_authenticated else None


def reaction_summary_attach(objects: Iterable, *, user) -> list:
    """Set ``reaction_counts``, ``reaction_total`` and ``my_reactions`` (for ``user``) on
    each post or comment of ``objects`` (all of one model: a page of a list, or one
    object), and return them as a list. One query whatever their number, none when
    there are none."""
    objects = list(objects)
    if not objects:
        return objects
    field = "post_id" if isinstance(objects[0], Post) else "comment_id"
    user_id = _user_id(user)
    rows = (
        Reaction.objects.filter(**{f"{field}__in": [obj.pk for obj in objects]})
        .values(field, "kind")
        .annotate(count=Count("id"), mine=Count("id", filter=Q(user_id=user_id)))
        .order_by()
    )
    counts: dict[int, dict[str, int]] = defaultdict(dict)
    mine: dict[int, list[str]] = defaultdict(list)
    for row in rows:
        counts[row[field]][row["kind"]] = row["count"]
        if row["mine"]:
            mine[row[field]].append(row["kind"])
    for obj in objects:
        found = counts.get(obj.pk, {})
        summary = {kind: found.get(kind, 0) for kind in settings.CERCLE_REACTION_KINDS}
        summary.update({kind: n for kind, n in found.items() if kind not in summary})
        obj.reaction_counts = summary
        obj.reaction_total = sum(found.values())
        obj.my_reactions = sorted(mine.get(obj.pk, []))
    return objects


def _moderated_community_ids(user) -> QuerySet:
    return Membership.objects.filter(
        user_id=_user_id(user),
        status=Membership.Status.ACTIVE,
        role__in=Membership.MODERATING_ROLES,
    ).values("community_id")


def _readable_posts(user, *, include_hidden: bool) -> QuerySet[Post]:
    """Posts in communities whose content ``user`` may read. ``include_hidden`` adds the
    hidden posts the member wrote or moderates."""
    posts = Post.objects.filter(
        community_visibility_q(user, prefix="community__", for_content=True)
    )
    if user.is_authenticated and user.is_superuser and include_hidden:
        return posts
    if include_hidden:
        return posts.filter(
            Q(is_hidden=False)
            | Q(author_id=_user_id(user))
            | Q(community_id__in=_moderated_community_ids(user))
        )
    return posts.filter(is_hidden=False)


def _joined(posts: QuerySet[Post]) -> QuerySet[Post]:
    return posts.select_related("author", "community", "poll", "event").prefetch_related(
        "attachments", "topics", "poll__options"
    )


def post_is_readable(*, user, post: Post) -> bool:
    """Whether ``user`` may open ``post`` (the same rule as :func:`post_get_for`)."""
    return _readable_posts(user, include_hidden=True).filter(pk=post.pk).exists()


def post_get_for(*, user, post_id: int) -> Post:
    """The post ``post_id`` as ``user`` may read it, joined with its author, community,
    poll (options), event, attachments, topics, mentions and accepted answer, and with its
    reaction summary. NotFound when it does not exist or the member may not read it
    (private/secret community they are not an active member of, or hidden and they are
    neither its author nor a moderator)."""
    try:
        post_id = int(post_id)
    except (TypeError, ValueError):
        raise NotFound(_("This post does not exist.")) from None
    post = (
        _joined(_readable_posts(user, include_hidden=True))
        .select_related("accepted_answer__author")
        .prefetch_related("mentions")
        .filter(pk=post_id)
        .first()
    )
    if post is None:
        raise NotFound(_("This post does not exist."))
    reaction_summary_attach([post], user=user)
    return post


def post_list(
    *,
    user,
    community: Community | int | None = None,
    author_id: int | None = None,
    kind: str | None = None,
    topic: str | None = None,
    created_after: datetime | None = None,
    created_before: datetime | None = None,
) -> QuerySet[Post]:
    """Posts ``user`` may read, newest first, hidden ones left out, filtered by any of:
    community (instance or id), author, kind, topic name (with or without ``#``) and
    creation range (``created_after`` <= created_at < ``created_before``).

    Joined: author, community, poll with options, event, attachments, topics (and the
    stored ``comment_count``); the query count does not depend on the number of rows.
    The reaction summary is not on them: pass the page being shown to
    :func:`reaction_summary_attach` (one more query).
    """
    posts = _readable_posts(user, include_hidden=False)
    if community is not None:
        posts = posts.filter(community_id=getattr(community, "pk", community))
    if author_id is not None:
        posts = posts.filter(author_id=author_id)
    if kind:
        posts = posts.filter(kind=kind)
    if topic:
        posts = posts.filter(topics__name=topic.lstrip("#").lower())
    if created_after is not None:
        posts = posts.filter(created_at__gte=created_after)
    if created_before is not None:
        posts = posts.filter(created_at__lt=created_before)
    return _joined(posts).order_by("-created_at", "-id")


def community_stream(*, user, community: Community) -> QuerySet[Post]:
    """The posts of ``community``, newest first, as :func:`post_list` joins them (the
    caller attaches the reaction summary to the page it shows).

    NotFound when the member may not know the community exists (secret); PermissionDenied
    when they may see it but not read it (a private community they are not a member of).
    """
    if not permissions.can_see(user, community):
        raise NotFound(_("This community does not exist."))
    if not permissions.can_read(user, community):
        raise PermissionDenied(_("Only members can read the conversations of this community."))
    return post_list(user=user, community=community)


def comments_for(*, user, post: Post) -> list[Comment]:
    """The comments of ``post``: top-level ones oldest first, each with its replies
    prefetched (``comment.replies.all()``, oldest first), authors, attachments and the
    reaction summary, in a constant number of queries.

    Hidden comments are shown in full to moderators and to their author; others get a
    placeholder: ``body``/``body_html`` emptied and ``placeholder`` set to the reason.
    Deleted comments always are placeholders, and a deleted or hidden top-level comment
    without visible replies is left out. Every comment carries ``placeholder`` (None when
    shown in full). NotFound when the member may not read the post.
    """
    if not post_is_readable(user=user, post=post):
        raise NotFound(_("This post does not exist."))
    moderator = permissions.can_moderate(user, post.community)
    replies = Comment.objects.select_related("author").prefetch_related("attachments")
    comments = list(
        Comment.objects.filter(post=post, parent__isnull=True)
        .select_related("author")
        .prefetch_related("attachments", Prefetch("replies", queryset=replies))
        .order_by("created_at", "id")
    )
    everything = [c for comment in comments for c in (comment, *comment.replies.all())]
    reaction_summary_attach(everything, user=user)
    user_id = _user_id(user)
    for comment in everything:
        comment.placeholder = None
        if comment.is_deleted:
            comment.placeholder = _("This comment was deleted by its author.")
        elif comment.is_hidden and not moderator and comment.author_id != user_id:
            comment.placeholder = _("This comment was hidden by a moderator.")
        if comment.placeholder:
            comment.body = ""
            comment.body_html = ""
    return [
        comment
        for comment in comments
        if comment.placeholder is None
        or any(reply.placeholder is None for reply in comment.replies.all())
    ]


def poll_results(*, poll: Poll) -> list[dict]:
    """One dict per option, in order: ``id``, ``label``, ``votes`` and ``percent`` (of the
    members who voted, rounded; multiple-choice polls may add up to more than 100)."""
    voters = poll.ballots.count()
    return [
        {
            "id": option.pk,
            "label": option.label,
            "votes": option.vote_count,
            "percent": round(100 * option.vote_count / voters) if voters else 0,
        }
        for option in poll.options.order_by("position", "id")
    ]


def event_attendance(*, event: Event) -> dict:
    """Counts of answers for ``event``: ``going`` (confirmed "yes"), ``waitlisted``
    ("yes" waiting for a seat), ``maybe``, ``not_going``, ``capacity`` (None = unlimited)
    and ``seats_left`` (None when unlimited)."""
    counts = event.rsvps.aggregate(
        going=Count("id", filter=Q(answer=Rsvp.Answer.YES, is_waitlisted=False)),
        waitlisted=Count("id", filter=Q(answer=Rsvp.Answer.YES, is_waitlisted=True)),
        maybe=Count("id", filter=Q(answer=Rsvp.Answer.MAYBE)),
        not_going=Count("id", filter=Q(answer=Rsvp.Answer.NO)),
    )
    counts["capacity"] = event.capacity
    counts["seats_left"] = (
        max(event.capacity - counts["going"], 0) if event.capacity is not None else None
    )
    return counts


def moderation_queue(*, user, community: Community | None = None) -> QuerySet[Flag]:
    """Open flags in the communities ``user`` moderates (all of them for superusers),
    oldest first, optionally for one community, joined with the reporter, the content
    and its author.

    Each flag carries ``content_author_id``, ``author_hidden_count`` (how many of the
    content author's posts and comments are hidden in that community),
    ``author_is_banned`` and ``suggest_ban`` (hidden count >=
    ``CERCLE_BAN_SUGGESTION_THRESHOLD`` and not banned yet).
    """
    flags = Flag.objects.filter(status=Flag.Status.OPEN)
    if not (user.is_authenticated and user.is_superuser):
        flags = flags.filter(community_id__in=_moderated_community_ids(user))
    if community is not None:
        flags = flags.filter(community_id=community.pk)
    hidden_posts = (
        Post.objects.filter(
            community_id=OuterRef("community_id"),
            author_id=OuterRef("content_author_id"),
            is_hidden=True,
        )
        .order_by()
        .values("community_id")
        .annotate(n=Count("id"))
        .values("n")
    )
    hidden_comments = (
        Comment.objects.filter(
            post__community_id=OuterRef("community_id"),
            author_id=OuterRef("content_author_id"),
            is_hidden=True,
        )
        .order_by()
        .values("post__community_id")
        .annotate(n=Count("id"))
        .values("n")
    )
    banned = Membership.objects.filter(
        community_id=OuterRef("community_id"),
        user_id=OuterRef("content_author_id"),
        status=Membership.Status.BANNED,
    )
    return (
        flags.select_related(
            "community", "reporter", "post__author", "comment__author", "comment__post"
        )
        .annotate(content_author_id=Coalesce("post__author_id", "comment__author_id"))
        .annotate(
            author_hidden_count=Coalesce(
                Subquery(hidden_posts, output_field=IntegerField()), Value(0)
            )
            + Coalesce(Subquery(hidden_comments, output_field=IntegerField()), Value(0)),
            author_is_banned=Exists(banned),
        )
        .annotate(
            suggest_ban=ExpressionWrapper(
                Q(author_hidden_count__gte=settings.CERCLE_BAN_SUGGESTION_THRESHOLD)
                & Q(author_is_banned=False),
                output_field=BooleanField(),
            )
        )
        .order_by("created_at", "id")
    )


def topic_list(*, search: str | None = None, user=None) -> QuerySet[Topic]:
    """Topics by name with ``post_count``: the posts (not hidden) the member may read.

    Without ``user`` only posts in public communities count, so that neither the count
    nor the name of a topic used only in private or secret communities leaks. Topics
    with no such post are left out. ``search`` matches the name (``#`` optional).
    """
    if user is not None and user.is_authenticated:
        readable = community_visibility_q(user, prefix="posts__community__", for_content=True)
    else:
        readable = Q(posts__community__visibility=Community.Visibility.PUBLIC)
    topics = Topic.objects.annotate(
        post_count=Count("posts", filter=readable & Q(posts__is_hidden=False), distinct=True)
    ).filter(post_count__gt=0)
    if search:
        topics = topics.filter(name__icontains=search.strip().lstrip("#").lower())
    return topics.order_by("name")


def attachment_get_for(*, user, attachment_id: int) -> Attachment:
    """The attachment ``attachment_id`` if ``user`` may read what it is attached to.

    On a post: the post is readable (:func:`post_is_readable`). On a comment: its post is
    readable and the comment is not hidden, unless the member wrote it or moderates the
    community. Not yet attached: only its uploader. NotFound otherwise, so that a file of a
    secret community answers exactly like a file that does not exist."""
    try:
        attachment_id = int(attachment_id)
    except (TypeError, ValueError):
        raise NotFound(_("This file does not exist.")) from None
    attachment = (
        Attachment.objects.select_related("post", "comment__post__community")
        .filter(pk=attachment_id)
        .first()
    )
    if attachment is None:
        raise NotFound(_("This file does not exist."))
    comment = attachment.comment
    if attachment.post is not None:
        readable = post_is_readable(user=user, post=attachment.post)
    elif comment is not None:
        readable = post_is_readable(user=user, post=comment.post) and (
            not comment.is_hidden
            or comment.author_id == user.pk
            or permissions.can_moderate(user, comment.post.community)
        )
    else:
        readable = attachment.uploaded_by_id == user.pk
    if not readable:
        raise NotFound(_("This file does not exist."))
    return attachment


def comment_get_for(*, user, comment_id: int) -> Comment:
    """The comment ``comment_id`` with its author, and its post as :func:`post_get_for`
    gives it to ``user``. NotFound when the comment does not exist or its post is not
    readable by the member."""
    comment = Comment.objects.select_related("author").filter(pk=comment_id).first()
    if comment is None:
        raise NotFound(_("This comment does not exist."))
    comment.post = post_get_for(user=user, post_id=comment.post_id)
    return comment
