"""Who hears of kudos and badges: the people praised, the member who earned it."""

import pytest
from django.db import transaction

from communities.models import Community, Membership, NotificationLevel
from notifications.models import Delivery, Kind, Notification, NotificationPreference
from profiles.models import Badge
from profiles.recognition.badges import badge_award_manual, badges_evaluate
from profiles.recognition.kudos import kudos_give
from tests.factories import UserFactory, make_community, make_member, make_post

pytestmark = pytest.mark.django_db


def rows(kind) -> list[tuple]:
    """(recipient, actor, community, data) of the notifications of ``kind``, sorted."""
    found = Notification.objects.filter(kind=kind).values_list(
        "recipient_id", "actor_id", "community_id", "data"
    )
    return sorted(found, key=repr)


def give(giver, recipients, **kwargs):
    kwargs.setdefault("value", "teamwork")
    kwargs.setdefault("message", "Thanks for the release!")
    return kudos_give(giver=giver, recipients=recipients, **kwargs)


def test_kudos_notify_each_recipient_and_not_the_giver(django_capture_on_commit_callbacks):
    giver, alice, bob = UserFactory(), UserFactory(), UserFactory()
    bystander = UserFactory()

    with django_capture_on_commit_callbacks(execute=True):
        give(giver, [alice, bob])

    assert rows(Kind.KUDOS) == sorted(
        [
            (alice.pk, giver.pk, None, {"value": "teamwork"}),
            (bob.pk, giver.pk, None, {"value": "teamwork"}),
        ],
        key=repr,
    )
    assert not Notification.objects.filter(recipient__in=[giver, bystander]).exists()


def test_shared_kudos_are_told_as_kudos_not_as_a_mention_or_a_new_post(
    django_capture_on_commit_callbacks,
):
    community = make_community()
    community.default_notification_level = NotificationLevel.ALL
    community.save(update_fields=["default_notification_level"])
    owner = community.memberships.get().user
    giver, alice = make_member(community), make_member(community)
    reader = make_member(community)

    with django_capture_on_commit_callbacks(execute=True):
        kudos = give(giver, [alice], community=community)

    assert rows(Kind.KUDOS) == [(alice.pk, giver.pk, community.pk, {"value": "teamwork"})]
    assert not Notification.objects.filter(recipient=alice).exclude(kind=Kind.KUDOS).exists()
    # The other members hear of the post that shares it, as of any post.
    post_rows = Notification.objects.filter(kind=Kind.COMMUNITY_POST)
    assert {(n.recipient_id, n.post_id) for n in post_rows} == {
        (owner.pk, kudos.post_id),
        (reader.pk, kudos.post_id),
    }


def test_kudos_shared_in_a_private_community_are_told_to_its_readers_only(
    django_capture_on_commit_callbacks,
):
    community = make_community(visibility=Community.Visibility.PRIVATE)
    giver, member = make_member(community), make_member(community)
    outsider = UserFactory()

    with django_capture_on_commit_callbacks(execute=True):
        give(giver, [member, outsider], community=community)

    # The outsider may not read these kudos (profiles show them to readers only).
    assert rows(Kind.KUDOS) == [(member.pk, giver.pk, community.pk, {"value": "teamwork"})]


def test_a_preference_off_or_a_muted_community_silences_kudos(django_capture_on_commit_callbacks):
    community = make_community()
    giver, off, muted = (make_member(community) for _ in range(3))
    NotificationPreference.objects.create(user=off, kind=Kind.KUDOS, delivery=Delivery.OFF)
    Membership.objects.filter(community=community, user=muted).update(
        notification_level=NotificationLevel.MUTED
    )

    with django_capture_on_commit_callbacks(execute=True):
        give(giver, [off, muted], community=community)

    assert rows(Kind.KUDOS) == []


def test_refused_or_rolled_back_kudos_notify_nobody():
    giver, alice = UserFactory(), UserFactory()

    with pytest.raises(RuntimeError), transaction.atomic():
        give(giver, [alice])
        raise RuntimeError

    assert not Notification.objects.exists()


def test_an_earned_badge_notifies_the_member_with_no_actor(django_capture_on_commit_callbacks):
    community = make_community()
    author, colleague = make_member(community), make_member(community)
    post = make_post(community, author=author)
    assert post.pk

    badges_evaluate(user=author)
    badges_evaluate(user=author)  # nothing new: nothing more

    assert rows(Kind.BADGE) == [(author.pk, None, None, {"badge": "First post", "level": 1})]
    assert not Notification.objects.filter(recipient=colleague).exists()


def test_each_badge_level_is_its_own_notification(settings):
    from profiles.recognition.badges import badges_evaluate_users

    community = make_community()
    author = make_member(community)
    Badge.objects.filter(code="first_post").update(levels=[1, 2])
    make_post(community, author=author)
    make_post(community, author=author)

    badges_evaluate_users(user_ids=[author.pk])

    assert rows(Kind.BADGE) == sorted(
        [
            (author.pk, None, None, {"badge": "First post", "level": 1}),
            (author.pk, None, None, {"badge": "First post", "level": 2}),
        ],
        key=repr,
    )


def test_a_badge_given_by_hand_notifies_the_member():
    owner = UserFactory()
    community = make_community(owner=owner)
    member = make_member(community)
    mentor = Badge.objects.create(
        code="mentor", name="Mentor", description="Helped newcomers", is_manual=True
    )

    badge_award_manual(actor=owner, badge=mentor, user=member, reason="Onboarded three people")

    assert rows(Kind.BADGE) == [(member.pk, None, None, {"badge": "Mentor", "level": 1})]


def test_a_badge_preference_off_stops_it():
    community = make_community()
    author = make_member(community)
    NotificationPreference.objects.create(user=author, kind=Kind.BADGE, delivery=Delivery.OFF)
    make_post(community, author=author)

    badges_evaluate(user=author)

    assert not Notification.objects.exists()
