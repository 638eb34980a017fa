"""Forms used by the community managers' admin (``communities/admin.py``).

They reject malformed input (unknown colleagues, unreadable files, an empty paste)
before any service runs; the domain rules themselves stay in ``communities/services``.
Querysets that depend on who is asking are passed in by the admin, never stored on
the class, so that one request cannot leak choices into another.
"""

from django import forms
from django.contrib.admin.widgets import FilteredSelectMultiple
from django.utils.translation import gettext_lazy as _

from communities.models import Community, Election, Membership
from profiles.models import User

# A paste or a file of a few thousand addresses fits well under this.
BULK_INVITE_MAX_BYTES = 1024 * 1024


class ColleagueEmailField(forms.ModelChoiceField):
    """A colleague chosen by typing their email address (no user list is exposed)."""

    widget = forms.EmailInput
    default_error_messages = {
        "invalid_choice": _("No active colleague has this email address."),
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Colleague's email address"))
        super().__init__(
            queryset=User.objects.filter(is_active=True), to_field_name="email", **kwargs
        )

    def to_python(self, value):
        if isinstance(value, str):
            value = value.strip().lower()
        return super().to_python(value)


class MembershipAddForm(forms.ModelForm):
    """Add a colleague to a community, with a role (the admin calls the services).

    ``user`` is a form field only: ``membership_add`` writes the membership, and a
    colleague who left may be added again (the service reactivates their row), so the
    model's unique (community, user) constraint is no input error here. Someone already
    active is one, and :meth:`clean` says so."""

    user = ColleagueEmailField()

    class Meta:
        model = Membership
        fields = ["community", "user", "role"]
        # ``user`` stays out of the model's validation and of the instance (the admin
        # passes it to the service): so that a row of someone who left is no error.
        exclude = ["user"]  # noqa: DJ006 - ``fields`` lists what the form shows

    def clean(self):
        cleaned = super().clean()
        community, user = cleaned.get("community"), cleaned.get("user")
        if community is not None and user is not None:
            active = Membership.objects.filter(
                community=community, user=user, status=Membership.Status.ACTIVE
            ).exists()
            if active:
                self.add_error(
                    "user",
                    _("%(member)s is already a member; change their role from the membership list.")
                    % {"member": user},
                )
        return cleaned


class MembershipRoleForm(forms.ModelForm):
    """On an existing membership only the role can be changed (through the service)."""

    class Meta:
        model = Membership
        fields = ["role"]


class CommunityForm(forms.ModelForm):
    """Create or edit a community. Without a slug one is derived from the name."""

    class Meta:
        model = Community
        fields = [
            "name",
            "slug",
            "description",
            "cover_image",
            "visibility",
            "join_policy",
            "parent",
            "is_archived",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "slug" in self.fields:
            self.fields["slug"].required = False
            self.fields["slug"].help_text = _("Leave empty to derive it from the name.")
        parent = self.fields.get("parent")
        if parent is not None and self.instance.pk is not None:
            choices = parent.queryset.exclude(pk=self.instance.pk)
            if self.instance.parent_id is not None:
                # Keep the current parent selectable even when the manager does not run
                # it, so that saving other settings never detaches the sub-group.
                choices = choices | Community.objects.filter(pk=self.instance.parent_id)
            parent.queryset = choices.distinct()


class ElectionOpenForm(forms.ModelForm):
    """Open an election for a role with its candidates.

    ``candidate_queryset`` is set by the admin on a per-request subclass: the active
    members of the communities the manager runs.
    """

    candidate_queryset = User.objects.none()

    candidates = forms.ModelMultipleChoiceField(
        label=_("Candidates"),
        queryset=User.objects.none(),
        widget=FilteredSelectMultiple(_("Candidates"), is_stacked=False),
        help_text=_("Active members of the community who stand for the role."),
    )

    class Meta:
        model = Election
        fields = ["community", "title", "role", "closes_at", "term_ends_at", "candidates"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["candidates"].queryset = self.candidate_queryset


class BulkInviteForm(forms.Form):
    """Paste email addresses or upload a CSV file of them (one per line or cell)."""

    community = forms.ModelChoiceField(label=_("Community"), queryset=Community.objects.none())
    emails = forms.CharField(
        label=_("Email addresses"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 10, "cols": 60}),
        help_text=_("One address per line, or separated by commas or semicolons."),
    )
    csv_file = forms.FileField(
        label=_("CSV file"),
        required=False,
        help_text=_("A text file with the email addresses, e.g. a sheet exported as CSV."),
    )

    def __init__(self, *args, communities, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = communities

    def clean_csv_file(self) -> bytes:
        """The uploaded bytes; decoding and parsing are the service's (it also reads
        Latin-1 exports). Only what is plainly not a text file is refused here."""
        upload = self.cleaned_data.get("csv_file")
        if not upload:
            return b""
        if upload.size > BULK_INVITE_MAX_BYTES:
            raise forms.ValidationError(
                _("This file is too large (at most %(size)d KB).")
                % {"size": BULK_INVITE_MAX_BYTES // 1024},
                code="too_large",
            )
        data = upload.read()
        if b"\x00" in data:
            # Spreadsheets (.xlsx, .ods) and other binaries: they hold NUL bytes.
            raise forms.ValidationError(
                _("This is not a text (CSV) file: export the sheet as CSV first."),
                code="binary",
            )
        if not data.strip():
            raise forms.ValidationError(_("This file is empty."), code="empty")
        return data

    def clean(self):
        cleaned = super().clean()
        pasted = (cleaned.get("emails") or "").strip()
        uploaded = cleaned.get("csv_file") or b""
        if "csv_file" in self.errors:
            return cleaned
        if pasted and uploaded:
            raise forms.ValidationError(_("Paste addresses or upload a file, not both."))
        if not pasted and not uploaded:
            raise forms.ValidationError(_("Paste some email addresses or upload a CSV file."))
        cleaned["source_field"] = "emails" if pasted else "csv_file"
        cleaned["content"] = pasted or uploaded
        return cleaned
