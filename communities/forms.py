"""Browser forms for communities and conversations.

Forms only parse and check the shape of the input (types, required fields, lengths
the browser can know about). Every domain rule (who may post, how many poll options,
slug taken, file types...) is decided by the services; the views copy a service's
:class:`config.errors.DomainError` back onto the form with :func:`add_domain_error`.
"""

from django import forms
from django.conf import settings
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from communities.models import Community, Flag, Membership, Post, Rsvp
from config.errors import DomainError


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files from one ``<input type=file multiple>``; cleans to a list."""

    widget = MultipleFileInput

    def clean(self, data, initial=None):
        single_clean = super().clean
        if isinstance(data, list | tuple):
            return [single_clean(item, initial) for item in data if item]
        return [single_clean(data, initial)] if data else []


def _with_live_preview(field: forms.Field) -> None:
    """The composer's live preview: htmx posts the body to the preview endpoint as the
    member types, and swaps the rendered, sanitised HTML into ``#composer-preview``."""
    field.widget.attrs.update(
        {
            "hx-post": reverse_lazy("communities:preview"),
            "hx-trigger": "input changed delay:400ms",
            "hx-target": "#composer-preview",
            "hx-params": "body",
            "hx-sync": "this:replace",
            "aria-controls": "composer-preview",
        }
    )


def add_domain_error(form: forms.Form, error: DomainError, field_map: dict | None = None) -> None:
    """Show a service's refusal on ``form``: its message on top of the form, each field
    error next to its field (through ``field_map`` when the service names it
    differently), field errors for fields the form does not have on top too."""
    field_map = field_map or {}
    top: list[str] = []
    for name, messages in (error.field_errors or {}).items():
        field = field_map.get(name, name)
        if isinstance(messages, str):
            messages = [messages]
        for message in messages:
            if field in form.fields:
                form.add_error(field, str(message))
            else:
                top.append(str(message))
    placed = {str(message) for messages in form.errors.values() for message in messages}
    for message in dict.fromkeys([error.message, *top]):
        if message in placed:
            continue
        form.add_error(None, message)


class CommunityDirectoryFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    mine = forms.BooleanField(label=_("Only my communities"), required=False)
    visibility = forms.ChoiceField(
        label=_("Visibility"),
        required=False,
        choices=[("", _("Any visibility")), *Community.Visibility.choices],
    )
    topic = forms.CharField(
        label=_("Topic"),
        required=False,
        max_length=64,
        help_text=_("A #topic discussed in the community, without the #."),
    )

    def clean_topic(self) -> str:
        return self.cleaned_data["topic"].strip().lstrip("#")


class CommunityForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    slug = forms.SlugField(
        label=_("Address"),
        max_length=140,
        required=False,
        help_text=_("Letters, digits and hyphens. Left empty, it is made from the name."),
    )
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    visibility = forms.ChoiceField(
        label=_("Visibility"),
        choices=Community.Visibility.choices,
        initial=Community.Visibility.PUBLIC,
        help_text=_(
            "Public: everyone reads it. Private: listed, content for members only. "
            "Secret: invisible to non-members."
        ),
    )
    join_policy = forms.ChoiceField(
        label=_("Who can join"),
        choices=Community.JoinPolicy.choices,
        initial=Community.JoinPolicy.OPEN,
    )
    parent = forms.ModelChoiceField(
        label=_("Parent community"),
        queryset=Community.objects.none(),
        required=False,
        help_text=_("Make this a sub-group (e.g. a working group) of another community."),
    )
    cover_image = forms.FileField(label=_("Cover image"), required=False)

    def __init__(self, *args, parents=None, **kwargs):
        super().__init__(*args, **kwargs)
        if parents is not None:
            self.fields["parent"].queryset = parents


class CommunityEditForm(CommunityForm):
    is_archived = forms.BooleanField(
        label=_("Archived"),
        required=False,
        help_text=_("An archived community is read-only."),
    )


class JoinRequestForm(forms.Form):
    message = forms.CharField(
        label=_("Message to the managers"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class InviteForm(forms.Form):
    emails = forms.CharField(
        label=_("Email addresses"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One or more addresses, separated by commas, spaces or new lines."),
    )

    def clean_emails(self) -> list[str]:
        raw = self.cleaned_data["emails"].replace(",", " ").replace(";", " ").split()
        emails = list(dict.fromkeys(email.strip() for email in raw if email.strip()))
        if not emails:
            raise forms.ValidationError(_("Enter at least one email address."))
        return emails


class ElectionVoteForm(forms.Form):
    candidate = forms.ModelChoiceField(
        label=_("Your candidate"), queryset=None, widget=forms.RadioSelect
    )

    def __init__(self, *args, election, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["candidate"].queryset = election.candidates.all()


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Membership.Role.choices)


class PostForm(forms.Form):
    """The composer: every kind of post, the kind-specific parts in their own fieldsets."""

    kind = forms.ChoiceField(
        label=_("Kind of post"), choices=Post.Kind.choices, initial=Post.Kind.DISCUSSION
    )
    title = forms.CharField(label=_("Title"), max_length=200)
    body = forms.CharField(
        label=_("Message"),
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_(
            "Markdown: **bold**, *italic*, [link](https://…), #topic, @firstname.lastname."
        ),
    )
    attachments = MultipleFileField(label=_("Attachments"), required=False)
    poll_options = forms.CharField(
        label=_("Poll options"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One option per line, from 2 to 10."),
    )
    poll_allows_multiple = forms.BooleanField(label=_("Allow several choices"), required=False)
    poll_closes_at = forms.DateTimeField(
        label=_("Poll closes at"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    event_starts_at = forms.DateTimeField(
        label=_("Starts at"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    event_ends_at = forms.DateTimeField(
        label=_("Ends at"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    event_timezone = forms.CharField(
        label=_("Time zone"), required=False, max_length=64, initial="Europe/Paris"
    )
    event_location = forms.CharField(label=_("Place"), required=False, max_length=200)
    event_online_url = forms.URLField(label=_("Online link"), required=False, assume_scheme="https")
    event_capacity = forms.IntegerField(
        label=_("Capacity"),
        required=False,
        min_value=1,
        help_text=_("Leave empty for no limit. When full, members join a waiting list."),
    )
    requires_acknowledgement = forms.BooleanField(
        label=_("Members must acknowledge"),
        required=False,
        help_text=_(
            "Members see a banner until they acknowledge it; you see who did and can "
            "remind the others."
        ),
    )

    # Service field names -> composer field names.
    FIELD_MAP = {
        "options": "poll_options",
        "poll": "poll_options",
        "allows_multiple": "poll_allows_multiple",
        "closes_at": "poll_closes_at",
        "starts_at": "event_starts_at",
        "ends_at": "event_ends_at",
        "timezone": "event_timezone",
        "location": "event_location",
        "online_url": "event_online_url",
        "capacity": "event_capacity",
        "attachment": "attachments",
        "upload": "attachments",
        "file": "attachments",
    }

    def __init__(self, *args, can_announce: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["body"].widget.attrs["maxlength"] = settings.CERCLE_POST_BODY_MAX_LENGTH
        _with_live_preview(self.fields["body"])
        if not can_announce:
            self.fields["kind"].choices = [
                choice for choice in Post.Kind.choices if choice[0] != Post.Kind.ANNOUNCEMENT
            ]
            del self.fields["requires_acknowledgement"]

    def acknowledgement_required(self) -> bool:
        """The "Members must acknowledge" box (managers' composer only)."""
        return bool(self.cleaned_data.get("requires_acknowledgement"))

    def clean(self):
        cleaned = super().clean()
        kind = cleaned.get("kind")
        if kind == Post.Kind.EVENT:
            for name in ("event_starts_at", "event_ends_at"):
                if not cleaned.get(name) and name not in self.errors:
                    self.add_error(name, _("An event needs a start and an end."))
        return cleaned

    def poll_data(self) -> dict | None:
        if self.cleaned_data["kind"] != Post.Kind.POLL:
            return None
        options = [
            line.strip() for line in self.cleaned_data["poll_options"].splitlines() if line.strip()
        ]
        return {
            "options": options,
            "allows_multiple": self.cleaned_data["poll_allows_multiple"],
            "closes_at": self.cleaned_data["poll_closes_at"],
        }

    def event_data(self) -> dict | None:
        if self.cleaned_data["kind"] != Post.Kind.EVENT:
            return None
        return {
            "starts_at": self.cleaned_data["event_starts_at"],
            "ends_at": self.cleaned_data["event_ends_at"],
            "timezone": self.cleaned_data["event_timezone"] or "UTC",
            "location": self.cleaned_data["event_location"],
            "online_url": self.cleaned_data["event_online_url"],
            "capacity": self.cleaned_data["event_capacity"],
        }


class PostEditForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    body = forms.CharField(label=_("Message"), widget=forms.Textarea(attrs={"rows": 8}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["body"].widget.attrs["maxlength"] = settings.CERCLE_POST_BODY_MAX_LENGTH
        _with_live_preview(self.fields["body"])


class CommentForm(forms.Form):
    body = forms.CharField(label=_("Your comment"), widget=forms.Textarea(attrs={"rows": 3}))
    parent = forms.IntegerField(required=False, widget=forms.HiddenInput)
    attachments = MultipleFileField(label=_("Attachments"), required=False)

    FIELD_MAP = {"attachment": "attachments", "upload": "attachments", "file": "attachments"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["body"].widget.attrs["maxlength"] = settings.CERCLE_COMMENT_BODY_MAX_LENGTH


class CommentEditForm(forms.Form):
    body = forms.CharField(label=_("Comment"), widget=forms.Textarea(attrs={"rows": 4}))


class ReactionForm(forms.Form):
    kind = forms.ChoiceField(label=_("Reaction"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [(kind, kind) for kind in settings.CERCLE_REACTION_KINDS]


class PollVoteForm(forms.Form):
    options = forms.TypedMultipleChoiceField(label=_("Your choice"), coerce=int)

    def __init__(self, *args, poll, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["options"].choices = [
            (option.id, option.label) for option in poll.options.all()
        ]
        self.fields["options"].error_messages["required"] = _("Choose an option to vote.")


class RsvpForm(forms.Form):
    answer = forms.ChoiceField(label=_("Will you come?"), choices=Rsvp.Answer.choices)


class FlagForm(forms.Form):
    reason = forms.ChoiceField(label=_("Reason"), choices=Flag.Reason.choices)
    details = forms.CharField(
        label=_("Details for the moderators"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class FlagResolveForm(forms.Form):
    action = forms.ChoiceField(
        choices=[("hide", _("Hide")), ("restore", _("Restore")), ("dismiss", _("Dismiss"))]
    )


class MarkdownPreviewForm(forms.Form):
    body = forms.CharField(required=False)
