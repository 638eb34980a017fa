"""Forms of the notification centre and the notification settings page.

They check the shape of what the member sent; the rules (quiet hours in pairs, known
kinds, membership of the communities) are the services', whose refusals the views show
on the form (:func:`communities.forms.add_domain_error`).
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from communities.models import NotificationLevel
from notifications.models import Delivery, Kind, NotificationSettings, ThreadSubscription
from notifications.selectors.notifications import NotificationPreferences

ID_MAX = 2**63 - 1


class CentreFilterForm(forms.Form):
    """The filters of the notification centre (GET parameters)."""

    SHOW_ALL = ""
    SHOW_UNREAD = "unread"
    SHOW_READ = "read"

    show = forms.ChoiceField(
        label=_("Show"),
        required=False,
        choices=[(SHOW_ALL, _("All")), (SHOW_UNREAD, _("Unread")), (SHOW_READ, _("Read"))],
    )
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("All kinds")), *Kind.choices]
    )

    def filters(self) -> dict:
        """``unread`` and ``kind`` for the selector (no filter when the form is invalid)."""
        if not self.is_valid():
            return {"unread": None, "kind": None}
        show = self.cleaned_data.get("show")
        unread = {self.SHOW_UNREAD: True, self.SHOW_READ: False}.get(show)
        return {"unread": unread, "kind": self.cleaned_data.get("kind") or None}


class MarkReadForm(forms.Form):
    """Mark one notification (``id``) or all of them (``all``) read."""

    id = forms.IntegerField(required=False, min_value=1, max_value=ID_MAX)
    all = forms.BooleanField(required=False)

    def clean(self):
        data = super().clean()
        if not self.errors and data.get("id") is None and not data.get("all"):
            raise forms.ValidationError(_("Choose a notification to mark read."))
        return data


def delivery_field_name(kind: str) -> str:
    return f"delivery_{kind}"


def level_field_name(community_id: int) -> str:
    return f"level_{community_id}"


def level_choices(default_level: str) -> list[tuple[str, str]]:
    """The level choices of one community, the default named with its level."""
    default_label = dict(NotificationLevel.choices)[default_level]
    return [
        ("", _("Community default (%(level)s)") % {"level": default_label}),
        *NotificationLevel.choices,
    ]


class NotificationPreferencesForm(forms.Form):
    """The whole notification settings page: a delivery per kind, a level per community,
    quiet hours, digest and email. Built from the member's current preferences
    (:func:`notifications.selectors.notifications.notification_preferences_for`) and
    memberships (``community_levels_for``)."""

    quiet_hours_start = forms.TimeField(
        label=_("Quiet from"),
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )
    quiet_hours_end = forms.TimeField(
        label=_("Quiet until"),
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        help_text=_("May be the next morning, e.g. from 20:00 until 08:00."),
    )
    quiet_weekends = forms.BooleanField(label=_("Quiet all weekend"), required=False)
    digest_frequency = forms.ChoiceField(
        label=_("Digest email"),
        choices=NotificationSettings.DigestFrequency.choices,
        widget=forms.RadioSelect,
        help_text=_("Your unread notifications and the most engaging posts of your communities."),
    )
    email_enabled = forms.BooleanField(
        label=_("Send me email"),
        required=False,
        help_text=_("Off: no notification email and no digest, whatever the kinds say."),
    )

    def __init__(self, *args, preferences: NotificationPreferences, memberships, **kwargs):
        settings = preferences.settings
        initial = {
            "quiet_hours_start": settings.quiet_hours_start,
            "quiet_hours_end": settings.quiet_hours_end,
            "quiet_weekends": settings.quiet_weekends,
            "digest_frequency": settings.digest_frequency,
            "email_enabled": settings.email_enabled,
        }
        self.kind_preferences = preferences.kinds
        self.memberships = list(memberships)
        for preference in self.kind_preferences:
            initial[delivery_field_name(preference.kind)] = preference.delivery
        for membership in self.memberships:
            initial[level_field_name(membership.community_id)] = membership.notification_level
        super().__init__(*args, initial=initial, **kwargs)
        for preference in self.kind_preferences:
            self.fields[delivery_field_name(preference.kind)] = forms.ChoiceField(
                label=preference.label, choices=Delivery.choices
            )
        for membership in self.memberships:
            community = membership.community
            self.fields[level_field_name(community.pk)] = forms.ChoiceField(
                label=community.name,
                required=False,
                choices=level_choices(community.default_notification_level),
            )

    # Groups of bound fields, for the template.
    def delivery_rows(self) -> list[tuple]:
        return [
            (preference, self[delivery_field_name(preference.kind)])
            for preference in self.kind_preferences
        ]

    def level_rows(self) -> list[tuple]:
        return [
            (membership, self[level_field_name(membership.community_id)])
            for membership in self.memberships
        ]

    def service_arguments(self) -> dict:
        """The cleaned data as ``notification_preferences_update`` takes it."""
        data = self.cleaned_data
        return {
            "deliveries": {
                preference.kind: data[delivery_field_name(preference.kind)]
                for preference in self.kind_preferences
            },
            "community_levels": {
                membership.community_id: data[level_field_name(membership.community_id)]
                for membership in self.memberships
            },
            "quiet_hours_start": data["quiet_hours_start"],
            "quiet_hours_end": data["quiet_hours_end"],
            "quiet_weekends": data["quiet_weekends"],
            "digest_frequency": data["digest_frequency"],
            "email_enabled": data["email_enabled"],
        }


class CommunityLevelForm(forms.Form):
    """What the member hears from one community (the community page's control)."""

    level = forms.ChoiceField(label=_("Notifications"), required=False)

    def __init__(self, *args, default_level: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["level"].choices = level_choices(default_level)


class ThreadChoiceForm(forms.Form):
    """Follow, unfollow, mute or unmute a thread."""

    FOLLOW = "follow"
    UNFOLLOW = "unfollow"
    MUTE = "mute"
    UNMUTE = "unmute"

    action = forms.ChoiceField(
        choices=[(FOLLOW, FOLLOW), (UNFOLLOW, UNFOLLOW), (MUTE, MUTE), (UNMUTE, UNMUTE)]
    )

    # action -> (set this state, or withdraw this state)
    EFFECTS = {
        FOLLOW: ("set", ThreadSubscription.State.FOLLOWING),
        UNFOLLOW: ("withdraw", ThreadSubscription.State.FOLLOWING),
        MUTE: ("set", ThreadSubscription.State.MUTED),
        UNMUTE: ("withdraw", ThreadSubscription.State.MUTED),
    }
