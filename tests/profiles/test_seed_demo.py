from io import StringIO

import pytest
from django.core.management import call_command

from communities.models import Comment, Community, Invitation, Membership, Post, Reaction
from metrics.models import Activity
from profiles.models import User

pytestmark = pytest.mark.django_db


def _counts():
    return (
        User.objects.count(),
        Community.objects.count(),
        Membership.objects.count(),
        Post.objects.count(),
        Activity.objects.count(),
    )


def test_seed_demo_builds_an_organisation_and_prints_the_logins():
    out = StringIO()
    call_command("seed_demo", members=0, stdout=out)
    text = out.getvalue()
    assert "admin@acme.example" in text
    assert "Password for every demo account" in text

    people = User.objects.filter(is_superuser=False)
    assert 38 <= people.count() <= 45
    assert people.values("department").distinct().count() >= 5
    visibilities = set(Community.objects.values_list("visibility", flat=True))
    assert Community.objects.count() == 6
    assert visibilities == {"public", "private", "secret"}
    assert Post.objects.count() >= 6
    assert User.objects.get(email="admin@acme.example").check_password("cercle-demo-2026")


def test_seed_demo_twice_changes_nothing():
    call_command("seed_demo", members=0, stdout=StringIO())
    first = _counts()
    call_command("seed_demo", members=0, stdout=StringIO())
    assert _counts() == first


def test_seed_demo_fills_every_community_with_conversations():
    call_command("seed_demo", members=0, stdout=StringIO())
    for community in Community.objects.all():
        assert community.posts.exists(), community.slug
    assert Comment.objects.filter(parent__isnull=False).exists()
    assert Reaction.objects.count() >= 20
    question = Post.objects.get(kind=Post.Kind.QUESTION)
    assert question.accepted_answer is not None
    poll = Post.objects.get(kind=Post.Kind.POLL).poll
    assert poll.ballots.count() == 10
    event = Post.objects.get(kind=Post.Kind.EVENT).event
    assert event.rsvps.filter(answer="yes").count() == 4
    assert Membership.objects.filter(status=Membership.Status.PENDING).count() == 1
    assert Invitation.objects.filter(status=Invitation.Status.PENDING).count() == 2


def test_the_printed_community_manager_can_run_a_community_in_the_admin(client):
    out = StringIO()
    call_command("seed_demo", members=0, stdout=out)
    line = next(line for line in out.getvalue().splitlines() if "Community manager:" in line)
    manager = User.objects.get(email=line.split()[-1])
    assert manager.is_staff and not manager.is_superuser
    managed = Membership.objects.filter(user=manager, role=Membership.Role.MANAGER)
    assert managed.exists()
    client.force_login(manager)
    response = client.get("/admin/communities/community/")
    assert response.status_code == 200
    page = response.content.decode()
    assert managed.first().community.name in page
    assert "Project Aurora" not in page


def test_seed_demo_fills_profiles_follows_kudos_and_badges():
    from profiles.models import BadgeAward, Follow, Kudos

    call_command("seed_demo", members=0, stdout=StringIO())
    camille = User.objects.get(email="camille.martin@acme.example")
    assert camille.location and camille.skills.exists() and camille.interests.exists()
    assert camille.bio_html.startswith("<p>")
    assert Follow.objects.count() >= 40
    assert Kudos.objects.count() == 6
    assert Kudos.objects.filter(community__slug="general", post__isnull=False).count() == 1
    earned = set(BadgeAward.objects.values_list("badge__code", flat=True))
    assert {"first_post", "first_accepted_answer"} <= earned


@pytest.mark.django_db
def test_seed_demo_opens_the_dashboards_on_rollups_and_five_weeks_of_profile_types():
    from metrics.models import MemberDay, ProfileLabel, ProfileTypeWeek

    call_command("seed_demo", members=40, stdout=StringIO())

    assert MemberDay.objects.filter(community__isnull=True).exists()
    weeks = set(ProfileLabel.objects.values_list("week", flat=True))
    assert len(weeks) == 5
    latest = max(weeks)
    assert ProfileTypeWeek.objects.filter(week=latest, community__isnull=True, members__gt=0)
