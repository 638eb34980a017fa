"""Announcements that require acknowledgement: what replaces the all-staff email.

A community's managers publish an announcement with ``requires_acknowledgement``
(:func:`communities.services.posts.post_create`). Its members see a banner until they
acknowledge it (:func:`announcement_acknowledge`); managers follow the rate in the
acknowledgement report (:mod:`notifications.selectors.announcements`) and remind the
members who have not acknowledged yet (:func:`announcement_remind`), at most once per
``CERCLE_ANNOUNCEMENT_REMINDER_HOURS``.
"""

from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from communities import permissions
from communities.models import Post
from communities.selectors.posts import post_is_readable
from config.errors import Conflict, NotFound, PermissionDenied, RateLimited, ValidationError
from notifications.events import send_event_on_commit, user_group
from notifications.models import Acknowledgement, AnnouncementReminder, Kind
from notifications.quiet_hours import member_local_time
from notifications.selectors.announcements import announcement_require_managed, pending_member_ids
from notifications.services.centre import notifications_mark_read
from notifications.services.fanout import Notice, notify


@transaction.atomic
def announcement_acknowledge(*, user, post: Post) -> Acknowledgement:
    """``user`` acknowledges the announcement ``post``.

    Allowed to the active members of its community other than its author. NotFound
    when ``user`` may not read ``post``; PermissionDenied for a reader who is not an
    active member (a public community's visitor); ValidationError when ``post`` does
    not require acknowledgement or ``user`` wrote it; Conflict when they already
    acknowledged it (nothing changes, even when two requests race).

    Their unread notifications about ``post`` are marked read (their devices hear
    ``notification.read`` and ``unread_count`` on commit), and their devices hear
    ``announcement.acknowledged`` {post_id, community_id, acknowledged_at} on commit, so
    that their other open pages drop the banner and the Acknowledge button."""
    if not post_is_readable(user=user, post=post):
        raise NotFound(_("This announcement does not exist."))
    if not permissions.is_member(user, post.community):
        raise PermissionDenied(_("Only the community's members acknowledge its announcements."))
    if not post.requires_acknowledgement:
        raise ValidationError(_("This post does not ask members to acknowledge it."))
    if post.author_id == user.pk:
        raise ValidationError(_("You wrote this announcement: there is nothing to acknowledge."))
    if Acknowledgement.objects.filter(post_id=post.pk, user_id=user.pk).exists():
        raise Conflict(_("You already acknowledged this announcement."))
    try:
        with transaction.atomic():
            acknowledgement = Acknowledgement.objects.create(post=post, user=user)
    except IntegrityError:
        # Another request of the same member won the race.
        raise Conflict(_("You already acknowledged this announcement.")) from None
    notifications_mark_read(user=user, post_id=post.pk)
    send_event_on_commit(
        groups=[user_group(user.pk)],
        event_type="announcement.acknowledged",
        data={
            "post_id": post.pk,
            "community_id": post.community_id,
            "acknowledged_at": acknowledgement.created_at.isoformat(),
        },
    )
    return acknowledgement


@transaction.atomic
def announcement_remind(*, actor, post: Post) -> AnnouncementReminder:
    """``actor``, a manager of ``post``'s community, reminds every member who has not
    acknowledged ``post`` yet.

    Refusals: NotFound when ``actor`` may not read it, PermissionDenied when they do not
    manage the community, ValidationError when it does not require acknowledgement or
    everyone has acknowledged, RateLimited when the last reminder is less than
    ``CERCLE_ANNOUNCEMENT_REMINDER_HOURS`` old (the message says when the next one is
    possible, in the actor's time zone). The post row is locked so that two managers
    cannot both remind.

    Notifies (kind ``announcement``, ``data={"reminder": True}``) the pending members
    the fan-out lets hear it (their preferences and mutes apply; the actor is never
    notified) and records an :class:`AnnouncementReminder` with their number. Unread
    reminders of one announcement merge into one notification per member."""
    announcement_require_managed(user=actor, post=post)
    Post.objects.select_for_update().filter(pk=post.pk).values_list("pk", flat=True).first()
    pending = pending_member_ids(post)
    if not pending.exists():
        raise ValidationError(_("Everyone has acknowledged this announcement: nobody to remind."))
    last = (
        AnnouncementReminder.objects.filter(post_id=post.pk)
        .order_by("-sent_at")
        .values_list("sent_at", flat=True)
        .first()
    )
    hours = settings.CERCLE_ANNOUNCEMENT_REMINDER_HOURS
    if last is not None and last + timedelta(hours=hours) > timezone.now():
        following = member_local_time(
            time_zone=getattr(actor, "time_zone", "UTC"), at=last + timedelta(hours=hours)
        )
        raise RateLimited(
            _(
                "A reminder was already sent less than %(hours)d hours ago. "
                "The next one is possible from %(when)s."
            )
            % {"hours": hours, "when": formats.date_format(following, "DATETIME_FORMAT")}
        )
    reminded = notify(
        notice=Notice(
            kind=Kind.ANNOUNCEMENT,
            actor_id=actor.pk,
            community_id=post.community_id,
            post_id=post.pk,
            data={"reminder": True},
            group_key=f"announcement-reminder:{post.pk}",
        ),
        candidates=pending,
    )
    return AnnouncementReminder.objects.create(
        post=post, sent_by=actor, recipient_count=len(reminded)
    )


__all__ = ["announcement_acknowledge", "announcement_remind"]
