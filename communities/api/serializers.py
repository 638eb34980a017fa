"""Input and output shapes of the communities API.

Input serializers only check the form of a request (types, lengths, choices) and
resolve references that the asking member may see; domain rules (who may do what,
limits from settings, conflicts) belong to the services, which raise domain errors
mapped to HTTP in :mod:`config.api.exceptions`.

Output serializers read the annotations the selectors provide (counts, the asking
member's role and reactions) so that lists cost a constant number of queries.
"""

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from communities.models import (
    Comment,
    Community,
    Election,
    Flag,
    Invitation,
    Membership,
    Post,
    Rsvp,
    Topic,
)
from communities.selectors.visibility import communities_visible_to
from config.api.fields import KnownValuesCharField
from profiles.models import User

# Ids are 64-bit integers in the database; larger numbers are refused as malformed.
ID_MAX = 2**63 - 1

# Output: people and small references ---------------------------------------------------


class MemberSummarySerializer(serializers.ModelSerializer):
    """A colleague as lists show them."""

    class Meta:
        model = User
        fields = ["id", "display_name", "job_title", "department"]
        read_only_fields = fields


class CommunityReferenceSerializer(serializers.ModelSerializer):
    """Enough of a community to link to it."""

    class Meta:
        model = Community
        fields = ["id", "slug", "name"]
        read_only_fields = fields


# Input fields -------------------------------------------------------------------------


@extend_schema_field(OpenApiTypes.STR)
class VisibleCommunityField(serializers.SlugRelatedField):
    """A community named by its slug, among those the asking member may see.

    A secret community the member does not belong to is answered exactly like a slug
    that does not exist.
    """

    default_error_messages = {
        "does_not_exist": _("No community has the address “{value}”."),
        "invalid": _("Invalid community address."),
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("slug_field", "slug")
        super().__init__(**kwargs)

    def get_queryset(self):
        return communities_visible_to(user=self.context["request"].user)


# Communities ----------------------------------------------------------------------------


def protected_file_url(serializer, url_name: str, *args) -> str:
    """The API address of a stored file: served only to who may read it, with the same
    authentication as the rest of the API (never a public media URL)."""
    path = reverse(url_name, args=args)
    request = serializer.context.get("request")
    return request.build_absolute_uri(path) if request is not None else path


class CommunityOutputSerializer(serializers.ModelSerializer):
    """A community as the asking member sees it, with their own membership."""

    cover_image = serializers.SerializerMethodField(
        help_text=_("Address of the cover image (authenticated download), or null.")
    )

    parent = serializers.SlugRelatedField(
        slug_field="slug",
        read_only=True,
        allow_null=True,
        help_text=_("Slug of the parent community, or null for a top-level community."),
    )
    member_count = serializers.IntegerField(
        read_only=True, help_text=_("Number of active members.")
    )
    is_member = serializers.BooleanField(
        read_only=True, help_text=_("Whether the asking member belongs to the community.")
    )
    my_role = serializers.CharField(
        read_only=True,
        allow_null=True,
        help_text=_(
            "The asking member's role (owner, manager, moderator or member), or null when "
            "they are not a member."
        ),
    )

    class Meta:
        model = Community
        fields = [
            "id",
            "slug",
            "name",
            "description",
            "cover_image",
            "visibility",
            "join_policy",
            "parent",
            "is_archived",
            "member_count",
            "is_member",
            "my_role",
            "created_at",
        ]
        read_only_fields = fields

    def get_cover_image(self, community) -> str | None:
        if not community.cover_image:
            return None
        return protected_file_url(self, "api:community-cover", community.slug)


class CommunityListQuerySerializer(serializers.Serializer):
    """Filters of the community directory."""

    search = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=120,
        help_text=_("Words found in the name or description."),
    )
    mine = serializers.BooleanField(
        required=False, default=False, help_text=_("Only communities the member belongs to.")
    )
    visibility = serializers.ChoiceField(
        choices=Community.Visibility.choices, required=False, help_text=_("Only this visibility.")
    )
    topic = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=65,
        help_text=_("Only communities with posts on this #topic (the # is optional)."),
    )

    def validate_topic(self, value: str) -> str:
        return value.lstrip("#")


class CommunityCreateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=120, help_text=_("Shown in the directory."))
    slug = serializers.SlugField(
        max_length=140,
        required=False,
        help_text=_("Address of the community; derived from the name when omitted."),
    )
    description = serializers.CharField(
        required=False, allow_blank=True, max_length=5000, help_text=_("What it is about.")
    )
    visibility = serializers.ChoiceField(
        choices=Community.Visibility.choices,
        required=False,
        help_text=_(
            "public: everyone reads it; private: listed, content for members; "
            "secret: exists only for its members."
        ),
    )
    join_policy = serializers.ChoiceField(
        choices=Community.JoinPolicy.choices,
        required=False,
        help_text=_("open, request (a manager approves) or invitation only."),
    )
    parent = VisibleCommunityField(
        required=False,
        allow_null=True,
        help_text=_("Slug of the parent community, for sub-groups and working groups."),
    )
    cover_image = serializers.ImageField(
        required=False, help_text=_("Cover image (multipart upload).")
    )


class CommunityUpdateSerializer(CommunityCreateSerializer):
    name = serializers.CharField(max_length=120, required=False, help_text=_("New name."))
    cover_image = serializers.ImageField(
        required=False,
        allow_null=True,
        help_text=_("New cover image (multipart); null removes it."),
    )
    is_archived = serializers.BooleanField(
        required=False, help_text=_("Archived communities are read-only.")
    )


# Memberships ----------------------------------------------------------------------------


class MembershipOutputSerializer(serializers.ModelSerializer):
    user = MemberSummarySerializer(read_only=True)

    class Meta:
        model = Membership
        fields = ["id", "user", "role", "status", "joined_at"]
        read_only_fields = fields


class MembershipRequestOutputSerializer(serializers.ModelSerializer):
    """A pending request to join, as managers review it."""

    user = MemberSummarySerializer(read_only=True)

    class Meta:
        model = Membership
        fields = ["id", "user", "request_message", "joined_at"]
        read_only_fields = fields


class MembershipRequestInputSerializer(serializers.Serializer):
    message = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=500,
        help_text=_("Why the member wants to join, for the managers."),
    )


class RoleChangeInputSerializer(serializers.Serializer):
    role = serializers.ChoiceField(
        choices=Membership.Role.choices, help_text=_("The member's new role.")
    )


# Invitations ----------------------------------------------------------------------------


class InviteInputSerializer(serializers.Serializer):
    emails = serializers.ListField(
        child=serializers.EmailField(),
        allow_empty=False,
        max_length=100,
        help_text=_(
            "Email addresses of the colleagues to invite (at most 100). People without an "
            "account receive an invitation email to sign up."
        ),
    )


class InvitationOutputSerializer(serializers.ModelSerializer):
    community = CommunityReferenceSerializer(read_only=True)
    invited_by = MemberSummarySerializer(read_only=True)

    class Meta:
        model = Invitation
        fields = ["id", "community", "email", "invited_by", "status", "created_at"]
        read_only_fields = fields


# Elections ------------------------------------------------------------------------------


class CandidateOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    user = MemberSummarySerializer(read_only=True)
    vote_count = serializers.SerializerMethodField(
        help_text=_("Votes received; null while the election is open (ballots are secret).")
    )

    @extend_schema_field(OpenApiTypes.INT)
    def get_vote_count(self, candidate) -> int | None:
        if candidate.election.status == Election.Status.OPEN:
            return None
        return candidate.vote_count


class ElectionOutputSerializer(serializers.ModelSerializer):
    candidates = CandidateOutputSerializer(many=True, read_only=True)
    winner = MemberSummarySerializer(read_only=True, allow_null=True)
    voter_count = serializers.IntegerField(read_only=True, help_text=_("Members who voted."))
    has_voted = serializers.BooleanField(
        read_only=True, help_text=_("Whether the asking member has voted.")
    )

    class Meta:
        model = Election
        fields = [
            "id",
            "title",
            "role",
            "status",
            "closes_at",
            "term_ends_at",
            "candidates",
            "winner",
            "voter_count",
            "has_voted",
            "created_at",
            "closed_at",
        ]
        read_only_fields = fields


class ElectionOpenInputSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200, help_text=_("E.g. “Chair, first quarter”."))
    role = serializers.ChoiceField(
        choices=Membership.Role.choices, help_text=_("The role the winner receives.")
    )
    candidates = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True),
        many=True,
        allow_empty=False,
        help_text=_("Ids of the candidate members."),
    )
    closes_at = serializers.DateTimeField(help_text=_("When voting ends (ISO 8601)."))
    term_ends_at = serializers.DateTimeField(
        required=False, allow_null=True, help_text=_("When the elected term ends.")
    )


class ElectionVoteInputSerializer(serializers.Serializer):
    candidate_id = serializers.IntegerField(
        min_value=1,
        max_value=ID_MAX,
        help_text=_("Id of the candidacy (candidates[].id), not of the user."),
    )


# Topics ---------------------------------------------------------------------------------


class TopicOutputSerializer(serializers.ModelSerializer):
    post_count = serializers.IntegerField(
        read_only=True, help_text=_("Posts on this topic that the asking member may read.")
    )

    class Meta:
        model = Topic
        fields = ["id", "name", "post_count"]
        read_only_fields = fields


class TopicListQuerySerializer(serializers.Serializer):
    search = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=65,
        help_text=_("Part of the topic name (the # is optional)."),
    )

    def validate_search(self, value: str) -> str:
        return value.lstrip("#")


# Posts ----------------------------------------------------------------------------------


class PollOptionOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    label = serializers.CharField(read_only=True)
    vote_count = serializers.IntegerField(read_only=True)


class PollOutputSerializer(serializers.Serializer):
    allows_multiple = serializers.BooleanField(read_only=True)
    closes_at = serializers.DateTimeField(read_only=True, allow_null=True)
    options = PollOptionOutputSerializer(many=True, read_only=True)


class EventOutputSerializer(serializers.Serializer):
    starts_at = serializers.DateTimeField(read_only=True)
    ends_at = serializers.DateTimeField(read_only=True)
    timezone = serializers.CharField(read_only=True)
    location = serializers.CharField(read_only=True)
    online_url = serializers.CharField(
        read_only=True, help_text=_("Address of the online meeting, or empty when none.")
    )
    capacity = serializers.IntegerField(read_only=True, allow_null=True)


class AttachmentOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    original_name = serializers.CharField(read_only=True)
    content_type = serializers.CharField(read_only=True)
    size = serializers.IntegerField(read_only=True)
    file = serializers.SerializerMethodField(
        help_text=_("Address of the file (authenticated download).")
    )
    thumbnail = serializers.SerializerMethodField(
        help_text=_("Address of the image's thumbnail (authenticated download), or null.")
    )

    def get_file(self, attachment) -> str:
        return protected_file_url(self, "api:attachment-file", attachment.pk)

    def get_thumbnail(self, attachment) -> str | None:
        if not attachment.thumbnail:
            return None
        return protected_file_url(self, "api:attachment-thumbnail", attachment.pk)


class PostOutputSerializer(serializers.ModelSerializer):
    """A post as a stream or its page shows it."""

    community = CommunityReferenceSerializer(read_only=True)
    author = MemberSummarySerializer(read_only=True)
    topics = serializers.SlugRelatedField(slug_field="name", many=True, read_only=True)
    accepted_answer_id = serializers.IntegerField(read_only=True, allow_null=True)
    reactions = serializers.SerializerMethodField(
        help_text=_("Number of reactions per kind, e.g. {“like”: 3}.")
    )
    my_reactions = serializers.SerializerMethodField(
        help_text=_("The kinds the asking member reacted with.")
    )
    poll = serializers.SerializerMethodField()
    event = serializers.SerializerMethodField()
    attachments = AttachmentOutputSerializer(many=True, read_only=True)
    requires_acknowledgement = serializers.BooleanField(
        read_only=True,
        help_text=_("An announcement that members are asked to acknowledge."),
    )
    acknowledged = serializers.SerializerMethodField(
        help_text=_("Whether the asking member acknowledged it (false when not asked).")
    )

    class Meta:
        model = Post
        fields = [
            "id",
            "community",
            "author",
            "kind",
            "title",
            "body",
            "body_html",
            "topics",
            "accepted_answer_id",
            "comment_count",
            "reactions",
            "my_reactions",
            "poll",
            "event",
            "attachments",
            "is_hidden",
            "requires_acknowledgement",
            "acknowledged",
            "edited_at",
            "created_at",
        ]
        read_only_fields = fields

    def get_acknowledged(self, post) -> bool:
        # Annotated by the view (posts_with_acknowledged / acknowledged_attach).
        return bool(getattr(post, "acknowledged", False))

    @extend_schema_field({"type": "object", "additionalProperties": {"type": "integer"}})
    def get_reactions(self, post) -> dict:
        return reaction_summary(post)

    def get_my_reactions(self, post) -> list[str]:
        return my_reaction_kinds(post)

    @extend_schema_field(PollOutputSerializer(allow_null=True))
    def get_poll(self, post):
        if post.kind != Post.Kind.POLL or not hasattr(post, "poll"):
            return None
        return PollOutputSerializer(post.poll, context=self.context).data

    @extend_schema_field(EventOutputSerializer(allow_null=True))
    def get_event(self, post):
        if post.kind != Post.Kind.EVENT or not hasattr(post, "event"):
            return None
        return EventOutputSerializer(post.event, context=self.context).data


def reaction_summary(obj) -> dict[str, int]:
    """Counts per kind, as ``reaction_summary_attach`` set them on the post or comment
    (the view attaches them to what it shows)."""
    return dict(obj.reaction_counts)


def my_reaction_kinds(obj) -> list[str]:
    """The kinds the asking member reacted with (set by ``reaction_summary_attach``)."""
    return list(obj.my_reactions)


class EventAttendanceSerializer(serializers.Serializer):
    going = serializers.IntegerField(read_only=True, help_text=_("Confirmed “yes”."))
    waitlisted = serializers.IntegerField(read_only=True, help_text=_("“Yes” waiting for a seat."))
    maybe = serializers.IntegerField(read_only=True)
    not_going = serializers.IntegerField(read_only=True)
    capacity = serializers.IntegerField(read_only=True, allow_null=True)
    seats_left = serializers.IntegerField(
        read_only=True, allow_null=True, help_text=_("Null when the capacity is unlimited.")
    )


class PollResultSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    label = serializers.CharField(read_only=True)
    votes = serializers.IntegerField(read_only=True)
    percent = serializers.IntegerField(
        read_only=True, help_text=_("Share of the voters who chose this option.")
    )


class PostDetailOutputSerializer(PostOutputSerializer):
    """One post, with its poll results and event attendance (given by the view in the
    context, from the selectors)."""

    poll_results = serializers.SerializerMethodField()
    attendance = serializers.SerializerMethodField()

    class Meta(PostOutputSerializer.Meta):
        fields = [*PostOutputSerializer.Meta.fields, "poll_results", "attendance"]
        read_only_fields = fields

    @extend_schema_field(PollResultSerializer(many=True, allow_null=True))
    def get_poll_results(self, post):
        return self.context.get("poll_results")

    @extend_schema_field(EventAttendanceSerializer(allow_null=True))
    def get_attendance(self, post):
        return self.context.get("attendance")


class PollInputSerializer(serializers.Serializer):
    options = serializers.ListField(
        child=serializers.CharField(max_length=200),
        help_text=_("The choices, 2 to 10."),
    )
    allows_multiple = serializers.BooleanField(
        required=False, default=False, help_text=_("Whether members may tick several options.")
    )
    closes_at = serializers.DateTimeField(
        required=False, allow_null=True, default=None, help_text=_("When voting ends.")
    )


class EventDateTimeField(serializers.DateTimeField):
    """A moment of an event: a time without an offset is left as it is, so that the
    service reads it in the event's own time zone rather than the server's."""

    def enforce_timezone(self, value):
        return value


class EventInputSerializer(serializers.Serializer):
    starts_at = EventDateTimeField(
        help_text=_("Start, ISO 8601; without an offset, in the event's time zone.")
    )
    ends_at = EventDateTimeField(
        help_text=_("End, ISO 8601; without an offset, in the event's time zone.")
    )
    timezone = serializers.CharField(
        max_length=64, required=False, default="UTC", help_text=_("IANA time zone of the event.")
    )
    location = serializers.CharField(
        max_length=200, required=False, allow_blank=True, default="", help_text=_("Place.")
    )
    online_url = serializers.URLField(
        required=False, allow_blank=True, default="", help_text=_("Link to join online.")
    )
    capacity = serializers.IntegerField(
        min_value=1,
        max_value=1_000_000,
        required=False,
        allow_null=True,
        default=None,
        help_text=_("Seats; further “yes” answers go to the waiting list."),
    )


class PostCreateInputSerializer(serializers.Serializer):
    """A new post. In multipart requests, nested fields use ``poll.options[0]``-style keys
    and files are repeated under ``attachments``."""

    community = VisibleCommunityField(help_text=_("Slug of the community to post in."))
    kind = serializers.ChoiceField(
        choices=Post.Kind.choices,
        required=False,
        default=Post.Kind.DISCUSSION,
        help_text=_("announcement: managers only; poll and event need their payload."),
    )
    title = serializers.CharField(max_length=200, help_text=_("Title of the post."))
    body = serializers.CharField(help_text=_("Markdown; #topics and @mentions are recognised."))
    poll = PollInputSerializer(required=False, help_text=_("Required for a poll."))
    event = EventInputSerializer(required=False, help_text=_("Required for an event."))
    requires_acknowledgement = serializers.BooleanField(
        required=False,
        default=False,
        help_text=_(
            "Announcements only: members see a banner until they acknowledge it, and "
            "managers follow who did."
        ),
    )
    attachments = serializers.ListField(
        child=serializers.FileField(),
        required=False,
        default=list,
        max_length=10,
        help_text=_("Images and documents (multipart), at most 10."),
    )


class PostUpdateInputSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200, required=False, help_text=_("New title."))
    body = serializers.CharField(required=False, help_text=_("New Markdown body."))


# Comments -------------------------------------------------------------------------------


class CommentReplySerializer(serializers.ModelSerializer):
    """A comment. A deleted one, or a hidden one shown to someone who is neither its
    author nor a moderator, comes with an empty body and a ``placeholder``."""

    author = MemberSummarySerializer(read_only=True)
    placeholder = serializers.SerializerMethodField(
        help_text=_("Why the body is not shown (deleted or hidden); null when it is.")
    )
    reactions = serializers.SerializerMethodField(
        help_text=_("Number of reactions per kind, e.g. {“like”: 3}.")
    )
    my_reactions = serializers.SerializerMethodField(
        help_text=_("The kinds the asking member reacted with.")
    )
    attachments = AttachmentOutputSerializer(many=True, read_only=True)

    class Meta:
        model = Comment
        fields = [
            "id",
            "post_id",
            "parent_id",
            "author",
            "body",
            "body_html",
            "placeholder",
            "is_hidden",
            "is_deleted",
            "reactions",
            "my_reactions",
            "attachments",
            "edited_at",
            "created_at",
        ]
        read_only_fields = fields

    @extend_schema_field({"type": "string", "nullable": True})
    def get_placeholder(self, comment) -> str | None:
        placeholder = getattr(comment, "placeholder", None)
        return str(placeholder) if placeholder else None

    @extend_schema_field({"type": "object", "additionalProperties": {"type": "integer"}})
    def get_reactions(self, comment) -> dict:
        return reaction_summary(comment)

    def get_my_reactions(self, comment) -> list[str]:
        return my_reaction_kinds(comment)


class CommentOutputSerializer(CommentReplySerializer):
    replies = CommentReplySerializer(many=True, read_only=True)

    class Meta(CommentReplySerializer.Meta):
        fields = [*CommentReplySerializer.Meta.fields, "replies"]
        read_only_fields = fields


class CommentCreateInputSerializer(serializers.Serializer):
    body = serializers.CharField(help_text=_("Markdown."))
    parent = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=1,
        max_value=ID_MAX,
        help_text=_("Id of the top-level comment this replies to."),
    )
    attachments = serializers.ListField(
        child=serializers.FileField(),
        required=False,
        default=list,
        max_length=10,
        help_text=_("Images and documents (multipart), at most 10."),
    )


class CommentUpdateInputSerializer(serializers.Serializer):
    # PATCH replaces the body, the one thing a comment's author edits: it is required.
    patch_is_partial = False

    body = serializers.CharField(help_text=_("New Markdown body."))


# Reactions, votes, RSVP, answers --------------------------------------------------------


class ReactionInputSerializer(serializers.Serializer):
    kind = KnownValuesCharField(
        schema_enum=lambda: settings.CERCLE_REACTION_KINDS,
        max_length=20,
        help_text=_("One of the configured kinds (CERCLE_REACTION_KINDS), e.g. like."),
    )

    def validate_kind(self, value: str) -> str:
        # The kinds are a setting, read per request rather than frozen at import.
        if value not in settings.CERCLE_REACTION_KINDS:
            raise serializers.ValidationError(
                _("Choose one of: %(kinds)s.")
                % {"kinds": ", ".join(settings.CERCLE_REACTION_KINDS)}
            )
        return value


class ReactionOutputSerializer(serializers.Serializer):
    kind = serializers.CharField(read_only=True)
    reacted = serializers.BooleanField(
        read_only=True, help_text=_("True when the member now reacts with this kind.")
    )


class PollVoteInputSerializer(serializers.Serializer):
    option_ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=ID_MAX),
        allow_empty=False,
        max_length=10,
        help_text=_("The chosen options: exactly one unless the poll allows several."),
    )


class PollVoteOutputSerializer(serializers.Serializer):
    results = PollResultSerializer(many=True, read_only=True)


class RsvpInputSerializer(serializers.Serializer):
    answer = serializers.ChoiceField(choices=Rsvp.Answer.choices, help_text=_("yes, maybe or no."))


class RsvpOutputSerializer(serializers.Serializer):
    answer = serializers.CharField(read_only=True)
    is_waitlisted = serializers.BooleanField(
        read_only=True, help_text=_("True when the event was full: the member waits for a seat.")
    )
    detail = serializers.CharField(read_only=True, help_text=_("What happened, for the member."))
    attendance = EventAttendanceSerializer(read_only=True)


class AcceptAnswerInputSerializer(serializers.Serializer):
    comment_id = serializers.IntegerField(
        min_value=1, max_value=ID_MAX, help_text=_("The comment that answers the question.")
    )


# Moderation -----------------------------------------------------------------------------


class FlagInputSerializer(serializers.Serializer):
    reason = serializers.ChoiceField(
        choices=Flag.Reason.choices, help_text=_("Why it is reported.")
    )
    details = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=500,
        help_text=_("What moderators should know."),
    )


class FlagOutputSerializer(serializers.ModelSerializer):
    """A report as its reporter sees it."""

    community = CommunityReferenceSerializer(read_only=True)

    class Meta:
        model = Flag
        fields = [
            "id",
            "community",
            "post_id",
            "comment_id",
            "reason",
            "details",
            "status",
            "created_at",
            "resolved_at",
        ]
        read_only_fields = fields


class FlaggedContentSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=["post", "comment"], read_only=True)
    post_id = serializers.IntegerField(read_only=True)
    comment_id = serializers.IntegerField(read_only=True, allow_null=True)
    title = serializers.CharField(read_only=True, help_text=_("Title of the post concerned."))
    body = serializers.CharField(read_only=True, help_text=_("Markdown of the reported content."))
    is_hidden = serializers.BooleanField(read_only=True)
    author = MemberSummarySerializer(read_only=True)


class ModerationFlagSerializer(FlagOutputSerializer):
    """A report in the moderation queue, with the content and its author's record."""

    reporter = MemberSummarySerializer(read_only=True)
    content = serializers.SerializerMethodField()
    author_hidden_count = serializers.IntegerField(
        read_only=True,
        help_text=_("How many posts and comments of the content's author are hidden here."),
    )
    author_is_banned = serializers.BooleanField(read_only=True)
    suggest_ban = serializers.BooleanField(
        read_only=True,
        help_text=_("The author's hidden items reached the threshold: consider a ban."),
    )

    class Meta(FlagOutputSerializer.Meta):
        # Every flag in the queue is open: no status.
        fields = [
            *(field for field in FlagOutputSerializer.Meta.fields if field != "status"),
            "reporter",
            "content",
            "author_hidden_count",
            "author_is_banned",
            "suggest_ban",
        ]
        read_only_fields = fields

    @extend_schema_field(FlaggedContentSerializer)
    def get_content(self, flag) -> dict:
        if flag.comment_id:
            comment = flag.comment
            content = {
                "type": "comment",
                "post_id": comment.post_id,
                "comment_id": comment.pk,
                "title": comment.post.title,
                "body": comment.body,
                "is_hidden": comment.is_hidden,
                "author": comment.author,
            }
        else:
            post = flag.post
            content = {
                "type": "post",
                "post_id": post.pk,
                "comment_id": None,
                "title": post.title,
                "body": post.body,
                "is_hidden": post.is_hidden,
                "author": post.author,
            }
        return FlaggedContentSerializer(content).data


class FlagResolveInputSerializer(serializers.Serializer):
    action = serializers.ChoiceField(
        choices=[
            ("hide", _("Hide the content")),
            ("restore", _("Restore the content")),
            ("dismiss", _("Dismiss the report")),
        ],
        help_text=_("hide, restore or dismiss; resolves every open report on the same content."),
    )
