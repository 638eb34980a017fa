"""Forms of the conversation pages. They check the form of the input; the rules (who,
how many, empty or too long messages) are the services', shown back on the form with
``communities.forms.add_domain_error``."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _


class ConversationSearchForm(forms.Form):
    q = forms.CharField(label=_("Search my conversations"), required=False, max_length=200)


class PeopleField(forms.TypedMultipleChoiceField):
    """Colleagues as checkboxes; the choices are the people the page shows (those
    already chosen and those found by a search)."""

    widget = forms.CheckboxSelectMultiple

    def __init__(self, **kwargs):
        kwargs.setdefault("coerce", int)
        kwargs.setdefault("label", _("People"))
        kwargs.setdefault(
            "error_messages",
            {
                "required": _("Choose at least one colleague."),
                "invalid_choice": _("%(value)s is not a colleague you can choose."),
            },
        )
        super().__init__(**kwargs)


def _people_choices(people) -> list[tuple[int, str]]:
    choices = []
    for person in people:
        details = " · ".join(part for part in (person.job_title, person.department) if part)
        choices.append((person.pk, f"{person} ({details})" if details else str(person)))
    return choices


class MessageForm(forms.Form):
    body = forms.CharField(
        label=_("Your message"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Markdown works: **bold**, *italics*, lists and links."),
        error_messages={"required": _("Write something first: the text is empty.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["body"].widget.attrs["maxlength"] = settings.CERCLE_MESSAGE_MAX_LENGTH


class ConversationStartForm(MessageForm):
    participants = PeopleField()
    title = forms.CharField(
        label=_("Title (for a group, optional)"),
        required=False,
        max_length=120,
        help_text=_("Helps everyone find the conversation. A conversation for two has none."),
    )

    field_order = ["participants", "title", "body"]

    def __init__(self, *args, people=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["participants"].choices = _people_choices(people)
        self.fields["body"].label = _("Message")


class ParticipantsAddForm(forms.Form):
    participants = PeopleField(label=_("People to add"))

    def __init__(self, *args, people=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["participants"].choices = _people_choices(people)
