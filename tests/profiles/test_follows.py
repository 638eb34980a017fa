"""Following people and #topics."""

import pytest

from communities.models import Topic
from config.errors import NotFound, ValidationError
from profiles.models import Follow, TopicFollow
from profiles.selectors import followers_of, following_of, topics_followed
from profiles.services import follow_create, follow_delete, topic_follow, topic_unfollow
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_following_is_idempotent_and_announced_once(
    user, other_user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as first:
        follow = follow_create(follower=user, followed=other_user)
    with django_capture_on_commit_callbacks() as again:
        assert follow_create(follower=user, followed=other_user).pk == follow.pk
    assert Follow.objects.count() == 1
    assert len(first) == 1
    assert again == []
    assert list(followers_of(user=other_user)) == [user]
    assert list(following_of(user=user)) == [other_user]
    assert list(following_of(user=other_user)) == []


def test_nobody_follows_themselves(user):
    with pytest.raises(ValidationError) as caught:
        follow_create(follower=user, followed=user)
    assert caught.value.field_errors["followed"]
    assert not Follow.objects.exists()


def test_a_deactivated_member_cannot_be_followed(user):
    gone = UserFactory(is_active=False)
    with pytest.raises(NotFound):
        follow_create(follower=user, followed=gone)
    assert not Follow.objects.exists()


def test_unfollow_is_idempotent(user, other_user):
    follow_create(follower=user, followed=other_user)
    follow_delete(follower=user, followed=other_user)
    follow_delete(follower=user, followed=other_user)
    assert not Follow.objects.exists()
    assert list(followers_of(user=other_user)) == []


def test_deactivated_followers_are_not_listed(user, other_user):
    follow_create(follower=other_user, followed=user)
    other_user.is_active = False
    other_user.save()
    assert list(followers_of(user=user)) == []


def test_following_a_topic_by_name_any_case_with_or_without_hash(user):
    first = topic_follow(user=user, topic_name="#Remote-Work")
    assert topic_follow(user=user, topic_name="remote-work").pk == first.pk
    assert first.topic.name == "remote-work"
    assert list(topics_followed(user=user)) == [first.topic]
    topic_unfollow(user=user, topic_name="#REMOTE-WORK")
    topic_unfollow(user=user, topic_name="remote-work")
    assert not TopicFollow.objects.exists()


@pytest.mark.parametrize("name", ["", "#", "42", "two words", "x" * 65, "<script>"])
def test_malformed_topic_names_are_refused(user, name):
    with pytest.raises(ValidationError) as caught:
        topic_follow(user=user, topic_name=name)
    assert caught.value.field_errors["topic"]
    assert not Topic.objects.exists()
    assert not TopicFollow.objects.exists()
