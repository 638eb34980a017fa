"""Reads for direct conversations, always scoped to the asking member.

A conversation exists only for its active participants (``left_at`` empty): every
selector here filters on that, and answers NotFound otherwise, whoever asks (staff and
superusers included; the admin, for superusers, is the only other way in). Lists cost
a fixed number of queries whatever their length: the asking member's unread count and
the last message are annotations, the participants one prefetch.
"""

from datetime import UTC, datetime

from django.db.models import (
    Count,
    DateTimeField,
    Exists,
    F,
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
from django.utils.translation import ngettext

from config.errors import NotFound
from notifications.models import Conversation, ConversationMember, Message
from profiles.models import User

ID_MAX = 2**63 - 1
# Stands for "never read": earlier than any message.
NEVER = datetime(1970, 1, 1, tzinfo=UTC)


def _my_membership(user) -> QuerySet[ConversationMember]:
    return ConversationMember.objects.filter(
        conversation_id=OuterRef("pk"), user_id=user.pk, left_at__isnull=True
    )


def _participating(user) -> QuerySet[Conversation]:
    """The conversations ``user`` takes part in, annotated for them: ``my_last_read_at``,
    ``unread_count`` (messages by others since they last read), the last message
    (``last_message_id``, ``last_message_html``, ``last_message_author_id``,
    ``last_message_author_name``) and ``active_participants`` (memberships with their
    user, by name)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Conversation.objects.none()
    mine = _my_membership(user)
    unread = (
        Message.objects.filter(conversation_id=OuterRef("pk"))
        .exclude(author_id=user.pk)
        .filter(
            created_at__gt=Coalesce(
                OuterRef("my_last_read_at"), Value(NEVER, output_field=DateTimeField())
            )
        )
        .order_by()
        .values("conversation_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    latest = Message.objects.filter(conversation_id=OuterRef("pk")).order_by("-created_at", "-id")
    return (
        Conversation.objects.filter(Exists(mine))
        .select_related("created_by")
        .annotate(
            my_last_read_at=Subquery(mine.values("last_read_at")[:1]),
            unread_count=Coalesce(Subquery(unread, output_field=IntegerField()), Value(0)),
            last_message_id=Subquery(latest.values("pk")[:1]),
            last_message_html=Subquery(latest.values("body_html")[:1]),
            last_message_author_id=Subquery(latest.values("author_id")[:1]),
            last_message_author_name=Subquery(latest.values("author__display_name")[:1]),
        )
        .prefetch_related(
            Prefetch(
                "participants",
                queryset=ConversationMember.objects.filter(left_at__isnull=True)
                .select_related("user")
                .order_by("user__display_name", "user_id"),
                to_attr="active_participants",
            )
        )
    )


def conversations_for(*, user, search: str | None = None) -> QuerySet[Conversation]:
    """The conversations ``user`` takes part in, latest activity first (see
    :func:`_participating` for the annotations; three queries whatever their number).

    ``search`` (case-insensitive) keeps those whose title, one of the messages or the
    name of a participant contains it. Nobody else's conversations are ever searched.
    """
    conversations = _participating(user)
    search = (search or "").strip()
    if search:
        conversations = conversations.filter(
            Q(title__icontains=search)
            | Exists(Message.objects.filter(conversation_id=OuterRef("pk"), body__icontains=search))
            | Exists(
                ConversationMember.objects.filter(
                    conversation_id=OuterRef("pk"),
                    left_at__isnull=True,
                    user__display_name__icontains=search,
                )
            )
        )
    return conversations.order_by(F("last_message_at").desc(nulls_last=True), "-id")


def conversation_get_for(*, user, conversation_id) -> Conversation:
    """One conversation of ``user``, annotated as in :func:`conversations_for`, with
    ``former_participants`` (memberships of people who left, with their user, by the
    time they left). NotFound for an unknown or malformed id and for anyone who does
    not take part in it, staff and superusers included."""
    try:
        conversation_id = int(conversation_id)
    except (TypeError, ValueError):
        raise NotFound(_("This conversation does not exist.")) from None
    if not 0 < conversation_id <= ID_MAX:
        raise NotFound(_("This conversation does not exist."))
    conversation = (
        _participating(user)
        .filter(pk=conversation_id)
        .prefetch_related(
            Prefetch(
                "participants",
                queryset=ConversationMember.objects.filter(left_at__isnull=False)
                .select_related("user")
                .order_by("left_at", "id"),
                to_attr="former_participants",
            )
        )
        .first()
    )
    if conversation is None:
        raise NotFound(_("This conversation does not exist."))
    return conversation


def messages_for(*, user, conversation: Conversation) -> QuerySet[Message]:
    """The messages of ``conversation``, oldest first, with their author; empty unless
    ``user`` takes part in it (callers look the conversation up with
    :func:`conversation_get_for` first, which answers NotFound)."""
    return (
        Message.objects.filter(conversation_id=conversation.pk)
        .filter(
            Exists(
                ConversationMember.objects.filter(
                    conversation_id=conversation.pk, user_id=user.pk, left_at__isnull=True
                )
            )
        )
        .select_related("author")
        .order_by("created_at", "id")
    )


def conversations_unread_count(*, user) -> int:
    """How many of ``user``'s conversations have messages they have not read: one
    query (the navigation badge)."""
    if not getattr(user, "is_authenticated", False):
        return 0
    return (
        ConversationMember.objects.filter(
            user_id=user.pk, left_at__isnull=True, conversation__last_message_at__isnull=False
        )
        .filter(
            Q(last_read_at__isnull=True) | Q(conversation__last_message_at__gt=F("last_read_at"))
        )
        .count()
    )


def conversation_candidates(*, user, search: str | None = None, limit: int = 20) -> list[User]:
    """Active colleagues ``user`` may start a conversation with, by name: those whose
    name, email, job title or department contains every word of ``search`` (nobody
    without a search), at most ``limit``. One query."""
    words = (search or "").split()
    if not words:
        return []
    people = User.objects.filter(is_active=True).exclude(pk=user.pk)
    for word in words:
        people = people.filter(
            Q(display_name__icontains=word)
            | Q(email__icontains=word)
            | Q(job_title__icontains=word)
            | Q(department__icontains=word)
        )
    return list(people.order_by("display_name", "id")[:limit])


def people_by_ids(*, user, ids) -> list[User]:
    """The active colleagues among ``ids`` (the asking member and unknown ids left out),
    by name: who a form had chosen. One query (none without ids)."""
    clean = [pk for pk in ids if isinstance(pk, int) and 0 < pk <= ID_MAX and pk != user.pk]
    if not clean:
        return []
    return list(User.objects.filter(pk__in=clean, is_active=True).order_by("display_name", "id"))


def conversation_name(conversation: Conversation, *, viewer) -> str:
    """How ``viewer`` sees a conversation named (needs ``active_participants``): a
    group's title, else the other people's names ("Alice, Bob and 3 others")."""
    if conversation.is_group and conversation.title:
        return conversation.title
    others = [str(m.user) for m in conversation.active_participants if m.user_id != viewer.pk]
    if not others:
        return _("Only you (everyone else left)")
    if len(others) <= 3:
        return ", ".join(others)
    rest = len(others) - 2
    return ngettext("%(names)s and %(count)d other", "%(names)s and %(count)d others", rest) % {
        "names": ", ".join(others[:2]),
        "count": rest,
    }
