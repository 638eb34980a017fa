"""Input and output shapes of the notification centre and notification controls API.

Input serializers check the form of a request (types, lengths, choices); the rules (whose
notifications, which kinds exist, quiet hours given in pairs) belong to the services,
whose domain errors :mod:`config.api.exceptions` maps to HTTP.
"""

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from communities.models import NotificationLevel
from notifications.models import Delivery, Kind, NotificationSettings, ThreadSubscription
from notifications.rendering import notification_text, notification_url

ID_MAX = 2**63 - 1
MARK_READ_MAX_IDS = 500

# Kinds are named in words rather than as a schema enum: "kind" is already the name of
# the kinds of posts in the schema, and one name for two choice sets would be ambiguous.
KIND_HELP = format_lazy(
    _("What the notification is about, one of: {kinds}."), kinds=", ".join(Kind.values)
)

LEVEL_CHOICES = [("", _("The community's default")), *NotificationLevel.choices]


# Notifications ---------------------------------------------------------------------------


class NotificationActorSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    display_name = serializers.CharField(read_only=True, help_text=_("How colleagues see them."))


class NotificationCommunitySerializer(serializers.Serializer):
    slug = serializers.CharField(read_only=True, help_text=_("Address of the community."))
    name = serializers.CharField(read_only=True)


class NotificationOutputSerializer(serializers.Serializer):
    """One notification, worded in the member's language and time zone."""

    id = serializers.IntegerField(read_only=True)
    kind = serializers.CharField(read_only=True, help_text=KIND_HELP)
    text = serializers.SerializerMethodField(
        help_text=_("One sentence, e.g. “Alice and 4 others reacted to your post “Roadmap””.")
    )
    url = serializers.SerializerMethodField(
        help_text=_("Path of the page of the notification's object (post, community, ...).")
    )
    actor = NotificationActorSerializer(
        read_only=True,
        allow_null=True,
        help_text=_("The latest person behind it, or null (a system notice)."),
    )
    actor_count = serializers.IntegerField(
        read_only=True, help_text=_("How many distinct people are behind it (grouped).")
    )
    community = NotificationCommunitySerializer(
        read_only=True, allow_null=True, help_text=_("The community it comes from, or null.")
    )
    post_id = serializers.IntegerField(read_only=True, allow_null=True)
    comment_id = serializers.IntegerField(read_only=True, allow_null=True)
    conversation_id = serializers.IntegerField(read_only=True, allow_null=True)
    created_at = serializers.DateTimeField(read_only=True)
    updated_at = serializers.DateTimeField(
        read_only=True, help_text=_("Latest activity (a grouped notification moves up).")
    )
    read_at = serializers.DateTimeField(
        read_only=True, allow_null=True, help_text=_("When it was read, or null.")
    )
    is_read = serializers.BooleanField(read_only=True)

    def get_text(self, notification) -> str:
        return notification_text(notification, time_zone=self.context.get("time_zone", "UTC"))

    def get_url(self, notification) -> str:
        return notification_url(notification)


class NotificationListQuerySerializer(serializers.Serializer):
    """Filters of the notification list."""

    unread = serializers.BooleanField(
        required=False,
        allow_null=True,
        default=None,
        help_text=_("true: only unread notifications; false: only read ones; omitted: all."),
    )
    kind = serializers.ChoiceField(
        choices=Kind.choices,
        required=False,
        allow_blank=True,
        help_text=_("Only notifications of this kind (empty: every kind)."),
    )


class MarkReadInputSerializer(serializers.Serializer):
    """Either ``ids`` or ``all``: true."""

    ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=ID_MAX),
        required=False,
        max_length=MARK_READ_MAX_IDS,
        help_text=_(
            "Ids of the notifications to mark read (at most 500). Ids of notifications "
            "that are not yours are ignored."
        ),
    )
    all = serializers.BooleanField(
        required=False, default=False, help_text=_("true: mark all your notifications read.")
    )

    def validate(self, attrs):
        has_ids = "ids" in attrs
        if has_ids and attrs["all"]:
            raise serializers.ValidationError(
                {"all": [_("Give either ids or all, not both.")]}, code="both"
            )
        if not has_ids and not attrs["all"]:
            raise serializers.ValidationError(
                {"ids": [_("Give the ids of the notifications to mark read, or all: true.")]},
                code="required",
            )
        return attrs


class MarkReadOutputSerializer(serializers.Serializer):
    marked = serializers.IntegerField(help_text=_("How many notifications became read."))
    unread_count = serializers.IntegerField(help_text=_("How many are still unread."))


class UnreadCountSerializer(serializers.Serializer):
    count = serializers.IntegerField(help_text=_("How many of your notifications are unread."))


# Preferences -----------------------------------------------------------------------------


class KindPreferenceSerializer(serializers.Serializer):
    kind = serializers.CharField(read_only=True, help_text=KIND_HELP)
    label = serializers.CharField(read_only=True, help_text=_("The kind, in words."))
    delivery = serializers.ChoiceField(
        choices=Delivery.choices,
        read_only=True,
        help_text=_(
            "in_app: in the app only; email_immediately: emailed if still unread while "
            "you are away; email_digest: in your digest; off: not notified at all."
        ),
    )
    default = serializers.CharField(
        read_only=True, help_text=_("The delivery when you choose none (same values as delivery).")
    )


@extend_schema_field(
    {
        "type": "string",
        "pattern": r"^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\.[0-9]{1,6})?)?$",
        "example": "22:00",
    }
)
class WallClockTimeField(serializers.TimeField):
    """A time of day in the member's own time zone, without offset ("22:00"). OpenAPI's
    ``format: time`` would demand an offset, which a wall-clock time does not have."""


class _PreferenceFields(serializers.Serializer):
    quiet_hours_start = WallClockTimeField(
        allow_null=True,
        help_text=_("Start of your quiet hours (HH:MM, in your time zone), or null: none."),
    )
    quiet_hours_end = WallClockTimeField(
        allow_null=True,
        help_text=_("End of your quiet hours (may be the next morning), or null: none."),
    )
    quiet_weekends = serializers.BooleanField(
        help_text=_("No email and no push on Saturdays and Sundays.")
    )
    digest_frequency = serializers.ChoiceField(
        choices=NotificationSettings.DigestFrequency.choices,
        help_text=_("How often the digest email comes: off, daily or weekly."),
    )
    email_enabled = serializers.BooleanField(
        help_text=_("false: no notification email and no digest at all.")
    )


class NotificationPreferencesOutputSerializer(_PreferenceFields):
    """Every kind with its delivery, quiet hours, digest and email choice."""

    kinds = KindPreferenceSerializer(many=True, read_only=True)
    time_zone = serializers.CharField(
        read_only=True,
        help_text=_("Your time zone (change it on your profile): quiet hours are in it."),
    )
    quiet_now = serializers.BooleanField(
        read_only=True,
        help_text=_("Whether you are in your quiet time now: hold device alerts while true."),
    )

    def get_fields(self):
        fields = super().get_fields()
        return {"kinds": fields.pop("kinds"), **fields}


class NotificationPreferencesInputSerializer(_PreferenceFields):
    """Any of the fields; those left out stay as they are."""

    kinds = serializers.DictField(
        child=serializers.ChoiceField(choices=Delivery.choices),
        required=False,
        help_text=_('Deliveries to change, by kind: {"mention": "off", "kudos": "in_app"}.'),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            if name != "kinds":
                field.required = False


# Communities and threads --------------------------------------------------------------------


class CommunityLevelOutputSerializer(serializers.Serializer):
    level = serializers.ChoiceField(
        choices=LEVEL_CHOICES,
        help_text=_(
            "Your choice: all (every new post), mentions (mentions and replies only), "
            "muted, or empty: the community's default."
        ),
    )
    effective_level = serializers.CharField(
        help_text=_("The level in force: all, mentions or muted.")
    )
    default_level = serializers.CharField(
        help_text=_("The community's default level: all, mentions or muted.")
    )


class CommunityLevelInputSerializer(serializers.Serializer):
    level = serializers.ChoiceField(
        choices=LEVEL_CHOICES,
        allow_blank=True,
        help_text=_("all, mentions, muted, or empty: the community's default."),
    )


class ThreadStateOutputSerializer(serializers.Serializer):
    state = serializers.ChoiceField(
        choices=ThreadSubscription.State.choices,
        allow_null=True,
        help_text=_(
            "following: you hear of every new comment; muted: nothing but direct "
            "mentions; null: replies to your own posts and comments only."
        ),
    )
