"""Merging duplicate skills and interests."""

import pytest

from config.errors import NotFound, ValidationError
from profiles.models import Interest, Skill
from profiles.services import interest_merge, skill_merge
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_members_of_the_duplicate_move_to_the_target_once():
    source = Skill.objects.create(name="Javascript")
    target = Skill.objects.create(name="JavaScript")
    only_source, both, only_target = UserFactory(), UserFactory(), UserFactory()
    only_source.skills.add(source)
    both.skills.add(source, target)
    only_target.skills.add(target)

    assert skill_merge(source=source, target=target) == target

    assert not Skill.objects.filter(pk=source.pk).exists()
    assert set(target.members.all()) == {only_source, both, only_target}
    assert list(both.skills.all()) == [target]


def test_interests_merge_the_same_way():
    source = Interest.objects.create(name="Cycling")
    target = Interest.objects.create(name="Bike")
    member = UserFactory()
    member.interests.add(source)
    interest_merge(source=source, target=target)
    assert list(member.interests.all()) == [target]
    assert list(Interest.objects.all()) == [target]


def test_merging_into_itself_is_refused_and_changes_nothing():
    skill = Skill.objects.create(name="Python")
    member = UserFactory()
    member.skills.add(skill)
    with pytest.raises(ValidationError) as caught:
        skill_merge(source=skill, target=skill)
    assert "itself" in caught.value.message
    assert list(member.skills.all()) == [skill]


def test_a_missing_target_is_a_clear_error():
    source = Skill.objects.create(name="Python")
    with pytest.raises(ValidationError) as caught:
        skill_merge(source=source, target=None)
    assert caught.value.field_errors["target"]
    assert Skill.objects.filter(pk=source.pk).exists()


def test_a_deleted_target_is_not_found_and_nothing_is_half_written():
    source = Skill.objects.create(name="Python")
    target = Skill.objects.create(name="python3")
    member = UserFactory()
    member.skills.add(source)
    Skill.objects.filter(pk=target.pk).delete()
    with pytest.raises(NotFound) as caught:
        skill_merge(source=source, target=target)
    assert "python3" in caught.value.message
    assert list(member.skills.all()) == [source]


def test_an_interest_is_not_a_skill_target():
    source = Skill.objects.create(name="Python")
    with pytest.raises(ValidationError):
        skill_merge(source=source, target=Interest.objects.create(name="Python"))
    assert Skill.objects.filter(pk=source.pk).exists()
