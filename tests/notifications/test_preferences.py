"""A member's notification controls: delivery per kind, quiet hours, digest, email, the
level of each community and following or muting a thread — in the service and in the
browser."""

from datetime import time

import pytest
import time_machine
from django.urls import reverse

from communities.models import Community, Membership
from config.errors import NotFound, PermissionDenied, ValidationError
from notifications.models import (
    DEFAULT_DELIVERY,
    Delivery,
    Kind,
    NotificationPreference,
    NotificationSettings,
    ThreadSubscription,
)
from notifications.selectors.notifications import (
    community_level_for,
    community_levels_for,
    notification_preferences_for,
    thread_state_for,
)
from notifications.services.fanout import Notice, notify
from notifications.services.preferences import (
    notification_preferences_update,
    thread_state_set,
    thread_state_withdraw,
)
from tests.factories import UserFactory, make_community, make_member, make_post

pytestmark = pytest.mark.django_db

PREFERENCES = "/notifications/preferences/"


@pytest.fixture
def member(db):
    return UserFactory(display_name="Mia Member", time_zone="Europe/Paris")


@pytest.fixture
def owner(db):
    return UserFactory(display_name="Odile Owner")


@pytest.fixture
def guild(owner, member):
    community = make_community(owner=owner, name="Platform Guild")
    make_member(community, member)
    return community


def _snapshot(user) -> tuple:
    settings = NotificationSettings.objects.filter(user=user).values().first()
    preferences = sorted(
        NotificationPreference.objects.filter(user=user).values_list("kind", "delivery")
    )
    levels = sorted(
        Membership.objects.filter(user=user).values_list("community_id", "notification_level")
    )
    return settings, preferences, levels


# Reading --------------------------------------------------------------------------------


def test_preferences_list_every_kind_with_the_default_until_the_member_chooses(member):
    NotificationPreference.objects.create(user=member, kind=Kind.REACTION, delivery=Delivery.OFF)

    preferences = notification_preferences_for(user=member)

    assert [p.kind for p in preferences.kinds] == list(Kind.values)
    by_kind = {p.kind: p for p in preferences.kinds}
    assert by_kind["reaction"].delivery == "off"
    assert by_kind["reaction"].default == DEFAULT_DELIVERY[Kind.REACTION]
    assert by_kind["mention"].delivery == DEFAULT_DELIVERY[Kind.MENTION]
    assert by_kind["mention"].label == "Mentions of me"
    # no settings row yet: unsaved defaults, nothing created by reading
    assert preferences.settings.pk is not None  # the user's id, as primary key
    assert preferences.settings.digest_frequency == "weekly"
    assert preferences.settings.email_enabled is True
    assert not NotificationSettings.objects.exists()


def test_community_levels_list_my_active_memberships_with_the_level_in_force(owner, member):
    loud = make_community(owner=owner, name="Alpha")
    Community.objects.filter(pk=loud.pk).update(default_notification_level="all")
    quiet = make_community(owner=owner, name="Beta")
    left = make_community(owner=owner, name="Gamma")
    for community in (loud, quiet, left):
        make_member(community, member)
    Membership.objects.filter(user=member, community=quiet).update(notification_level="muted")
    Membership.objects.filter(user=member, community=left).update(status="banned")

    levels = {
        m.community.name: (m.notification_level, m.effective_level)
        for m in community_levels_for(user=member)
    }

    assert levels == {"Alpha": ("", "all"), "Beta": ("muted", "muted")}


# Updating --------------------------------------------------------------------------------


def test_updating_saves_deliveries_settings_and_levels_together(member, guild):
    preferences = notification_preferences_update(
        user=member,
        deliveries={"reaction": "off", "mention": "email_digest"},
        quiet_hours_start=time(20, 0),
        quiet_hours_end=time(8, 0),
        quiet_weekends=True,
        digest_frequency="daily",
        email_enabled=False,
        community_levels={guild.pk: "all"},
    )

    assert preferences.deliveries["reaction"] == "off"
    assert preferences.deliveries["mention"] == "email_digest"
    settings = NotificationSettings.objects.get(user=member)
    assert (settings.quiet_hours_start, settings.quiet_hours_end) == (time(20), time(8))
    assert settings.quiet_weekends is True
    assert settings.digest_frequency == "daily"
    assert settings.email_enabled is False
    assert Membership.objects.get(user=member, community=guild).notification_level == "all"


def test_choosing_the_default_removes_the_preference_row(member):
    notification_preferences_update(user=member, deliveries={"reaction": "off"})
    assert NotificationPreference.objects.filter(user=member).count() == 1

    notification_preferences_update(
        user=member, deliveries={"reaction": DEFAULT_DELIVERY[Kind.REACTION]}
    )

    assert not NotificationPreference.objects.filter(user=member).exists()


def test_changing_a_delivery_updates_the_existing_row(member):
    notification_preferences_update(user=member, deliveries={"kudos": "off"})
    notification_preferences_update(user=member, deliveries={"kudos": "in_app"})

    assert list(NotificationPreference.objects.filter(user=member).values_list("delivery")) == [
        ("in_app",)
    ]


def test_settings_are_created_only_when_they_leave_the_defaults(member):
    notification_preferences_update(
        user=member, digest_frequency="weekly", email_enabled=True, quiet_weekends=False
    )
    assert not NotificationSettings.objects.exists()

    notification_preferences_update(user=member, quiet_weekends=True)
    assert NotificationSettings.objects.get(user=member).quiet_weekends is True


def test_fields_left_out_stay_as_they_are(member):
    notification_preferences_update(
        user=member, quiet_hours_start=time(22), quiet_hours_end=time(7), digest_frequency="off"
    )

    notification_preferences_update(user=member, quiet_hours_end=time(6, 30))

    settings = NotificationSettings.objects.get(user=member)
    assert (settings.quiet_hours_start, settings.quiet_hours_end) == (time(22), time(6, 30))
    assert settings.digest_frequency == "off"


def test_quiet_hours_can_be_cleared(member):
    notification_preferences_update(
        user=member, quiet_hours_start=time(22), quiet_hours_end=time(7)
    )

    notification_preferences_update(user=member, quiet_hours_start=None, quiet_hours_end=None)

    settings = NotificationSettings.objects.get(user=member)
    assert settings.quiet_hours_start is None and settings.quiet_hours_end is None


BAD_UPDATES = [
    ({"deliveries": {"gossip": "off"}}, "kinds", "Unknown notification kind: gossip"),
    ({"deliveries": {"mention": "pigeon"}}, "kinds", "Unknown delivery for mention: pigeon"),
    ({"deliveries": ["mention"]}, "kinds", "Give a delivery for each kind"),
    ({"quiet_hours_start": time(22)}, "quiet_hours_end", "Give the end"),
    ({"quiet_hours_end": time(7)}, "quiet_hours_start", "Give the start"),
    (
        {"quiet_hours_start": time(7), "quiet_hours_end": time(7)},
        "quiet_hours_end",
        "must differ",
    ),
    ({"quiet_hours_start": "25:00", "quiet_hours_end": time(7)}, "quiet_hours_start", "valid"),
    ({"digest_frequency": "hourly"}, "digest_frequency", "never, daily or weekly"),
    ({"email_enabled": "maybe"}, "email_enabled", "yes or no"),
    ({"community_levels": {999999: "all"}}, "community_levels", "not a member"),
    ({"community_levels": {"x": "all"}}, "community_levels", "not a member"),
]


@pytest.mark.parametrize(("change", "field", "message"), BAD_UPDATES)
def test_bad_input_is_refused_with_a_field_message_and_nothing_is_written(
    member, guild, change, field, message
):
    notification_preferences_update(user=member, deliveries={"kudos": "off"}, quiet_weekends=True)
    before = _snapshot(member)

    with pytest.raises(ValidationError) as refusal:
        # the valid parts of the request are not written either
        notification_preferences_update(
            user=member,
            **{
                "deliveries": {"reaction": "off"},
                "digest_frequency": "daily",
                "community_levels": {guild.pk: "muted"},
                **change,
            },
        )

    assert any(message in text for text in refusal.value.field_errors[field])
    assert _snapshot(member) == before


def test_an_unknown_level_for_my_community_is_refused(member, guild):
    with pytest.raises(ValidationError) as refusal:
        notification_preferences_update(user=member, community_levels={guild.pk: "loud"})

    assert refusal.value.field_errors == {"community_levels": ["Choose all, mentions or muted."]}


def test_every_problem_is_reported_at_once(member):
    with pytest.raises(ValidationError) as refusal:
        notification_preferences_update(
            user=member,
            deliveries={"gossip": "off", "rumour": "off"},
            quiet_hours_start=time(22),
            digest_frequency="hourly",
        )

    errors = refusal.value.field_errors
    assert errors["kinds"] == [
        "Unknown notification kind: gossip",
        "Unknown notification kind: rumour",
    ]
    assert set(errors) == {"kinds", "quiet_hours_end", "digest_frequency"}


# Community levels and threads -------------------------------------------------------------


def test_level_rules_member_allowed_outsider_denied_secret_not_found(owner, member):
    public = make_community(owner=owner, name="Open")
    secret = make_community(owner=owner, name="Hidden", visibility=Community.Visibility.SECRET)
    make_member(public, member)
    outsider = UserFactory()

    assert community_level_for(user=member, community=public).effective_level == "mentions"
    with pytest.raises(PermissionDenied):
        community_level_for(user=outsider, community=public)
    with pytest.raises(NotFound):
        community_level_for(user=outsider, community=secret)


def test_following_muting_and_withdrawing_a_thread(guild, member, owner):
    post = make_post(guild, author=owner)

    assert thread_state_set(user=member, post=post, state="following") == "following"
    assert thread_state_for(user=member, post=post) == "following"
    # unmuting a followed thread keeps it followed
    assert thread_state_withdraw(user=member, post=post, state="muted") == "following"
    assert thread_state_set(user=member, post=post, state="muted") == "muted"
    # unfollowing a muted thread keeps it muted
    assert thread_state_withdraw(user=member, post=post, state="following") == "muted"
    assert thread_state_withdraw(user=member, post=post, state="muted") is None
    assert not ThreadSubscription.objects.filter(user=member, post=post).exists()


def test_a_thread_the_member_cannot_read_is_not_found(owner):
    secret = make_community(owner=owner, visibility=Community.Visibility.SECRET)
    post = make_post(secret, author=owner)
    outsider = UserFactory()

    with pytest.raises(NotFound):
        thread_state_set(user=outsider, post=post, state="following")
    with pytest.raises(NotFound):
        thread_state_withdraw(user=outsider, post=post, state="following")
    assert not ThreadSubscription.objects.filter(user=outsider).exists()


def test_an_unknown_thread_choice_is_refused(guild, member, owner):
    post = make_post(guild, author=owner)

    with pytest.raises(ValidationError):
        thread_state_set(user=member, post=post, state="loud")
    with pytest.raises(ValidationError):
        thread_state_withdraw(user=member, post=post, state="loud")


# The settings page -------------------------------------------------------------------------


def _form_data(**overrides) -> dict:
    data = {f"delivery_{kind}": str(delivery) for kind, delivery in DEFAULT_DELIVERY.items()}
    data.update(
        {
            "quiet_hours_start": "",
            "quiet_hours_end": "",
            "digest_frequency": "weekly",
            "email_enabled": "on",
        }
    )
    data.update(overrides)
    return data


@time_machine.travel("2025-03-05 12:00:00+00:00", tick=False)
def test_the_settings_page_shows_every_control_in_my_time_zone(client, member, guild):
    client.force_login(member)

    response = client.get(PREFERENCES)

    assert response.status_code == 200
    body = response.content.decode()
    assert '<label for="id_delivery_mention">Mentions of me</label>' in body
    assert 'name="delivery_reaction"' in body
    assert f'<label for="id_level_{guild.pk}">Platform Guild</label>' in body
    assert "Community default (Mentions and replies only)" in body
    assert "Europe/Paris (it is 13:00 there now)" in body
    assert reverse("profiles:edit") + "#id_time_zone" in body
    assert 'name="quiet_hours_start"' in body and 'type="time"' in body
    assert 'name="digest_frequency"' in body
    assert 'name="email_enabled"' in body


def test_saving_the_settings_page_writes_everything_and_comes_back(client, member, guild):
    client.force_login(member)

    response = client.post(
        PREFERENCES,
        _form_data(
            delivery_reaction="off",
            quiet_hours_start="20:00",
            quiet_hours_end="07:30",
            quiet_weekends="on",
            digest_frequency="daily",
            email_enabled="",
            **{f"level_{guild.pk}": "muted"},
        ),
        follow=True,
    )

    assert response.redirect_chain == [(PREFERENCES, 302)]
    assert "Your notification settings are saved." in response.content.decode()
    settings = NotificationSettings.objects.get(user=member)
    assert (settings.quiet_hours_start, settings.quiet_hours_end) == (time(20), time(7, 30))
    assert settings.quiet_weekends and not settings.email_enabled
    assert settings.digest_frequency == "daily"
    assert NotificationPreference.objects.get(user=member).delivery == "off"
    assert Membership.objects.get(user=member, community=guild).notification_level == "muted"
    body = response.content.decode()
    assert 'value="20:00"' in body


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"quiet_hours_start": "20:00"}, "Give the end of your quiet hours too."),
        ({"quiet_hours_start": "7pm-ish", "quiet_hours_end": "08:00"}, "Enter a valid time."),
        ({"delivery_mention": "pigeon"}, "Select a valid choice."),
        ({"digest_frequency": ""}, "This field is required."),
    ],
)
def test_the_settings_page_shows_clear_errors_and_saves_nothing(
    client, member, guild, overrides, message
):
    client.force_login(member)

    response = client.post(
        PREFERENCES,
        _form_data(delivery_reaction="off", **{f"level_{guild.pk}": "all"}, **overrides),
    )

    assert response.status_code == 400
    body = response.content.decode()
    assert "Nothing was saved." in body
    assert message in body
    assert not NotificationPreference.objects.filter(user=member).exists()
    assert not NotificationSettings.objects.filter(user=member).exists()
    assert Membership.objects.get(user=member, community=guild).notification_level == ""


def test_the_settings_page_requires_logging_in(client):
    assert client.get(PREFERENCES).status_code == 302


# The level control on a community page --------------------------------------------------------


def test_members_see_the_level_control_on_the_community_page(client, member, guild):
    client.force_login(member)

    body = client.get(reverse("communities:detail", args=[guild.slug])).content.decode()

    assert reverse("notifications:community-level", args=[guild.slug]) in body
    assert f'<label for="community-level-{guild.pk}">Notifications</label>' in body


def test_non_members_see_no_level_control(client, guild):
    client.force_login(UserFactory())

    body = client.get(reverse("communities:detail", args=[guild.slug])).content.decode()

    assert "community-level" not in body


def test_a_member_sets_the_level_with_htmx(client, member, guild):
    client.force_login(member)
    url = reverse("notifications:community-level", args=[guild.slug])

    response = client.post(url, {"level": "all"}, HTTP_HX_REQUEST="true")

    assert response.status_code == 200
    body = response.content.decode()
    assert "Notifications from Platform Guild: All posts." in body
    assert '<option value="all" selected>' in body
    assert Membership.objects.get(user=member, community=guild).notification_level == "all"


def test_a_member_sets_the_level_without_javascript(client, member, guild):
    client.force_login(member)
    url = reverse("notifications:community-level", args=[guild.slug])

    response = client.post(url, {"level": ""}, follow=True)

    assert response.redirect_chain[-1][0] == reverse("communities:detail", args=[guild.slug])
    assert "Mentions and replies only" in response.content.decode()
    assert Membership.objects.get(user=member, community=guild).notification_level == ""


def test_an_unknown_level_is_refused_in_the_browser(client, member, guild):
    client.force_login(member)
    url = reverse("notifications:community-level", args=[guild.slug])

    response = client.post(url, {"level": "loud"}, HTTP_HX_REQUEST="true")

    assert response.status_code == 400
    assert "Choose all posts, mentions and replies only, or muted." in response.content.decode()
    assert Membership.objects.get(user=member, community=guild).notification_level == ""


def test_level_permissions_in_the_browser(client, owner, guild):
    secret = make_community(owner=owner, name="Hidden", visibility=Community.Visibility.SECRET)
    outsider = UserFactory()
    client.force_login(outsider)

    denied = client.post(
        reverse("notifications:community-level", args=[guild.slug]),
        {"level": "all"},
        HTTP_HX_REQUEST="true",
    )
    hidden = client.post(
        reverse("notifications:community-level", args=[secret.slug]), {"level": "all"}
    )
    missing = client.post(
        reverse("notifications:community-level", args=["no-such-place"]), {"level": "all"}
    )

    assert denied.status_code == 403
    assert hidden.status_code == 404
    assert missing.status_code == 404
    assert not Membership.objects.filter(user=outsider).exists()


# Follow / mute on a post page ---------------------------------------------------------------


def test_the_post_page_offers_follow_and_mute(client, member, guild, owner):
    post = make_post(guild, author=owner)
    client.force_login(member)

    body = client.get(reverse("communities:post", args=[post.pk])).content.decode()

    assert reverse("notifications:thread", args=[post.pk]) in body
    assert 'name="action" value="follow"' in body
    assert 'name="action" value="mute"' in body


def test_following_then_muting_with_htmx(client, member, guild, owner):
    post = make_post(guild, author=owner)
    client.force_login(member)
    url = reverse("notifications:thread", args=[post.pk])

    followed = client.post(url, {"action": "follow"}, HTTP_HX_REQUEST="true")
    assert followed.status_code == 200
    assert 'value="unfollow"' in followed.content.decode()
    assert "You follow this thread" in followed.content.decode()
    assert thread_state_for(user=member, post=post) == "following"

    muted = client.post(url, {"action": "mute"}, HTTP_HX_REQUEST="true")
    assert 'value="unmute"' in muted.content.decode()
    assert thread_state_for(user=member, post=post) == "muted"

    unmuted = client.post(url, {"action": "unmute"}, HTTP_HX_REQUEST="true")
    assert 'value="follow"' in unmuted.content.decode()
    assert thread_state_for(user=member, post=post) is None


def test_following_without_javascript_redirects_to_the_post(client, member, guild, owner):
    post = make_post(guild, author=owner)
    client.force_login(member)

    response = client.post(
        reverse("notifications:thread", args=[post.pk]), {"action": "follow"}, follow=True
    )

    assert response.redirect_chain[-1][0] == reverse("communities:post", args=[post.pk])
    body = response.content.decode()
    assert "You follow this thread" in body
    assert 'value="unfollow"' in body


def test_a_thread_choice_on_an_unreadable_post_is_not_found(client, owner):
    secret = make_community(owner=owner, visibility=Community.Visibility.SECRET)
    post = make_post(secret, author=owner)
    outsider = UserFactory()
    client.force_login(outsider)

    response = client.post(reverse("notifications:thread", args=[post.pk]), {"action": "follow"})

    assert response.status_code == 404
    assert not ThreadSubscription.objects.filter(user=outsider).exists()
    huge = client.post("/notifications/posts/99999999999999999999999/thread/", {"action": "mute"})
    assert huge.status_code == 404


def test_an_unknown_thread_action_is_refused(client, member, guild, owner):
    post = make_post(guild, author=owner)
    client.force_login(member)

    response = client.post(
        reverse("notifications:thread", args=[post.pk]), {"action": "shout"}, HTTP_HX_REQUEST="true"
    )

    assert response.status_code == 400
    assert 'role="alert"' in response.content.decode()
    assert thread_state_for(user=member, post=post) is None


def test_the_fan_out_obeys_what_the_member_chose(member, guild, owner):
    post = make_post(guild, author=owner)

    def notified(kind):
        notice = Notice(kind=kind, actor_id=owner.pk, community_id=guild.pk, post_id=post.pk)
        return notify(notice=notice, candidates=[member.pk])

    assert notified(Kind.COMMUNITY_POST) == [member.pk]
    notification_preferences_update(user=member, community_levels={guild.pk: "muted"})
    assert notified(Kind.COMMUNITY_POST) == []
    assert notified(Kind.MENTION) == [member.pk]  # a muted community still lets mentions in
    notification_preferences_update(user=member, deliveries={"mention": "off"})
    assert notified(Kind.MENTION) == []
