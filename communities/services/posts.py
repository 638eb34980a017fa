"""Writes for posts: publish (with a poll, an event, attachments), edit, delete, read,
hide and restore.

Who may do what (superusers count as moderators and readers everywhere):

- publish: active members of the community; announcements: its owners and managers;
- edit: the author;
- delete: the author and the community's moderators;
- hide / restore: the community's moderators;
- read: whoever the one visibility rule lets read the community.

A member who may not read the community gets NotFound; an archived community takes no
new content (ValidationError). Every write is atomic: on any error nothing is written,
no activity is logged and no live event leaves.
"""

from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from communities import permissions
from communities.markdown import render_markdown
from communities.models import (
    Attachment,
    Community,
    Event,
    Flag,
    Membership,
    Poll,
    PollOption,
    Post,
)
from communities.parsing import mentioned_members, topics_for
from communities.selectors.posts import post_is_readable
from communities.services.attachments import (
    attachment_files_delete_on_commit,
    attachments_link,
    attachments_prepare,
)
from communities.services.flags import flags_close
from config.errors import NotFound, PermissionDenied, ValidationError
from metrics.models import Activity
from metrics.services import activity_record, utc_day_start
from notifications.events import community_group, send_event_on_commit
from notifications.services.sources import (
    content_moderated_notify,
    post_created_notify,
    post_mentions_notify,
)

TITLE_MAX_LENGTH = Post._meta.get_field("title").max_length
POLL_MIN_OPTIONS, POLL_MAX_OPTIONS = 2, 10
POLL_OPTION_MAX_LENGTH = PollOption._meta.get_field("label").max_length


def markdown_body_clean(body: str | None, *, max_length: int) -> tuple[str, list[str]]:
    """``body`` stripped, with the errors a member should see (empty, too long)."""
    body = (body or "").strip()
    if not body:
        return body, [_("Write something first: the text is empty.")]
    if len(body) > max_length:
        return body, [
            _("The text is too long (%(length)d characters; at most %(limit)d).")
            % {"length": len(body), "limit": max_length}
        ]
    return body, []


def post_participation_check(*, user, post: Post) -> None:
    """Refuse a reply, reaction, vote, RSVP or report on ``post`` by ``user``.

    NotFound when the member may not read the post (members banned from its community
    may not, whatever its visibility); ValidationError when the community is archived.
    """
    if not post_is_readable(user=user, post=post):
        raise NotFound(_("This post does not exist."))
    if post.community.is_archived:
        raise ValidationError(_("This community is archived: it takes no new content."))


def _aware(value, zone: ZoneInfo) -> datetime | None:
    if not isinstance(value, datetime):
        return None
    return timezone.make_aware(value, zone) if timezone.is_naive(value) else value


def _poll_clean(poll: dict) -> tuple[dict, list[str]]:
    errors = []
    options = [str(option).strip() for option in (poll.get("options") or [])]
    options = [option for option in options if option]
    if len(options) < POLL_MIN_OPTIONS:
        errors.append(_("A poll needs at least %(n)d options.") % {"n": POLL_MIN_OPTIONS})
    if len(options) > POLL_MAX_OPTIONS:
        errors.append(_("A poll has at most %(n)d options.") % {"n": POLL_MAX_OPTIONS})
    if len({option.casefold() for option in options}) != len(options):
        errors.append(_("Two options of the poll are the same."))
    if any(len(option) > POLL_OPTION_MAX_LENGTH for option in options):
        errors.append(
            _("A poll option has at most %(n)d characters.") % {"n": POLL_OPTION_MAX_LENGTH}
        )
    closes_at = poll.get("closes_at")
    if closes_at is not None:
        closes_at = _aware(closes_at, ZoneInfo("UTC"))
        if closes_at is None:
            errors.append(_("The closing date of the poll is not a date."))
        elif closes_at <= timezone.now():
            errors.append(_("The closing date of the poll is in the past."))
    cleaned = {
        "options": options,
        "allows_multiple": bool(poll.get("allows_multiple", False)),
        "closes_at": closes_at,
    }
    return cleaned, errors


def _event_clean(event: dict) -> tuple[dict, list[str]]:
    errors = []
    zone_name = (event.get("timezone") or "UTC").strip()
    try:
        zone = ZoneInfo(zone_name)
    except (ZoneInfoNotFoundError, ValueError):
        errors.append(_("“%(zone)s” is not a time zone.") % {"zone": zone_name})
        zone = ZoneInfo("UTC")
    starts_at = _aware(event.get("starts_at"), zone)
    ends_at = _aware(event.get("ends_at"), zone)
    if starts_at is None or ends_at is None:
        errors.append(_("An event needs a start and an end."))
    elif ends_at < starts_at:
        errors.append(_("The event ends before it starts."))
    elif ends_at <= timezone.now():
        errors.append(_("The event is already over."))
    online_url = (event.get("online_url") or "").strip()
    if online_url:
        try:
            URLValidator(schemes=["http", "https"])(online_url)
        except DjangoValidationError:
            errors.append(_("The online link is not a web address."))
    capacity = event.get("capacity")
    if capacity in ("", None):
        capacity = None
    else:
        try:
            capacity = int(capacity)
        except (TypeError, ValueError):
            capacity = 0
        if capacity < 1:
            errors.append(_("The capacity is a number of seats, at least 1."))
    location = (event.get("location") or "").strip()
    if len(location) > Event._meta.get_field("location").max_length:
        errors.append(_("The place is too long."))
    cleaned = {
        "starts_at": starts_at,
        "ends_at": ends_at,
        "timezone": zone_name,
        "location": location,
        "online_url": online_url,
        "capacity": capacity,
    }
    return cleaned, errors


def _title_errors(title: str) -> list[str]:
    if not title:
        return [_("A post needs a title.")]
    if len(title) > TITLE_MAX_LENGTH:
        return [_("The title has at most %(n)d characters.") % {"n": TITLE_MAX_LENGTH}]
    return []


def _parse_into(post: Post) -> None:
    post.topics.set(topics_for(post.body))
    post.mentions.set(mentioned_members(post.body, community=post.community))


@transaction.atomic
def post_create(
    *,
    author,
    community: Community,
    title: str,
    body: str,
    kind: str = Post.Kind.DISCUSSION,
    poll: dict | None = None,
    event: dict | None = None,
    attachments=(),
    requires_acknowledgement: bool = False,
) -> Post:
    """Publish a post in ``community``.

    - ``author`` must be an active member (NotFound for a secret community they cannot
      see, PermissionDenied otherwise); announcements: owners and managers only.
    - ``title`` (<= 200 characters) and the Markdown ``body``
      (<= ``CERCLE_POST_BODY_MAX_LENGTH``) are required; the body is rendered to safe
      ``body_html``; its #topics are stored (created when new) and its @mentions
      resolved to members who may read the community.
    - ``kind="poll"`` needs ``poll={"options": [2 to 10 labels], "allows_multiple":
      bool, "closes_at": datetime | None}``; ``kind="event"`` needs ``event={"starts_at",
      "ends_at", "timezone", "location", "online_url", "capacity"}`` (naive datetimes are
      read in the event's time zone).
    - ``attachments``: uploads and/or unattached attachments the author stored earlier
      (see :mod:`communities.services.attachments`).
    - ``requires_acknowledgement``: announcements only; members see a banner until they
      acknowledge it (see :mod:`notifications.services.announcements`).

    Bad input raises ValidationError with ``field_errors`` (keys: title, body, kind,
    poll, event, attachments, file) before anything is written. Logs POST_CREATED and
    sends ``post.created`` to the community group on commit.
    """
    if not permissions.can_see(author, community):
        raise NotFound(_("This community does not exist."))
    membership = permissions.active_membership(author, community)
    if membership is None:
        raise PermissionDenied(_("Only members can post in this community."))
    if community.is_archived:
        raise ValidationError(_("This community is archived: it takes no new content."))
    if kind not in Post.Kind.values:
        raise ValidationError(
            _("Unknown kind of post."), field_errors={"kind": [_("Choose a kind of post.")]}
        )
    if kind == Post.Kind.ANNOUNCEMENT and membership.role not in Membership.MANAGING_ROLES:
        raise PermissionDenied(_("Only community managers can publish announcements."))

    title, body = (title or "").strip(), body or ""
    body, body_errors = markdown_body_clean(body, max_length=settings.CERCLE_POST_BODY_MAX_LENGTH)
    errors: dict[str, list[str]] = {}
    if title_errors := _title_errors(title):
        errors["title"] = title_errors
    if body_errors:
        errors["body"] = body_errors
    poll_data = event_data = None
    if kind == Post.Kind.POLL:
        poll_data, poll_errors = _poll_clean(poll or {})
        if poll_errors:
            errors["poll"] = poll_errors
    elif poll:
        errors["poll"] = [_("Only a poll post has a poll.")]
    if kind == Post.Kind.EVENT:
        event_data, event_errors = _event_clean(event or {})
        if event_errors:
            errors["event"] = event_errors
    elif event:
        errors["event"] = [_("Only an event post has an event.")]
    if requires_acknowledgement and kind != Post.Kind.ANNOUNCEMENT:
        errors["requires_acknowledgement"] = [_("Only announcements ask for acknowledgement.")]
    if errors:
        raise ValidationError(_("The post cannot be published as it is."), field_errors=errors)
    prepared = attachments_prepare(uploader=author, attachments=attachments)

    post = Post.objects.create(
        community=community,
        author=author,
        kind=kind,
        title=title,
        body=body,
        body_html=render_markdown(body),
        requires_acknowledgement=requires_acknowledgement,
    )
    _parse_into(post)
    if poll_data is not None:
        created_poll = Poll.objects.create(
            post=post,
            allows_multiple=poll_data["allows_multiple"],
            closes_at=poll_data["closes_at"],
        )
        PollOption.objects.bulk_create(
            PollOption(poll=created_poll, label=label, position=position)
            for position, label in enumerate(poll_data["options"])
        )
    if event_data is not None:
        Event.objects.create(post=post, **event_data)
    attachments_link(uploader=author, prepared=prepared, post=post)
    activity_record(actor=author, verb=Activity.Verb.POST_CREATED, community=community, target=post)
    post_created_notify(post=post)
    send_event_on_commit(
        groups=[community_group(community.pk)],
        event_type="post.created",
        data={
            "post_id": post.pk,
            "community_id": community.pk,
            "author_id": author.pk,
            "kind": kind,
            "title": title,
        },
    )
    return post


def _require_readable(user, post: Post) -> None:
    if not post_is_readable(user=user, post=post):
        raise NotFound(_("This post does not exist."))


@transaction.atomic
def post_update(*, actor, post: Post, title: str | None = None, body: str | None = None) -> Post:
    """Edit the title and/or body (None keeps it) of ``post``: its author only.

    Re-renders the body, re-parses topics and mentions and sets ``edited_at`` when
    something changed. NotFound for a member who may not read it, PermissionDenied for
    anyone but the author, ValidationError (field_errors title/body) for bad input or an
    archived community.
    """
    _require_readable(actor, post)
    if post.author_id != actor.pk:
        raise PermissionDenied(_("Only the author can edit this post."))
    if post.community.is_archived:
        raise ValidationError(_("This community is archived: it takes no new content."))
    errors: dict[str, list[str]] = {}
    new_title, new_body = post.title, post.body
    if title is not None:
        new_title = title.strip()
        if title_errors := _title_errors(new_title):
            errors["title"] = title_errors
    if body is not None:
        new_body, body_errors = markdown_body_clean(
            body, max_length=settings.CERCLE_POST_BODY_MAX_LENGTH
        )
        if body_errors:
            errors["body"] = body_errors
    if errors:
        raise ValidationError(_("The post cannot be saved as it is."), field_errors=errors)
    if (new_title, new_body) == (post.title, post.body):
        return post
    post_mentions_notify(post=post)
    post.title, post.body = new_title, new_body
    post.body_html = render_markdown(new_body)
    post.edited_at = timezone.now()
    post.save(update_fields=["title", "body", "body_html", "edited_at", "updated_at"])
    _parse_into(post)
    return post


@transaction.atomic
def post_delete(*, actor, post: Post) -> None:
    """Delete ``post`` with its comments, reactions, poll, event, flags and attachments
    (files removed on commit): its author or the community's moderators. NotFound for a
    member who may not read it, PermissionDenied for other readers. Sends
    ``post.deleted`` to the community group on commit."""
    _require_readable(actor, post)
    if post.author_id != actor.pk and not permissions.can_moderate(actor, post.community):
        raise PermissionDenied(_("Only the author or a moderator can delete this post."))
    attachment_files_delete_on_commit(
        list(Attachment.objects.filter(post=post))
        + list(Attachment.objects.filter(comment__post=post))
    )
    post_id, community_id = post.pk, post.community_id
    post.delete()
    send_event_on_commit(
        groups=[community_group(community_id)],
        event_type="post.deleted",
        data={"post_id": post_id, "community_id": community_id},
    )


@transaction.atomic
def post_read(*, user, post: Post) -> None:
    """Record that ``user`` opened ``post``: POST_READ at most once per member, post and
    UTC day. NotFound when the member may not read it."""
    _require_readable(user, post)
    already = Activity.objects.filter(
        actor_id=user.pk,
        verb=Activity.Verb.POST_READ,
        object_type=Post._meta.model_name,
        object_id=post.pk,
        created_at__gte=utc_day_start(),
    ).exists()
    if not already:
        activity_record(
            actor=user,
            verb=Activity.Verb.POST_READ,
            community=post.community_id,
            target=post,
            subject=post.author_id,
        )


def _moderator_check(actor, post: Post) -> None:
    if permissions.can_moderate(actor, post.community):
        return
    _require_readable(actor, post)
    raise PermissionDenied(_("Only moderators can hide or restore content."))


@transaction.atomic
def post_hide(*, actor, post: Post) -> Post:
    """Hide ``post`` from everyone but its author and the moderators: moderators only
    (PermissionDenied for readers, NotFound for others). Open flags on it are resolved
    as "content hidden". Idempotent."""
    _moderator_check(actor, post)
    if not post.is_hidden:
        post.is_hidden = True
        post.save(update_fields=["is_hidden", "updated_at"])
        content_moderated_notify(actor=actor, action="hidden", post=post)
    flags_close(actor=actor, status=Flag.Status.HIDDEN, post=post)
    return post


@transaction.atomic
def post_restore(*, actor, post: Post) -> Post:
    """Show a hidden ``post`` again: moderators only. Open flags on it are resolved as
    "content restored". Idempotent."""
    _moderator_check(actor, post)
    if post.is_hidden:
        post.is_hidden = False
        post.save(update_fields=["is_hidden", "updated_at"])
        content_moderated_notify(actor=actor, action="restored", post=post)
    flags_close(actor=actor, status=Flag.Status.RESTORED, post=post)
    return post


__all__ = [
    "markdown_body_clean",
    "post_create",
    "post_delete",
    "post_hide",
    "post_participation_check",
    "post_read",
    "post_restore",
    "post_update",
]
