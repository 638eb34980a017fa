"""Input and output shapes of the conversations API.

Input serializers check the form of a request (a list of integer ids, text); the rules
(who may take part, how many people, empty or too long messages) belong to
:mod:`notifications.services.conversations`, whose errors come back as 400 with the
same field names. Output serializers read the annotations of
:mod:`notifications.selectors.conversations`, so lists cost a fixed number of queries.
"""

from django.utils.html import strip_tags
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from communities.api.serializers import MemberSummarySerializer
from config.api.fields import ServiceCheckedTextField
from notifications.models import Conversation, ConversationMember, Message
from notifications.selectors.conversations import conversation_name

ID_MAX = 2**63 - 1
PREVIEW_LENGTH = 140


def _preview(html: str | None) -> str:
    """The first words of a rendered message, as plain text."""
    text = " ".join(strip_tags(html or "").split())
    return Truncator(text).chars(PREVIEW_LENGTH)


class ParticipantIdsField(serializers.ListField):
    child = serializers.IntegerField(min_value=1, max_value=ID_MAX)

    def __init__(self, **kwargs):
        kwargs.setdefault("allow_empty", False)
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        try:
            return super().to_internal_value(data)
        except serializers.ValidationError as error:
            if isinstance(error.detail, dict):  # errors by position: say it once, plainly
                raise serializers.ValidationError(
                    [_("Each participant must be a member id (a positive whole number).")]
                ) from error
            raise


# Output ---------------------------------------------------------------------------------


class LastMessageSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    author_id = serializers.IntegerField(
        read_only=True, allow_null=True, help_text=_("Null when the author's account is gone.")
    )
    author_name = serializers.CharField(read_only=True, allow_null=True)
    preview = serializers.CharField(
        read_only=True, help_text=_("The beginning of the message, as plain text.")
    )
    created_at = serializers.DateTimeField(read_only=True)


class FormerParticipantSerializer(serializers.ModelSerializer):
    user = MemberSummarySerializer(read_only=True)

    class Meta:
        model = ConversationMember
        fields = ["user", "left_at"]
        read_only_fields = fields


class ConversationOutputSerializer(serializers.ModelSerializer):
    """A conversation as one of its participants sees it."""

    name = serializers.SerializerMethodField(
        help_text=_("The title of a group, else the names of the other participants.")
    )
    participants = serializers.SerializerMethodField(
        help_text=_("The people taking part, the asking member included, by name.")
    )
    last_message = serializers.SerializerMethodField(
        help_text=_("The latest message, or null when there is none.")
    )
    unread_count = serializers.IntegerField(
        read_only=True,
        help_text=_("Messages by others since the asking member last read the conversation."),
    )
    has_unread = serializers.SerializerMethodField(
        help_text=_("Whether the asking member has unread messages here.")
    )

    class Meta:
        model = Conversation
        fields = [
            "id",
            "name",
            "title",
            "is_group",
            "participants",
            "last_message",
            "last_message_at",
            "unread_count",
            "has_unread",
            "created_at",
        ]
        read_only_fields = fields

    def get_name(self, conversation) -> str:
        return conversation_name(conversation, viewer=self.context["request"].user)

    @extend_schema_field(MemberSummarySerializer(many=True))
    def get_participants(self, conversation) -> list[dict]:
        users = [membership.user for membership in conversation.active_participants]
        return MemberSummarySerializer(users, many=True).data

    @extend_schema_field(LastMessageSerializer(allow_null=True))
    def get_last_message(self, conversation) -> dict | None:
        if conversation.last_message_id is None:
            return None
        return {
            "id": conversation.last_message_id,
            "author_id": conversation.last_message_author_id,
            "author_name": conversation.last_message_author_name,
            "preview": _preview(conversation.last_message_html),
            "created_at": conversation.last_message_at,
        }

    def get_has_unread(self, conversation) -> bool:
        return conversation.unread_count > 0


class ConversationDetailOutputSerializer(ConversationOutputSerializer):
    """A conversation with the people who left it."""

    former_participants = FormerParticipantSerializer(
        many=True, read_only=True, help_text=_("People who left, and when.")
    )

    class Meta(ConversationOutputSerializer.Meta):
        fields = [*ConversationOutputSerializer.Meta.fields, "former_participants"]
        read_only_fields = fields


class MessageOutputSerializer(serializers.ModelSerializer):
    author = MemberSummarySerializer(
        read_only=True, allow_null=True, help_text=_("Null when the author's account is gone.")
    )
    body = serializers.CharField(read_only=True, help_text=_("As written (Markdown)."))
    body_html = serializers.CharField(read_only=True, help_text=_("Rendered and sanitised HTML."))

    class Meta:
        model = Message
        fields = ["id", "conversation_id", "author", "body", "body_html", "created_at"]
        read_only_fields = fields


class ConversationStartOutputSerializer(ConversationDetailOutputSerializer):
    """The conversation (new, or the existing 1:1) and the message just sent in it."""

    message = serializers.SerializerMethodField(help_text=_("The message just sent."))

    class Meta(ConversationDetailOutputSerializer.Meta):
        fields = [*ConversationDetailOutputSerializer.Meta.fields, "message"]
        read_only_fields = fields

    @extend_schema_field(MessageOutputSerializer)
    def get_message(self, conversation) -> dict:
        return MessageOutputSerializer(self.context["message"]).data


# Input ----------------------------------------------------------------------------------


class ConversationListQuerySerializer(serializers.Serializer):
    q = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=200,
        help_text=_(
            "Only conversations whose title, messages or participants' names contain "
            "this text (case-insensitive)."
        ),
    )


class ConversationStartInputSerializer(serializers.Serializer):
    participants = ParticipantIdsField(
        help_text=_(
            "Ids of the colleagues to talk with (yourself excluded). One id: your 1:1 "
            "conversation with them, reused when it exists. Two or more: a new group, "
            "at most CERCLE_CONVERSATION_MAX_PEOPLE people (20 by default) including you."
        )
    )
    title = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=120,
        default="",
        help_text=_("Title of a group conversation (ignored for a 1:1)."),
    )
    body = ServiceCheckedTextField(
        help_text=_(
            "The first message (Markdown), required, at most CERCLE_MESSAGE_MAX_LENGTH "
            "characters (5000 by default)."
        ),
    )


class MessageInputSerializer(serializers.Serializer):
    body = ServiceCheckedTextField(
        help_text=_(
            "The message (Markdown), required, at most CERCLE_MESSAGE_MAX_LENGTH "
            "characters (5000 by default)."
        ),
    )


class ParticipantsAddInputSerializer(serializers.Serializer):
    participants = ParticipantIdsField(
        help_text=_("Ids of the colleagues to add to the group; people already in it are ignored.")
    )
