"""Discovery: colleagues you may want to know, and why."""

import pytest

from communities.models import Community, Membership
from profiles.selectors import people_you_may_know
from profiles.services import follow_create, user_profile_update
from tests.factories import UserFactory, make_community, make_member

pytestmark = pytest.mark.django_db


@pytest.fixture
def me():
    me = UserFactory(display_name="Me", department="Legal")
    user_profile_update(user=me, skills=["Python", "SQL"], interests=["Jazz", "Cycling"])
    return me


def _suggest(me, **kwargs):
    return {person.display_name: person for person in people_you_may_know(viewer=me, **kwargs)}


def test_people_sharing_interests_skills_and_communities_come_first_with_reasons(me):
    twin = UserFactory(display_name="Twin", department="Sales")
    user_profile_update(user=twin, skills=["python"], interests=["jazz", "cycling", "Chess"])
    coder = UserFactory(display_name="Coder", department="Sales")
    user_profile_update(user=coder, skills=["SQL", "Go"])
    community = make_community(owner=me, name="Data guild")
    neighbour = make_member(community, UserFactory(display_name="Neighbour", department="Sales"))
    colleague = UserFactory(display_name="Colleague", department="Legal")
    UserFactory(display_name="Stranger", department="Sales")

    people = people_you_may_know(viewer=me)

    assert [p.display_name for p in people] == ["Twin", "Coder", "Neighbour", "Colleague"]
    assert people[0].reasons == [
        "You both love Cycling, Jazz.",
        "You share the skill Python.",
    ]
    assert people[1].reasons == ["You share the skill SQL."]
    assert people[2].reasons == ["You are both in the community Data guild."]
    assert people[3].reasons == ["You both work in Legal."]
    assert people[0].score > people[1].score > 0
    assert neighbour.pk == people[2].pk and colleague.pk == people[3].pk


def test_already_followed_self_and_deactivated_are_never_suggested(me):
    followed = UserFactory(display_name="Followed")
    gone = UserFactory(display_name="Gone", is_active=False)
    for person in (followed, gone):
        user_profile_update(user=person, interests=["Jazz"])
    follow_create(follower=me, followed=followed)
    # Being followed by someone does not hide them: only whom I follow is left out.
    fan = UserFactory(display_name="Fan")
    user_profile_update(user=fan, interests=["Jazz"])
    follow_create(follower=fan, followed=me)
    assert list(_suggest(me)) == ["Fan"]


def test_communities_only_count_for_active_memberships_not_archived(me):
    community = make_community(owner=me, name="Old club")
    requested = UserFactory(display_name="Requested")
    Membership.objects.create(community=community, user=requested, status=Membership.Status.PENDING)
    archived = make_community(owner=me, name="Archive", visibility=Community.Visibility.SECRET)
    make_member(archived, UserFactory(display_name="Archived friend"))
    archived.is_archived = True
    archived.save()
    assert _suggest(me) == {}


def test_limit(me):
    for _ in range(5):
        user_profile_update(user=UserFactory(), interests=["Jazz"])
    assert len(people_you_may_know(viewer=me, limit=3)) == 3


def test_nothing_in_common_suggests_nobody():
    loner = UserFactory(department="")
    UserFactory(department="")
    assert people_you_may_know(viewer=loner) == []


@pytest.mark.parametrize("count", [1, 20])
def test_query_count_does_not_grow_with_the_suggestions(me, count, django_assert_num_queries):
    community = make_community(owner=me, name="Guild")
    for _ in range(count):
        person = make_member(community, UserFactory(department="Sales"))
        user_profile_update(user=person, skills=["Python"], interests=["Jazz"])
    with django_assert_num_queries(4):
        people = people_you_may_know(viewer=me, limit=50)
    assert len(people) == count
    assert all(len(person.reasons) == 3 for person in people)
