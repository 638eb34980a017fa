"""Writes for kudos: praise from one colleague to one or several others.

Who may do what:

- give: any active member, to active colleagues other than themselves, at most
  ``CERCLE_KUDOS_DAILY_CAP`` recipients per giver and UTC day; sharing into a
  community's stream needs an active membership of that community;
- hide: staff, and the owners and managers of the community the kudos was shared in.
"""

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from communities import permissions
from communities.models import Community, Post
from communities.services.posts import post_create, post_hide
from config.errors import NotFound, PermissionDenied, RateLimited, ValidationError
from metrics.models import Activity
from metrics.services import activities_record, utc_day_start
from notifications.events import send_event_on_commit, user_group
from notifications.services.sources import kudos_given_notify
from profiles.models import Kudos, User

KUDOS_MESSAGE_MAX_LENGTH = 1000


def kudos_value_label(value: str) -> str:
    """How a kudos value reads for people ("customer_first" -> "Customer first")."""
    return value.replace("_", " ").capitalize()


def kudos_recipients_given_today(*, giver: User) -> int:
    """How many recipients ``giver`` praised since midnight UTC (each recipient counts)."""
    return Kudos.recipients.through.objects.filter(
        kudos__giver_id=giver.pk, kudos__created_at__gte=utc_day_start()
    ).count()


def _recipients_clean(giver: User, recipients) -> list[User]:
    unique = list({recipient.pk: recipient for recipient in recipients or []}.values())
    if not unique:
        raise ValidationError(
            _("Choose at least one colleague to praise."),
            field_errors={"recipients": [_("Choose at least one colleague.")]},
        )
    if any(recipient.pk == giver.pk for recipient in unique):
        raise ValidationError(
            _("You cannot give kudos to yourself."),
            field_errors={"recipients": [_("You cannot give kudos to yourself.")]},
        )
    active_ids = set(
        User.objects.filter(
            pk__in=[recipient.pk for recipient in unique], is_active=True
        ).values_list("pk", flat=True)
    )
    if len(active_ids) != len(unique):
        raise ValidationError(
            _("Kudos go to active colleagues only."),
            field_errors={"recipients": [_("Not an active colleague.")]},
        )
    return unique


def _share_body(recipients: list[User], value: str, message: str) -> str:
    handles = " ".join(f"@{recipient.email.split('@', 1)[0]}" for recipient in recipients)
    return f"**{kudos_value_label(value)}** — {handles}\n\n{message}"


@transaction.atomic
def kudos_give(
    *,
    giver: User,
    recipients: list[User],
    value: str,
    message: str,
    community: Community | None = None,
) -> Kudos:
    """Praise ``recipients`` with a ``value`` from ``CERCLE_KUDOS_VALUES`` and a message.

    - not to yourself, only to active colleagues, at least one recipient
      (ValidationError, ``field_errors["recipients"]``); unknown value
      (``field_errors["value"]``); empty or too long message (``field_errors["message"]``);
    - at most ``CERCLE_KUDOS_DAILY_CAP`` recipients per giver and UTC day: RateLimited
      (HTTP 429) saying how many are left; the giver's row is locked so that two
      simultaneous gives cannot both pass the cap;
    - ``community``: the kudos is also published in its stream as a post by the giver
      mentioning the recipients (NotFound when the giver may not see the community,
      PermissionDenied when not an active member).

    Records KUDOS_GIVEN (one row per recipient, its subject); sends ``kudos.received`` to
    each recipient on commit. Nothing is written when anything is refused.
    """
    recipients = _recipients_clean(giver, recipients)
    errors: dict[str, list[str]] = {}
    if value not in settings.CERCLE_KUDOS_VALUES:
        errors["value"] = [
            _("Choose one of: %(values)s.")
            % {"values": ", ".join(kudos_value_label(v) for v in settings.CERCLE_KUDOS_VALUES)}
        ]
    message = (message or "").strip()
    if not message:
        errors["message"] = [_("Say why: a message is required.")]
    elif len(message) > KUDOS_MESSAGE_MAX_LENGTH:
        errors["message"] = [
            _("The message has at most %(n)d characters.") % {"n": KUDOS_MESSAGE_MAX_LENGTH}
        ]
    if errors:
        raise ValidationError(_("The kudos cannot be given as it is."), field_errors=errors)
    if community is not None:
        if not permissions.can_see(giver, community):
            raise NotFound(_("This community does not exist."))
        if not permissions.is_member(giver, community):
            raise PermissionDenied(_("Only members can share kudos in this community."))

    # Serialise the gives of one member: the cap is checked and used in one go.
    User.objects.select_for_update().filter(pk=giver.pk).first()
    cap = settings.CERCLE_KUDOS_DAILY_CAP
    used = kudos_recipients_given_today(giver=giver)
    if used + len(recipients) > cap:
        raise RateLimited(
            _(
                "You can praise at most %(cap)d colleagues a day; %(left)d left today. "
                "Try again tomorrow."
            )
            % {"cap": cap, "left": max(cap - used, 0)}
        )

    post = None
    if community is not None:
        post = post_create(
            author=giver,
            community=community,
            title=_("Kudos: %(value)s") % {"value": kudos_value_label(value)},
            body=_share_body(recipients, value, message),
        )
    kudos = Kudos.objects.create(
        giver=giver, value=value, message=message, community=community, post=post
    )
    kudos.recipients.set(recipients)
    # One row per colleague praised: "kudos received" counts each recipient.
    activities_record(
        actor=giver,
        verb=Activity.Verb.KUDOS_GIVEN,
        community=community,
        target=kudos,
        subjects=recipients,
    )
    send_event_on_commit(
        groups=[user_group(recipient.pk) for recipient in recipients],
        event_type="kudos.received",
        data={
            "kudos_id": kudos.pk,
            "giver_id": giver.pk,
            "value": value,
            "community_id": community.pk if community is not None else None,
        },
    )
    kudos_given_notify(kudos=kudos, recipients=recipients)
    return kudos


def kudos_can_hide(actor: User, kudos: Kudos) -> bool:
    """Staff, superusers, and managers of the community the kudos was shared in."""
    if not actor.is_authenticated or not actor.is_active:
        return False
    if actor.is_staff or actor.is_superuser:
        return True
    return kudos.community is not None and permissions.can_manage(actor, kudos.community)


@transaction.atomic
def kudos_hide(*, actor: User, kudos: Kudos) -> Kudos:
    """Hide ``kudos`` (moderation): staff, or an owner/manager of the community it was
    shared in; PermissionDenied for anyone else. The post that shared it is hidden too.
    Hidden kudos leave profiles, timelines, reputation and badge counts. Idempotent."""
    if not kudos_can_hide(actor, kudos):
        raise PermissionDenied(_("Only staff or the community's managers can hide kudos."))
    if not kudos.is_hidden:
        kudos.is_hidden = True
        kudos.save(update_fields=["is_hidden"])
    if kudos.post_id is not None:
        post = Post.objects.select_related("community").filter(pk=kudos.post_id).first()
        if post is not None and not post.is_hidden:
            if permissions.can_moderate(actor, post.community):
                post_hide(actor=actor, post=post)
            else:
                # Staff who do not moderate that community still take the praise down.
                Post.objects.filter(pk=post.pk).update(is_hidden=True)
    return kudos


__all__ = [
    "kudos_can_hide",
    "kudos_give",
    "kudos_hide",
    "kudos_recipients_given_today",
    "kudos_value_label",
]
