"""Input and output of the metrics API. Query strings are validated here (the field in
error is named in the answer); outputs document every figure, nullable where it may be
missing, so that the schema says exactly what an answer holds."""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from metrics.participation import PeriodInvalid, period_parse
from metrics.profile_types import ProfileType

PERIOD_HELP = _(
    "4w, 13w (default), 26w or 52w: that many weeks up to today (UTC); or a range of "
    "days YYYY-MM-DD..YYYY-MM-DD, both included, ending today at the latest."
)


# Other resources have fields named "type" with other choices: the profile types are
# documented inline (under oneOf), so that no enum component is named after the field.
PROFILE_TYPE_SCHEMA = {"type": "string", "enum": list(ProfileType.values)}


@extend_schema_field({"oneOf": [PROFILE_TYPE_SCHEMA]})
class ProfileTypeField(serializers.ChoiceField):
    def __init__(self, **kwargs):
        super().__init__(choices=ProfileType.choices, **kwargs)


@extend_schema_field({"oneOf": [PROFILE_TYPE_SCHEMA, {"enum": [None]}]})
class NullableProfileTypeField(ProfileTypeField):
    """A profile type, or null (answers only)."""


#: What a period looks like; whether a range is a real one (dates that exist, in order,
#: not in the future, at most two years) only :func:`period_parse` can tell.
_DAY = r"\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])"
PERIOD_PATTERN = rf"^(|4w|13w|26w|52w|{_DAY}\.\.{_DAY})$"


@extend_schema_field({"type": "string", "pattern": PERIOD_PATTERN, "maxLength": 40})
class PeriodField(serializers.CharField):
    """A period of :func:`metrics.participation.period_parse`, read as of today (UTC)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("allow_blank", True)  # ?period= is read as not given
        kwargs.setdefault("max_length", 40)
        kwargs.setdefault("help_text", PERIOD_HELP)
        super().__init__(**kwargs)

    def run_validation(self, data=serializers.empty):
        value = super().run_validation(data)  # text, its length checked
        if not value:
            return value  # not given, or given empty: the default
        try:
            return period_parse(value, today=timezone.now().date())
        except PeriodInvalid as invalid:
            raise serializers.ValidationError(str(invalid)) from None


def _default_period():
    return period_parse(None, today=timezone.now().date())


class PeriodQuerySerializer(serializers.Serializer):
    period = PeriodField()

    def validate(self, attrs):
        if not attrs.get("period"):
            attrs["period"] = _default_period()
        return attrs


class ParticipationQuerySerializer(PeriodQuerySerializer):
    BY_PROFILE_TYPE = "profile_type"
    BY_NONE = "none"

    community = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=140,
        help_text=_("The community's slug; without it, the whole organisation (superusers)."),
    )
    by = serializers.ChoiceField(
        choices=[BY_PROFILE_TYPE, BY_NONE],
        required=False,
        allow_blank=True,
        help_text=_(
            "profile_type: by profile type (the default while profile types are on); "
            "none: plain participation (the default while they are off)."
        ),
    )


class ProfileTypeQuerySerializer(serializers.Serializer):
    community = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=140,
        help_text=_("The community's slug; without it, the organisation-wide type (superusers)."),
    )


class PeriodSerializer(serializers.Serializer):
    first = serializers.DateField(help_text=_("First day, included."))
    last = serializers.DateField(help_text=_("Last day, included."))
    name = serializers.CharField(help_text=_("The period as asked for, or the default."))


class TypeWeekSerializer(serializers.Serializer):
    week = serializers.DateField(help_text=_("The Sunday that ends the week."))
    members = serializers.IntegerField()
    active_members = serializers.IntegerField()
    content = serializers.IntegerField(help_text=_("Posts and comments."))


class TypeParticipationSerializer(serializers.Serializer):
    type = ProfileTypeField()
    label = serializers.CharField()
    hidden = serializers.BooleanField(
        help_text=_(
            "Organisation-wide, a group smaller than the minimum is hidden: every figure "
            "is then null."
        )
    )
    members = serializers.IntegerField(allow_null=True, help_text=_("In the last week evaluated."))
    share = serializers.FloatField(allow_null=True, help_text=_("Of the scope's members, 0 to 1."))
    active_share = serializers.FloatField(
        allow_null=True, help_text=_("Of the type's members active that week, 0 to 1.")
    )
    contributors = serializers.IntegerField(allow_null=True)
    content = serializers.IntegerField(allow_null=True, help_text=_("Over the whole period."))
    replies_to_others = serializers.IntegerField(allow_null=True)
    reactions_given = serializers.IntegerField(allow_null=True)
    kudos_given = serializers.IntegerField(allow_null=True)
    reads = serializers.IntegerField(allow_null=True)
    weeks = TypeWeekSerializer(many=True)


class ParticipationByTypeSerializer(serializers.Serializer):
    by = serializers.CharField(help_text=_("profile_type"))
    community = serializers.CharField(allow_null=True, help_text=_("Slug; null: organisation."))
    period = PeriodSerializer()
    evaluated_on = serializers.DateField(
        allow_null=True, help_text=_("The last week evaluated in the period; null: none.")
    )
    members = serializers.IntegerField(help_text=_("Members evaluated that week."))
    types = TypeParticipationSerializer(many=True)


class ParticipationWeekSerializer(serializers.Serializer):
    week = serializers.DateField(help_text=_("The Sunday that ends the week."))
    first = serializers.DateField(help_text=_("First day of the week in the period."))
    last = serializers.DateField(help_text=_("Last day of the week in the period."))
    active_members = serializers.IntegerField(help_text=_("Distinct over the week."))
    content = serializers.IntegerField(help_text=_("Posts and comments."))
    new_members = serializers.IntegerField(
        allow_null=True, help_text=_("Who joined; null organisation-wide.")
    )
    median_first_reply_seconds = serializers.IntegerField(
        allow_null=True,
        help_text=_(
            "Median of the days' median delays to a first reply; null when no post of "
            "the week got one, and organisation-wide."
        ),
    )


class ParticipationPlainSerializer(serializers.Serializer):
    by = serializers.CharField(help_text=_("none"))
    community = serializers.CharField(allow_null=True, help_text=_("Slug; null: organisation."))
    period = PeriodSerializer()
    active_members = serializers.IntegerField(help_text=_("Distinct over the period."))
    content = serializers.IntegerField(help_text=_("Posts and comments."))
    new_members = serializers.IntegerField(
        allow_null=True, help_text=_("In a community; null organisation-wide.")
    )
    weeks = ParticipationWeekSerializer(many=True)


class PersonSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    display_name = serializers.CharField()


class ProfileTypeHistorySerializer(serializers.Serializer):
    week = serializers.DateField(help_text=_("The evaluation day (a Sunday)."))
    type = ProfileTypeField(help_text=_("Published type."))


class ProfileTypeOverrideOutputSerializer(serializers.Serializer):
    type = ProfileTypeField()
    reason = serializers.CharField()
    author = serializers.CharField(
        allow_null=True, help_text=_("Display name of who set it; null once they are gone.")
    )
    created_at = serializers.DateTimeField()


class ProfileTypeOutputSerializer(serializers.Serializer):
    member = PersonSerializer()
    community = serializers.CharField(allow_null=True, help_text=_("Slug; null: organisation."))
    type = NullableProfileTypeField(
        help_text=_(
            "What managers see: the open override's type, or the published one; null "
            "until the member is evaluated."
        ),
    )
    label = serializers.CharField(allow_null=True, help_text=_("The type, in words."))
    computed_type = NullableProfileTypeField(
        help_text=_("What the rules said at the last evaluation."),
    )
    since = serializers.DateField(allow_null=True, help_text=_("First week of the published type."))
    evaluated_on = serializers.DateField(allow_null=True)
    reasons = serializers.ListField(child=serializers.CharField())
    history = ProfileTypeHistorySerializer(many=True, help_text=_("The last weeks, oldest first."))
    override = ProfileTypeOverrideOutputSerializer(allow_null=True)


#: The types a manager may set by hand: every one but "new".
SETTABLE_TYPES = [
    (value, label) for value, label in ProfileType.choices if value != ProfileType.NEW
]


@extend_schema_field(
    {"oneOf": [{"type": "string", "enum": [value for value, label in SETTABLE_TYPES]}]}
)
class SettableProfileTypeField(serializers.ChoiceField):
    def __init__(self, **kwargs):
        super().__init__(choices=SETTABLE_TYPES, **kwargs)


class ProfileTypeOverrideInputSerializer(serializers.Serializer):
    type = SettableProfileTypeField(
        help_text=_("One of the six profile types (new cannot be set by hand)."),
    )
    reason = serializers.CharField(
        max_length=1000, help_text=_("Why: kept, and shown next to the computed type.")
    )


class ActivityGivenSerializer(serializers.Serializer):
    posts = serializers.IntegerField(help_text=_("Posts started, questions included."))
    questions = serializers.IntegerField(help_text=_("Of those posts, questions."))
    replies_to_others = serializers.IntegerField()
    reactions = serializers.IntegerField()
    kudos = serializers.IntegerField()
    answers_accepted = serializers.IntegerField(help_text=_("Your answers that were accepted."))
    polls_voted = serializers.IntegerField()
    rsvps = serializers.IntegerField()


class ActivityReceivedSerializer(serializers.Serializer):
    replies = serializers.IntegerField()
    reactions = serializers.IntegerField()
    kudos = serializers.IntegerField()
    accepted_answers = serializers.IntegerField(
        help_text=_("Answers to your questions that you accepted.")
    )


class ActivityWeekSerializer(serializers.Serializer):
    week = serializers.DateField(help_text=_("The Sunday that ends the week."))
    first = serializers.DateField()
    last = serializers.DateField()
    given = serializers.IntegerField()
    received = serializers.IntegerField()
    reads = serializers.IntegerField()
    visits = serializers.IntegerField()


class ActivitySummarySerializer(serializers.Serializer):
    period = PeriodSerializer()
    given = ActivityGivenSerializer()
    received = ActivityReceivedSerializer()
    reads = serializers.IntegerField()
    visits = serializers.IntegerField()
    active_days = serializers.IntegerField()
    weeks = ActivityWeekSerializer(many=True)


class ErrorOutputSerializer(serializers.Serializer):
    """A refusal: ``detail`` and ``code``, and for bad input one list of messages per
    field in error (``community``, ``period``, ``by``, ``type``, ``reason``...)."""

    detail = serializers.CharField(required=False)
    code = serializers.CharField(required=False)
