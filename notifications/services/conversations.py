"""Writes for direct conversations: start one (a 1:1 is reused, a group is new), send a
message, read, leave a group, add people to a group.

Who may do what
---------------
- Start: any member, with active colleagues (1:1 with one of them, a group with two or
  more), at most ``CERCLE_CONVERSATION_MAX_PEOPLE`` people including the starter.
- Everything else: the conversation's active participants only (``left_at`` empty).
  Anyone else, staff and superusers included, gets :class:`NotFound`, exactly as for a
  conversation that does not exist: what is said in a conversation stays in it.

Every write is atomic: on any error nothing is written (a refused start creates no
conversation) and no notification or live event leaves. After the commit, each message
sends ``message.created`` ``{conversation_id, message_id, author_id}`` to every active
participant's personal group (the author's other devices too), and the other active
participants are notified (``Kind.MESSAGE``, one unread notification per conversation
that counts the people who wrote) through the fan-out.
"""

from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from communities.markdown import render_markdown
from communities.services.posts import markdown_body_clean
from config.errors import NotFound, ValidationError
from notifications.events import send_personal_events_on_commit
from notifications.models import Conversation, ConversationMember, Kind, Message
from notifications.services.centre import notifications_mark_read
from notifications.services.fanout import Notice, notify
from profiles.models import User

TITLE_MAX_LENGTH = Conversation._meta.get_field("title").max_length
# Ids are 64-bit integers in the database; larger numbers cannot name anybody.
ID_MAX = 2**63 - 1


@dataclass(frozen=True)
class StartedConversation:
    """What :func:`conversation_start` did: the conversation (``created`` False when an
    existing 1:1 was reused) and the first message sent in it."""

    conversation: Conversation
    message: Message
    created: bool


def direct_key(user_id: int, other_id: int) -> str:
    """The key that makes a 1:1 conversation unique for a pair: ``"minid:maxid"``."""
    low, high = sorted((user_id, other_id))
    return f"{low}:{high}"


def _not_found() -> NotFound:
    return NotFound(_("This conversation does not exist."))


def _active_membership(*, user, conversation: Conversation) -> ConversationMember:
    """``user``'s membership of ``conversation`` while they take part; NotFound otherwise
    (whoever they are: staff and superusers are not participants)."""
    membership = ConversationMember.objects.filter(
        conversation_id=conversation.pk, user_id=user.pk, left_at__isnull=True
    ).first()
    if membership is None or not user.is_active:
        raise _not_found()
    return membership


def _cap_error(count: int) -> str | None:
    limit = settings.CERCLE_CONVERSATION_MAX_PEOPLE
    if count <= limit:
        return None
    return _("A conversation has at most %(limit)d people, you included (%(count)d here).") % {
        "limit": limit,
        "count": count,
    }


def _people_errors(*, actor, participant_ids, present: set[int]) -> tuple[list[User], list[str]]:
    """The active colleagues named by ``participant_ids``, the actor and the ``present``
    participants left out, with the errors a member should see: not a list of ids,
    nobody new, more people than ``CERCLE_CONVERSATION_MAX_PEOPLE`` with the actor and
    ``present`` (checked before any query), unknown or deactivated accounts."""
    if isinstance(participant_ids, str | bytes | dict) or not hasattr(participant_ids, "__iter__"):
        return [], [_("Give the people as a list of member ids.")]
    ids: list[int] = []
    seen = {actor.pk, *present}
    for value in participant_ids:
        if isinstance(value, bool) or not isinstance(value, int):
            return [], [_("Give the people as a list of member ids.")]
        if value not in seen:
            seen.add(value)
            ids.append(value)
    if not ids:
        if present:
            return [], [_("Everyone you chose already takes part in the conversation.")]
        return [], [_("Choose at least one colleague: you cannot talk to yourself alone.")]
    if cap := _cap_error(len(present | {actor.pk}) + len(ids)):
        return [], [cap]
    in_range = [pk for pk in ids if 0 < pk <= ID_MAX]
    users = {user.pk: user for user in User.objects.filter(pk__in=in_range, is_active=True)}
    missing = [pk for pk in ids if pk not in users]
    if missing:
        return [], [
            _("These people do not exist or their account is closed: %(ids)s.")
            % {"ids": ", ".join(str(pk) for pk in missing)}
        ]
    return [users[pk] for pk in ids], []


def _body_errors(body) -> tuple[str, list[str]]:
    if body is not None and not isinstance(body, str):
        return "", [_("The message must be text.")]
    return markdown_body_clean(body, max_length=settings.CERCLE_MESSAGE_MAX_LENGTH)


@transaction.atomic
def conversation_start(
    *, creator, participant_ids, body: str, title: str = ""
) -> StartedConversation:
    """Start a conversation between ``creator`` and the members ``participant_ids`` (a
    list of user ids; the creator's own id and repeats are ignored), and send ``body``
    as its first message (see :func:`message_send`).

    One other person: their 1:1 conversation, reused when it exists (``direct_key``
    "minid:maxid"; ``title`` is ignored, a 1:1 has none). Two or more: a new group
    conversation, with the optional ``title`` (at most 120 characters).

    ValidationError, with every problem in ``field_errors`` and nothing written, for:
    ``participants`` not a list of ids, nobody but the creator, unknown or deactivated
    accounts, more than ``CERCLE_CONVERSATION_MAX_PEOPLE`` people including the creator;
    ``body`` empty or longer than ``CERCLE_MESSAGE_MAX_LENGTH``; ``title`` too long.
    """
    errors: dict[str, list[str]] = {}
    people, people_errors = _people_errors(
        actor=creator, participant_ids=participant_ids, present=set()
    )
    if people_errors:
        errors["participants"] = people_errors
    body, body_errors = _body_errors(body)
    if body_errors:
        errors["body"] = body_errors
    title = (title or "").strip() if isinstance(title, str) else ""
    if len(title) > TITLE_MAX_LENGTH:
        errors["title"] = [
            _("The title is too long (at most %(limit)d characters).") % {"limit": TITLE_MAX_LENGTH}
        ]
    if errors:
        raise ValidationError(_("The conversation cannot be started."), field_errors=errors)

    if len(people) == 1:
        conversation, created = _direct_conversation(creator=creator, other=people[0])
    else:
        conversation = Conversation.objects.create(title=title, is_group=True, created_by=creator)
        ConversationMember.objects.bulk_create(
            [ConversationMember(conversation=conversation, user=creator)]
            + [ConversationMember(conversation=conversation, user=person) for person in people]
        )
        created = True
    author_membership = _active_membership(user=creator, conversation=conversation)
    message = _message_post(
        author=creator, membership=author_membership, conversation=conversation, body=body
    )
    return StartedConversation(conversation=conversation, message=message, created=created)


def _direct_conversation(*, creator, other) -> tuple[Conversation, bool]:
    """The 1:1 conversation of the pair, created when missing (a concurrent start of the
    same pair reuses the winner's row)."""
    key = direct_key(creator.pk, other.pk)
    conversation = Conversation.objects.filter(direct_key=key).first()
    if conversation is not None:
        return conversation, False
    try:
        with transaction.atomic():
            conversation = Conversation.objects.create(
                direct_key=key, is_group=False, created_by=creator
            )
            ConversationMember.objects.bulk_create(
                [
                    ConversationMember(conversation=conversation, user=creator),
                    ConversationMember(conversation=conversation, user=other),
                ]
            )
    except IntegrityError:
        return Conversation.objects.get(direct_key=key), False
    return conversation, True


@transaction.atomic
def message_send(*, author, conversation: Conversation, body: str) -> Message:
    """Send ``body`` (Markdown, rendered and sanitised like posts) in ``conversation``.

    Only its active participants may (NotFound for anyone else). ValidationError with
    ``field_errors={"body": [...]}`` when the text is empty or longer than
    ``CERCLE_MESSAGE_MAX_LENGTH``. Moves ``last_message_at``; the author has read their
    own message. On commit: ``message.created`` to every active participant and a
    notification to the others (see the module docstring).
    """
    membership = _active_membership(user=author, conversation=conversation)
    body, errors = _body_errors(body)
    if errors:
        raise ValidationError(_("The message cannot be sent."), field_errors={"body": errors})
    return _message_post(author=author, membership=membership, conversation=conversation, body=body)


def _message_post(
    *, author, membership: ConversationMember, conversation: Conversation, body: str
) -> Message:
    message = Message.objects.create(
        conversation=conversation, author=author, body=body, body_html=render_markdown(body)
    )
    at = message.created_at
    # Concurrent messages never move the clocks backwards.
    Conversation.objects.filter(pk=conversation.pk).filter(
        Q(last_message_at__isnull=True) | Q(last_message_at__lt=at)
    ).update(last_message_at=at)
    ConversationMember.objects.filter(pk=membership.pk).filter(
        Q(last_read_at__isnull=True) | Q(last_read_at__lt=at)
    ).update(last_read_at=at)
    conversation.last_message_at = max(filter(None, [conversation.last_message_at, at]))

    participant_ids = list(
        ConversationMember.objects.filter(
            conversation_id=conversation.pk, left_at__isnull=True, user__is_active=True
        ).values_list("user_id", flat=True)
    )
    notify(
        notice=Notice(
            kind=Kind.MESSAGE,
            actor_id=author.pk,
            conversation_id=conversation.pk,
            group_key=f"message:{conversation.pk}",
        ),
        candidates=participant_ids,
    )
    event = {"conversation_id": conversation.pk, "message_id": message.pk, "author_id": author.pk}
    send_personal_events_on_commit(
        event_type="message.created", data_by_user=dict.fromkeys(participant_ids, event)
    )
    return message


@transaction.atomic
def conversation_read(*, user, conversation: Conversation) -> int:
    """``user`` has read ``conversation`` up to now: its unread state clears, and so do
    their message notifications of it (``notifications_mark_read``, which tells their
    devices on commit). Active participants only (NotFound otherwise). Returns how many
    notifications were marked read."""
    membership = _active_membership(user=user, conversation=conversation)
    ConversationMember.objects.filter(pk=membership.pk).update(last_read_at=timezone.now())
    return notifications_mark_read(user=user, conversation_id=conversation.pk)


@transaction.atomic
def conversation_leave(*, user, conversation: Conversation) -> None:
    """``user`` leaves the group ``conversation``: they no longer see it nor receive its
    messages, and their notifications of it are marked read. The others still see that
    they took part (and when they left). Active participants only (NotFound otherwise);
    a 1:1 conversation cannot be left (ValidationError)."""
    membership = _active_membership(user=user, conversation=conversation)
    if not conversation.is_group:
        message = _("You cannot leave a direct conversation.")
        raise ValidationError(message, field_errors={"non_field_errors": [message]})
    ConversationMember.objects.filter(pk=membership.pk).update(left_at=timezone.now())
    notifications_mark_read(user=user, conversation_id=conversation.pk)


@transaction.atomic
def conversation_participants_add(*, actor, conversation: Conversation, participant_ids) -> list:
    """Add the active members ``participant_ids`` to the group ``conversation`` and
    return them (people already in it are ignored; someone who had left comes back).
    Added people see the conversation's earlier messages.

    Active participants only (NotFound otherwise). ValidationError with
    ``field_errors={"participants": [...]}`` and nothing written for: a 1:1
    conversation, not a list of ids, nobody new, unknown or deactivated accounts, more
    than ``CERCLE_CONVERSATION_MAX_PEOPLE`` people in all. The conversation row is
    locked so that two simultaneous additions cannot pass the cap together.
    """
    _active_membership(user=actor, conversation=conversation)
    if not conversation.is_group:
        message = _("A direct conversation stays between two people: start a group instead.")
        raise ValidationError(message, field_errors={"participants": [message]})
    Conversation.objects.select_for_update().filter(pk=conversation.pk).first()
    present = set(
        ConversationMember.objects.filter(
            conversation_id=conversation.pk, left_at__isnull=True
        ).values_list("user_id", flat=True)
    )
    people, errors = _people_errors(actor=actor, participant_ids=participant_ids, present=present)
    if errors:
        raise ValidationError(_("Nobody was added."), field_errors={"participants": errors})
    ids = [person.pk for person in people]
    now = timezone.now()
    returning = set(
        ConversationMember.objects.filter(
            conversation_id=conversation.pk, user_id__in=ids, left_at__isnull=False
        ).values_list("user_id", flat=True)
    )
    if returning:
        ConversationMember.objects.filter(
            conversation_id=conversation.pk, user_id__in=returning
        ).update(left_at=None, joined_at=now, last_read_at=None)
    ConversationMember.objects.bulk_create(
        [
            ConversationMember(conversation=conversation, user=person)
            for person in people
            if person.pk not in returning
        ]
    )
    return people


__all__ = [
    "StartedConversation",
    "conversation_leave",
    "conversation_participants_add",
    "conversation_read",
    "conversation_start",
    "direct_key",
    "message_send",
]
