"""Input and output shapes of the profiles and recognition API.

Input serializers only check the form of a request (types, lengths, known query
parameters); domain rules (no kudos to yourself, the daily cap, what an avatar must be)
belong to the services, whose domain errors are mapped to HTTP in
:mod:`config.api.exceptions`.

Output serializers read what the selectors prefetched or annotated, so lists cost a
constant number of queries. Avatars are served at the authenticated API address
``profiles/{id}/avatar/``, never at a public media URL.
"""

from zoneinfo import available_timezones

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from communities.api.serializers import (
    CommunityReferenceSerializer,
    VisibleCommunityField,
    protected_file_url,
)
from config.api.fields import KnownValuesCharField
from profiles.models import Badge, BadgeAward, Kudos, User
from profiles.recognition.kudos import KUDOS_MESSAGE_MAX_LENGTH
from profiles.services import ISO_639_1

# Ids are 64-bit integers in the database; larger numbers are refused as malformed.
ID_MAX = 2**63 - 1


def _language_codes() -> list[str]:
    """The codes ``user_profile_update`` accepts (ISO 639-1 and the site's languages)."""
    return sorted(ISO_639_1 | {code.lower() for code, _name in settings.LANGUAGES})


def _time_zones() -> list[str]:
    return sorted(available_timezones())


# Query parameters every list accepts besides its filters (pagination, format).
PAGINATION_PARAMETERS = {"page", "page_size", "cursor", "format"}


class StrictQuerySerializer(serializers.Serializer):
    """Query-string filters that refuse parameters they do not know: a misspelt filter
    answers 400 instead of silently returning everything."""

    def validate(self, attrs):
        allowed = set(self.fields) | PAGINATION_PARAMETERS
        unknown = sorted(set(self.initial_data) - allowed)
        if unknown:
            raise serializers.ValidationError(
                {
                    name: [
                        _("Unknown filter. Known filters: %(known)s.")
                        % {"known": ", ".join(sorted(self.fields)) or "-"}
                    ]
                    for name in unknown
                }
            )
        return attrs


def _avatar_url(serializer, user: User) -> str | None:
    """The authenticated API address of the member's avatar, or None without one."""
    if not user.avatar:
        return None
    return protected_file_url(serializer, "api:profile-avatar", user.pk)


# Output: people ----------------------------------------------------------------------


class ProfileSummarySerializer(serializers.ModelSerializer):
    """A colleague as lists show them."""

    avatar = serializers.SerializerMethodField(
        help_text=_("Address of the avatar (authenticated download), or null.")
    )

    class Meta:
        model = User
        fields = ["id", "display_name", "job_title", "department", "location", "avatar"]
        read_only_fields = fields

    def get_avatar(self, user) -> str | None:
        return _avatar_url(self, user)


class ProfileListItemSerializer(ProfileSummarySerializer):
    """A colleague in the directory, with how the asking member relates to them."""

    is_followed = serializers.BooleanField(
        read_only=True, help_text=_("Whether the asking member follows them.")
    )
    follows_you = serializers.BooleanField(
        read_only=True, help_text=_("Whether they follow the asking member.")
    )
    follower_count = serializers.IntegerField(read_only=True, help_text=_("Their followers."))

    class Meta(ProfileSummarySerializer.Meta):
        fields = [
            *ProfileSummarySerializer.Meta.fields,
            "is_followed",
            "follows_you",
            "follower_count",
        ]
        read_only_fields = fields


class PostReferenceSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True, help_text=_("Id of the post."))
    title = serializers.CharField(read_only=True, help_text=_("Title of the post."))
    kind = serializers.CharField(read_only=True, help_text=_("Kind of post."))


class ContributionSerializer(serializers.Serializer):
    kind = serializers.CharField(read_only=True, help_text=_("post, comment or accepted_answer."))
    created_at = serializers.DateTimeField(read_only=True, help_text=_("When."))
    post = PostReferenceSerializer(read_only=True, help_text=_("The post, or the one answered."))
    community = CommunityReferenceSerializer(
        source="post.community", read_only=True, help_text=_("Where.")
    )


def _names(related) -> list[str]:
    return [item.name for item in related.all()]


class BadgeAwardSummarySerializer(serializers.ModelSerializer):
    """A badge a member holds, at its level."""

    code = serializers.CharField(source="badge.code", read_only=True, help_text=_("Badge code."))
    name = serializers.CharField(source="badge.name", read_only=True, help_text=_("Badge name."))
    icon = serializers.CharField(source="badge.icon", read_only=True, help_text=_("Badge icon."))
    level = serializers.IntegerField(
        read_only=True, help_text=_("Level reached (1 for badges without levels).")
    )

    class Meta:
        model = BadgeAward
        fields = ["code", "name", "icon", "level", "awarded_at"]
        read_only_fields = fields


class KudosSummarySerializer(serializers.Serializer):
    total = serializers.IntegerField(read_only=True, help_text=_("Kudos received."))
    givers = serializers.IntegerField(
        read_only=True, help_text=_("Distinct colleagues who gave them.")
    )
    by_value = serializers.DictField(
        child=serializers.IntegerField(),
        read_only=True,
        help_text=_("Kudos received per value, e.g. {“helpful”: 3}."),
    )


class ReputationLineSerializer(serializers.Serializer):
    code = serializers.CharField(read_only=True, help_text=_("Stable code of the line."))
    label = serializers.CharField(read_only=True, help_text=_("What earned the points."))
    count = serializers.IntegerField(read_only=True, help_text=_("How many of them counted."))
    points = serializers.IntegerField(read_only=True, help_text=_("Points from this line."))


class ReputationSerializer(serializers.Serializer):
    total = serializers.IntegerField(read_only=True, help_text=_("The reputation score."))
    public = serializers.BooleanField(
        read_only=True,
        help_text=_("False when public recognition is off: only the member sees their score."),
    )
    breakdown = ReputationLineSerializer(
        many=True, read_only=True, help_text=_("How the score is made, line by line.")
    )


class ProfileDetailSerializer(ProfileListItemSerializer):
    """A member's profile page: who they are, what they know, how peers recognise them."""

    skills = serializers.SerializerMethodField(help_text=_("Declared skills."))
    interests = serializers.SerializerMethodField(help_text=_("Interests and passions."))
    languages = serializers.ListField(
        child=serializers.CharField(), read_only=True, help_text=_("Language codes.")
    )
    bio_html = serializers.CharField(read_only=True, help_text=_("The bio, sanitized HTML."))
    badges = serializers.SerializerMethodField(help_text=_("Badges held, highest level each."))
    kudos_received = serializers.SerializerMethodField(help_text=_("Kudos received, summed."))
    reputation = serializers.SerializerMethodField(
        help_text=_(
            "Score and its breakdown; null when public recognition is switched off "
            "organisation-wide (the member still sees their own)."
        )
    )
    communities = serializers.SerializerMethodField(
        help_text=_("Communities they belong to that the asking member may read.")
    )
    topics_followed = serializers.SerializerMethodField(help_text=_("#topics they follow."))
    recent_contributions = serializers.SerializerMethodField(
        help_text=_("Their latest posts, comments and accepted answers you may read.")
    )

    class Meta(ProfileListItemSerializer.Meta):
        fields = [
            *ProfileListItemSerializer.Meta.fields,
            "time_zone",
            "bio_html",
            "languages",
            "skills",
            "interests",
            "badges",
            "kudos_received",
            "reputation",
            "communities",
            "topics_followed",
            "recent_contributions",
            "date_joined",
        ]
        read_only_fields = fields

    def get_skills(self, user) -> list[str]:
        return _names(user.skills)

    def get_interests(self, user) -> list[str]:
        return _names(user.interests)

    @extend_schema_field(BadgeAwardSummarySerializer(many=True))
    def get_badges(self, user):
        return BadgeAwardSummarySerializer(self.context.get("badges", []), many=True).data

    @extend_schema_field(KudosSummarySerializer)
    def get_kudos_received(self, user):
        return self.context.get("kudos_received")

    @extend_schema_field(ReputationSerializer(allow_null=True))
    def get_reputation(self, user):
        reputation = self.context.get("reputation")
        return None if reputation is None else ReputationSerializer(reputation).data

    @extend_schema_field(CommunityReferenceSerializer(many=True))
    def get_communities(self, user):
        return CommunityReferenceSerializer(self.context.get("communities", []), many=True).data

    def get_topics_followed(self, user) -> list[str]:
        return [topic.name for topic in self.context.get("topics_followed", [])]

    @extend_schema_field(ContributionSerializer(many=True))
    def get_recent_contributions(self, user):
        return ContributionSerializer(self.context.get("contributions", []), many=True).data


class MeSerializer(serializers.ModelSerializer):
    """The member's own account and profile, as the apps show it."""

    avatar = serializers.SerializerMethodField(
        help_text=_("Address of the avatar (authenticated download), or null.")
    )
    skills = serializers.SerializerMethodField(help_text=_("Declared skills."))
    interests = serializers.SerializerMethodField(help_text=_("Interests and passions."))
    languages = serializers.ListField(
        child=serializers.CharField(), read_only=True, help_text=_("Language codes.")
    )

    class Meta:
        model = User
        fields = [
            "id",
            "email",
            "display_name",
            "job_title",
            "department",
            "location",
            "time_zone",
            "bio",
            "bio_html",
            "languages",
            "skills",
            "interests",
            "show_in_leaderboards",
            "avatar",
            "is_staff",
            "date_joined",
        ]
        read_only_fields = fields

    def get_avatar(self, user) -> str | None:
        return _avatar_url(self, user)

    def get_skills(self, user) -> list[str]:
        return _names(user.skills)

    def get_interests(self, user) -> list[str]:
        return _names(user.interests)


# Input: the own profile ----------------------------------------------------------------


class MeUpdateSerializer(serializers.Serializer):
    display_name = serializers.CharField(
        max_length=120, required=False, help_text=_("How colleagues see this member.")
    )
    job_title = serializers.CharField(
        max_length=120, required=False, allow_blank=True, help_text=_("Job title.")
    )
    department = serializers.CharField(
        max_length=120, required=False, allow_blank=True, help_text=_("Department.")
    )
    location = serializers.CharField(
        max_length=120, required=False, allow_blank=True, help_text=_("Office or city.")
    )
    time_zone = KnownValuesCharField(
        schema_enum=_time_zones,
        max_length=64,
        required=False,
        help_text=_("IANA time zone, e.g. Europe/Paris."),
    )
    bio = serializers.CharField(
        max_length=5000, required=False, allow_blank=True, help_text=_("Markdown.")
    )
    languages = serializers.ListField(
        child=KnownValuesCharField(schema_enum=_language_codes, max_length=16),
        max_length=20,
        required=False,
        help_text=_("Language codes, e.g. [“fr”, “en”]."),
    )
    skills = serializers.ListField(
        child=serializers.CharField(max_length=80),
        max_length=50,
        required=False,
        help_text=_("Skill names; unknown ones are added to the taxonomy. Replaces the list."),
    )
    interests = serializers.ListField(
        child=serializers.CharField(max_length=80),
        max_length=50,
        required=False,
        help_text=_("Interest names; unknown ones are added. Replaces the list."),
    )
    show_in_leaderboards = serializers.BooleanField(
        required=False, help_text=_("False to stay out of community leaderboards.")
    )


class AvatarInputSerializer(serializers.Serializer):
    avatar = serializers.FileField(
        help_text=_(
            "An image (PNG, JPEG, GIF or WebP; not SVG), multipart. It is resized to a square."
        )
    )


# Input: filters ----------------------------------------------------------------------


class ProfileListQuerySerializer(StrictQuerySerializer):
    """Filters of the people directory."""

    search = serializers.CharField(
        required=False, allow_blank=True, max_length=120, help_text=_("Part of a name or title.")
    )
    department = serializers.CharField(
        required=False, allow_blank=True, max_length=120, help_text=_("Department.")
    )
    skill = serializers.CharField(
        required=False, allow_blank=True, max_length=80, help_text=_("A declared skill.")
    )
    interest = serializers.CharField(
        required=False, allow_blank=True, max_length=80, help_text=_("A declared interest.")
    )
    location = serializers.CharField(
        required=False, allow_blank=True, max_length=120, help_text=_("Location.")
    )


# Follows ------------------------------------------------------------------------------


class FollowOutputSerializer(serializers.Serializer):
    following = serializers.BooleanField(
        read_only=True, help_text=_("Whether the asking member now follows.")
    )
    detail = serializers.CharField(read_only=True, help_text=_("What happened, for the member."))


class TopicFollowOutputSerializer(serializers.Serializer):
    topic = serializers.CharField(read_only=True, help_text=_("The topic name, without #."))
    following = serializers.BooleanField(
        read_only=True, help_text=_("Whether the asking member now follows the topic.")
    )


# Kudos --------------------------------------------------------------------------------


class KudosOutputSerializer(serializers.ModelSerializer):
    """Praise from a colleague, with where it was shared (when the asker may see it)."""

    giver = ProfileSummarySerializer(read_only=True, help_text=_("Who gave it."))
    recipients = ProfileSummarySerializer(many=True, read_only=True, help_text=_("Who got it."))
    community = CommunityReferenceSerializer(
        read_only=True, allow_null=True, help_text=_("Community it was shared in, or null.")
    )
    post = serializers.PrimaryKeyRelatedField(
        read_only=True, allow_null=True, help_text=_("Post that shared it, or null.")
    )

    class Meta:
        model = Kudos
        fields = [
            "id",
            "giver",
            "recipients",
            "value",
            "message",
            "community",
            "post",
            "created_at",
        ]
        read_only_fields = fields


class KudosListQuerySerializer(StrictQuerySerializer):
    giver = serializers.IntegerField(
        required=False, min_value=1, max_value=ID_MAX, help_text=_("Id of the giver.")
    )
    recipient = serializers.IntegerField(
        required=False, min_value=1, max_value=ID_MAX, help_text=_("Id of a recipient.")
    )


class KudosCreateInputSerializer(serializers.Serializer):
    recipients = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=ID_MAX),
        min_length=1,
        max_length=50,
        help_text=_("Ids of the colleagues to praise."),
    )
    value = KnownValuesCharField(
        schema_enum=lambda: settings.CERCLE_KUDOS_VALUES,
        max_length=30,
        help_text=_("One of the configured values (CERCLE_KUDOS_VALUES)."),
    )
    message = serializers.CharField(
        max_length=KUDOS_MESSAGE_MAX_LENGTH,
        help_text=_("Why, in a few words (at most 1000 characters)."),
    )
    community = VisibleCommunityField(
        required=False,
        allow_null=True,
        help_text=_("Slug of a community to share the kudos in (you must be a member)."),
    )

    def validate_recipients(self, ids: list[int]) -> list[User]:
        wanted = list(dict.fromkeys(ids))
        found = {u.pk: u for u in User.objects.filter(pk__in=wanted, is_active=True)}
        missing = [str(pk) for pk in wanted if pk not in found]
        if missing:
            raise serializers.ValidationError(
                _("No member with the id(s) %(ids)s.") % {"ids": ", ".join(missing)}
            )
        return [found[pk] for pk in wanted]


# Badges -------------------------------------------------------------------------------


class BadgeOutputSerializer(serializers.ModelSerializer):
    holder_count = serializers.IntegerField(
        read_only=True, help_text=_("Members holding this badge.")
    )
    levels = serializers.ListField(
        child=serializers.IntegerField(),
        read_only=True,
        help_text=_("Thresholds of the levels, e.g. [1, 10, 50]; empty without levels."),
    )

    class Meta:
        model = Badge
        fields = ["code", "name", "description", "icon", "levels", "is_manual", "holder_count"]
        read_only_fields = fields


class BadgeHolderSerializer(serializers.ModelSerializer):
    member = ProfileSummarySerializer(source="user", read_only=True, help_text=_("The holder."))

    class Meta:
        model = BadgeAward
        fields = ["member", "level", "reason", "awarded_at"]
        read_only_fields = fields


# Discovery ----------------------------------------------------------------------------


class ExpertsQuerySerializer(StrictQuerySerializer):
    topic = serializers.CharField(
        required=False, max_length=65, help_text=_("A #topic (the # is optional).")
    )
    post = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=ID_MAX,
        help_text=_("Id of a question: people who may know the answer."),
    )

    def validate_topic(self, value: str) -> str:
        value = value.strip().lstrip("#")
        if not value:
            raise serializers.ValidationError(_("Name a topic."))
        return value

    def validate(self, attrs):
        attrs = super().validate(attrs)
        if not attrs.get("topic") and not attrs.get("post"):
            message = _("Give a topic or a post.")
            raise serializers.ValidationError({"topic": [message], "post": [message]})
        return attrs


class ExpertSerializer(serializers.Serializer):
    member = ProfileSummarySerializer(source="user", read_only=True, help_text=_("The colleague."))
    score = serializers.IntegerField(read_only=True, help_text=_("Relevance, higher first."))
    reasons = serializers.ListField(
        child=serializers.CharField(), read_only=True, help_text=_("Why they may know.")
    )


class SuggestionSerializer(serializers.Serializer):
    member = ProfileSummarySerializer(source="*", read_only=True, help_text=_("The colleague."))
    score = serializers.IntegerField(read_only=True, help_text=_("How much you share."))
    reasons = serializers.ListField(
        child=serializers.CharField(), read_only=True, help_text=_("What you have in common.")
    )


class ConnectionStepSerializer(ProfileSummarySerializer):
    connection = serializers.CharField(
        read_only=True,
        default="",
        help_text=_("How this person is linked to the previous one (empty for the first)."),
    )

    class Meta(ProfileSummarySerializer.Meta):
        fields = [*ProfileSummarySerializer.Meta.fields, "connection"]
        read_only_fields = fields


class ConnectionSerializer(serializers.Serializer):
    path = ConnectionStepSerializer(
        many=True,
        read_only=True,
        help_text=_("From you to them, both included; empty when no path was found."),
    )
    steps = serializers.IntegerField(
        read_only=True, allow_null=True, help_text=_("Number of steps, or null.")
    )
    detail = serializers.CharField(read_only=True, help_text=_("The path, in words."))


class TimelineItemSerializer(serializers.Serializer):
    """One dated item of a contribution history; the field matching ``kind`` is set."""

    kind = serializers.CharField(
        read_only=True, help_text=_("post, accepted_answer, kudos_received, kudos_given or badge.")
    )
    at = serializers.DateTimeField(read_only=True, help_text=_("When it happened."))
    community = CommunityReferenceSerializer(
        read_only=True, allow_null=True, help_text=_("Where, or null.")
    )
    post = serializers.SerializerMethodField(
        help_text=_("The post, or the question answered; null for kudos and badges.")
    )
    kudos = serializers.SerializerMethodField(help_text=_("The kudos, for kudos items."))
    badge = serializers.SerializerMethodField(help_text=_("The badge, for badge items."))

    @extend_schema_field(PostReferenceSerializer(allow_null=True))
    def get_post(self, item):
        if item["kind"] == "post":
            return PostReferenceSerializer(item["object"]).data
        if item["kind"] == "accepted_answer":
            return PostReferenceSerializer(item["object"].post).data
        return None

    @extend_schema_field(KudosOutputSerializer(allow_null=True))
    def get_kudos(self, item):
        if item["kind"] in ("kudos_received", "kudos_given"):
            return KudosOutputSerializer(item["object"], context=self.context).data
        return None

    @extend_schema_field(BadgeAwardSummarySerializer(allow_null=True))
    def get_badge(self, item):
        if item["kind"] == "badge":
            return BadgeAwardSummarySerializer(item["object"]).data
        return None


class LeaderboardRowSerializer(serializers.Serializer):
    rank = serializers.IntegerField(read_only=True, help_text=_("1 is first."))
    member = ProfileSummarySerializer(source="user", read_only=True, help_text=_("The colleague."))
    score = serializers.IntegerField(read_only=True, help_text=_("Reputation in the community."))
    breakdown = ReputationLineSerializer(
        many=True, read_only=True, help_text=_("How the score is made.")
    )


class LeaderboardSerializer(serializers.Serializer):
    enabled = serializers.BooleanField(
        read_only=True, help_text=_("False when no leaderboard is shown here.")
    )
    reason = serializers.CharField(
        read_only=True, allow_null=True, help_text=_("Why there is none, when there is none.")
    )
    entries = LeaderboardRowSerializer(many=True, read_only=True, help_text=_("Top members."))
