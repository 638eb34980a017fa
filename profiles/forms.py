from django import forms
from django.utils.translation import gettext_lazy as _


class SignupExtraForm(forms.Form):
    """Fields allauth's signup form adds to email and password."""

    display_name = forms.CharField(
        label=_("Display name"),
        max_length=120,
        help_text=_("How colleagues will see you, e.g. Camille Martin."),
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )

    field_order = ["email", "display_name", "password1", "password2"]

    def signup(self, request, user) -> None:
        user.display_name = self.cleaned_data["display_name"].strip()
        user.save(update_fields=["display_name"])


def _split_names(raw: str) -> list[str]:
    """Comma-separated names (one per line works too), trimmed, without duplicates."""
    names = [name.strip() for name in raw.replace("\n", ",").split(",")]
    return list(dict.fromkeys(name for name in names if name))


def kudos_value_label(value: str) -> str:
    """The translated name of a kudos value (the value itself, readable, if unknown)."""
    labels = {
        "helpful": _("Helpful"),
        "teamwork": _("Teamwork"),
        "innovation": _("Innovation"),
        "customer_first": _("Customer first"),
        "leadership": _("Leadership"),
        "thank_you": _("Thank you"),
    }
    return str(labels.get(value, value.replace("_", " ").capitalize()))


class PeopleFilterForm(forms.Form):
    """The people directory's search and filters (the shape only; the selector matches)."""

    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    department = forms.CharField(label=_("Department"), required=False, max_length=120)
    skill = forms.CharField(label=_("Skill"), required=False, max_length=80)
    interest = forms.CharField(label=_("Interest"), required=False, max_length=80)
    location = forms.CharField(label=_("Location"), required=False, max_length=120)


class ExpertSearchForm(forms.Form):
    topic = forms.CharField(
        label=_("Topic"),
        max_length=64,
        help_text=_("A skill or a #topic, e.g. kubernetes."),
    )

    def clean_topic(self) -> str:
        topic = self.cleaned_data["topic"].strip().lstrip("#")
        if not topic:
            raise forms.ValidationError(_("Enter a topic."))
        return topic


def _time_zone_choices() -> list[tuple[str, str]]:
    from zoneinfo import available_timezones

    return [(name, name.replace("_", " ")) for name in sorted(available_timezones())]


class ProfileForm(forms.Form):
    """The member's own profile. Names of skills, interests and languages are free text,
    separated by commas: the service matches existing ones case-insensitively."""

    display_name = forms.CharField(label=_("Display name"), max_length=120)
    job_title = forms.CharField(label=_("Job title"), max_length=120, required=False)
    department = forms.CharField(label=_("Department"), max_length=120, required=False)
    location = forms.CharField(label=_("Location"), max_length=120, required=False)
    time_zone = forms.ChoiceField(label=_("Time zone"), choices=_time_zone_choices)
    bio = forms.CharField(
        label=_("About me"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Markdown: **bold**, *italic*, [link](https://…)."),
    )
    skills = forms.CharField(
        label=_("Skills"),
        required=False,
        max_length=2000,
        help_text=_("What colleagues may ask you about, separated by commas."),
    )
    interests = forms.CharField(
        label=_("Interests and passions"),
        required=False,
        max_length=2000,
        help_text=_("Separated by commas, e.g. cycling, jazz, open source."),
    )
    languages = forms.CharField(
        label=_("Languages"),
        required=False,
        max_length=200,
        help_text=_("Language codes separated by commas, e.g. fr, en, de."),
    )
    avatar = forms.FileField(
        label=_("Photo"),
        required=False,
        help_text=_("A PNG or JPEG image; it is cropped to a square."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/png,image/jpeg,image/webp"}),
    )
    remove_avatar = forms.BooleanField(label=_("Remove my photo"), required=False)
    show_in_leaderboards = forms.BooleanField(
        label=_("Show me in community leaderboards"), required=False
    )

    def clean_skills(self) -> list[str]:
        return _split_names(self.cleaned_data["skills"])

    def clean_interests(self) -> list[str]:
        return _split_names(self.cleaned_data["interests"])

    def clean_languages(self) -> list[str]:
        return [code.lower() for code in _split_names(self.cleaned_data["languages"])]


class KudosForm(forms.Form):
    """Give kudos: one or several colleagues, a value, a message, optionally shared."""

    recipients = forms.ModelMultipleChoiceField(
        label=_("Colleagues"),
        queryset=None,
        help_text=_("One or several colleagues."),
    )
    value = forms.ChoiceField(label=_("For"), choices=())
    message = forms.CharField(
        label=_("Message"), max_length=1000, widget=forms.Textarea(attrs={"rows": 3})
    )
    community = forms.ModelChoiceField(
        label=_("Share in a community"),
        queryset=None,
        required=False,
        empty_label=_("Do not share"),
        help_text=_("The kudos is then published in that community's stream."),
    )

    def __init__(self, *args, recipients, communities, **kwargs):
        from django.conf import settings

        super().__init__(*args, **kwargs)
        self.fields["recipients"].queryset = recipients
        self.fields["value"].choices = [
            (value, kudos_value_label(value)) for value in settings.CERCLE_KUDOS_VALUES
        ]
        self.fields["community"].queryset = communities


class BadgeAwardForm(forms.Form):
    """The admin's manual award: a manual badge, a member, a reason."""

    badge = forms.ModelChoiceField(label=_("Badge"), queryset=None)
    user = forms.ModelChoiceField(label=_("Member"), queryset=None)
    reason = forms.CharField(label=_("Reason"), max_length=300, required=False)

    def __init__(self, *args, **kwargs):
        from profiles.models import Badge, User

        super().__init__(*args, **kwargs)
        self.fields["badge"].queryset = Badge.objects.filter(is_manual=True)
        self.fields["user"].queryset = User.objects.filter(is_active=True)


class MergeForm(forms.Form):
    """The admin's "merge into…" step: the skill or interest the selection becomes."""

    target = forms.CharField(
        label=_("Merge into"),
        max_length=80,
        help_text=_("The name of the skill or interest to keep."),
    )
