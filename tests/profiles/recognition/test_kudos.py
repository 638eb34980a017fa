"""Kudos: praising colleagues, the daily cap, sharing into a stream, moderation."""

from datetime import timedelta

import pytest
from django.db import transaction

from communities.models import Community, Membership, Post
from config.errors import NotFound, PermissionDenied, RateLimited, ValidationError
from metrics.models import Activity
from profiles.models import Kudos
from profiles.recognition.kudos import kudos_give, kudos_hide
from tests.factories import UserFactory, make_community, make_member
from tests.live import Listener

pytestmark = pytest.mark.django_db


def give(giver, recipients, **kwargs):
    kwargs.setdefault("value", "helpful")
    kwargs.setdefault("message", "Thanks for unblocking the release!")
    return kudos_give(giver=giver, recipients=recipients, **kwargs)


def test_kudos_to_several_colleagues_is_recorded_with_value_and_message():
    giver, alice, bob = UserFactory(), UserFactory(), UserFactory()

    kudos = give(giver, [alice, bob], value="teamwork", message="  Great teamwork  ")

    assert set(kudos.recipients.all()) == {alice, bob}
    assert (kudos.value, kudos.message, kudos.community, kudos.post) == (
        "teamwork",
        "Great teamwork",
        None,
        None,
    )
    assert Activity.objects.filter(
        actor=giver, verb=Activity.Verb.KUDOS_GIVEN, object_id=kudos.pk
    ).exists()
    assert list(alice.kudos_received.all()) == [kudos]


def test_kudos_to_yourself_is_refused_with_a_field_error():
    giver, alice = UserFactory(), UserFactory()

    with pytest.raises(ValidationError) as refused:
        give(giver, [alice, giver])

    assert refused.value.status_code == 400
    assert "yourself" in refused.value.field_errors["recipients"][0]
    assert not Kudos.objects.exists()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"value": "bribery"}, "value"),
        ({"message": "   "}, "message"),
        ({"message": "x" * 1001}, "message"),
    ],
)
def test_bad_value_or_message_is_refused(changes, field):
    with pytest.raises(ValidationError) as refused:
        give(UserFactory(), [UserFactory()], **changes)
    assert field in refused.value.field_errors
    assert not Kudos.objects.exists()


def test_kudos_to_nobody_or_an_inactive_colleague_is_refused():
    giver = UserFactory()
    with pytest.raises(ValidationError) as nobody:
        give(giver, [])
    assert "recipients" in nobody.value.field_errors
    with pytest.raises(ValidationError) as inactive:
        give(giver, [UserFactory(is_active=False)])
    assert "recipients" in inactive.value.field_errors


def test_daily_cap_counts_each_recipient_and_says_how_many_are_left(settings):
    settings.CERCLE_KUDOS_DAILY_CAP = 3
    giver = UserFactory()
    give(giver, [UserFactory(), UserFactory()])

    with pytest.raises(RateLimited) as limited:
        give(giver, [UserFactory(), UserFactory()])

    assert limited.value.status_code == 429
    assert "at most 3" in limited.value.message
    assert "1 left today" in limited.value.message
    assert Kudos.objects.count() == 1
    give(giver, [UserFactory()])  # the one left is still allowed
    with pytest.raises(RateLimited):
        give(giver, [UserFactory()])


def test_daily_cap_resets_on_the_next_utc_day(settings):
    settings.CERCLE_KUDOS_DAILY_CAP = 1
    giver = UserFactory()
    kudos = give(giver, [UserFactory()])
    Kudos.objects.filter(pk=kudos.pk).update(created_at=kudos.created_at - timedelta(days=1))

    give(giver, [UserFactory()])

    assert Kudos.objects.filter(giver=giver).count() == 2


def test_cap_is_per_giver(settings):
    settings.CERCLE_KUDOS_DAILY_CAP = 1
    alice = UserFactory()
    give(UserFactory(), [alice])
    give(UserFactory(), [alice])
    assert alice.kudos_received.count() == 2


def test_sharing_into_a_community_publishes_a_post_mentioning_the_recipients():
    owner = UserFactory()
    community = make_community(owner=owner)
    alice = make_member(community, UserFactory(email="alice.durand@acme.example"))

    kudos = give(owner, [alice], value="customer_first", community=community)

    post = Post.objects.get(pk=kudos.post_id)
    assert post.community == community
    assert post.author == owner
    assert "@alice.durand" in post.body
    assert "Customer first" in post.title
    assert list(post.mentions.all()) == [alice]
    assert kudos.community == community


def test_sharing_needs_an_active_membership():
    community = make_community()
    outsider = UserFactory()
    with pytest.raises(PermissionDenied):
        give(outsider, [UserFactory()], community=community)

    secret = make_community(visibility=Community.Visibility.SECRET)
    with pytest.raises(NotFound):
        give(outsider, [UserFactory()], community=secret)
    assert not Kudos.objects.exists()
    assert not Post.objects.filter(author=outsider).exists()


def test_a_refused_share_writes_nothing_at_all():
    community = make_community()
    giver = make_member(community)
    community.is_archived = True
    community.save()

    with pytest.raises(ValidationError):
        give(giver, [UserFactory()], community=community)

    assert not Kudos.objects.exists()
    assert not Activity.objects.filter(verb=Activity.Verb.KUDOS_GIVEN).exists()


def test_recipients_are_told_live_after_commit(django_capture_on_commit_callbacks):

    giver, alice = UserFactory(), UserFactory()
    listener = Listener(f"user.{alice.pk}")

    with django_capture_on_commit_callbacks(execute=True):
        kudos = give(giver, [alice])

    [event] = [event for event in listener.events() if event["type"] == "kudos.received"]
    assert event["data"]["kudos_id"] == kudos.pk


def test_a_rolled_back_kudos_sends_nothing(django_capture_on_commit_callbacks):
    giver, alice = UserFactory(), UserFactory()
    with django_capture_on_commit_callbacks() as callbacks:
        try:
            with transaction.atomic():
                give(giver, [alice])
                raise RuntimeError
        except RuntimeError:
            pass
    assert callbacks == []
    assert not Kudos.objects.exists()


HIDE_TABLE = [
    ("staff", True),
    ("superuser", True),
    ("owner", True),
    ("manager", True),
    ("moderator", False),
    ("member", False),
    ("giver", False),
    ("recipient", False),
    ("outsider", False),
]


@pytest.mark.parametrize(("role", "allowed"), HIDE_TABLE)
def test_who_may_hide_shared_kudos(role, allowed):
    owner = UserFactory()
    community = make_community(owner=owner)
    people = {
        "owner": owner,
        "staff": UserFactory(is_staff=True),
        "superuser": UserFactory(is_staff=True, is_superuser=True),
        "manager": make_member(community, role=Membership.Role.MANAGER),
        "moderator": make_member(community, role=Membership.Role.MODERATOR),
        "member": make_member(community),
        "giver": make_member(community),
        "recipient": make_member(community),
        "outsider": UserFactory(),
    }
    kudos = give(people["giver"], [people["recipient"]], community=community)

    if allowed:
        kudos_hide(actor=people[role], kudos=kudos)
        kudos.refresh_from_db()
        assert kudos.is_hidden
        assert Post.objects.get(pk=kudos.post_id).is_hidden
    else:
        with pytest.raises(PermissionDenied):
            kudos_hide(actor=people[role], kudos=kudos)
        kudos.refresh_from_db()
        assert not kudos.is_hidden
        assert not Post.objects.get(pk=kudos.post_id).is_hidden


@pytest.mark.parametrize(("role", "allowed"), [("staff", True), ("manager", False)])
def test_kudos_not_shared_anywhere_are_hidden_by_staff_only(role, allowed):
    community = make_community()
    manager = make_member(community, role=Membership.Role.MANAGER)
    giver, recipient = make_member(community), make_member(community)
    actor = UserFactory(is_staff=True) if role == "staff" else manager
    kudos = give(giver, [recipient])

    if allowed:
        kudos_hide(actor=actor, kudos=kudos)
        kudos_hide(actor=actor, kudos=kudos)  # idempotent
        kudos.refresh_from_db()
        assert kudos.is_hidden
    else:
        with pytest.raises(PermissionDenied):
            kudos_hide(actor=actor, kudos=kudos)


def test_over_the_cap_answers_429_with_the_reason_through_the_api_handler(settings):
    from config.api.exceptions import exception_handler

    settings.CERCLE_KUDOS_DAILY_CAP = 1
    giver = UserFactory()
    give(giver, [UserFactory()])
    with pytest.raises(RateLimited) as limited:
        give(giver, [UserFactory()])

    response = exception_handler(limited.value, {})

    assert response.status_code == 429
    assert response.data["code"] == "rate_limited"
    assert "at most 1" in response.data["detail"]
