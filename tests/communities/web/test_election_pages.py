"""Elections on the About tab: members vote once and secretly; results once closed."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from communities.models import Candidate, ElectionVoter
from communities.services.elections import election_close, election_open

pytestmark = pytest.mark.django_db


@pytest.fixture
def election(owner, member, moderator, community):
    return election_open(
        actor=owner,
        community=community,
        title="Quarterly chair",
        role="moderator",
        candidates=[member, moderator],
        closes_at=timezone.now() + timedelta(days=7),
    )


def _about(community):
    return reverse("communities:about", args=[community.slug])


def _vote(community, election):
    return reverse("communities:election-vote", args=[community.slug, election.pk])


def test_member_votes_once_and_the_tally_stays_hidden(client, login, member, community, election):
    login(member)
    page = client.get(_about(community)).content.decode()
    assert "Quarterly chair" in page
    assert "your vote is secret" in page
    candidate = Candidate.objects.get(election=election, user__display_name="Max Moderator")
    response = client.post(_vote(community, election), {"candidate": candidate.pk}, follow=True)
    body = response.content.decode()
    assert "Your vote is recorded. It stays secret." in body
    assert "Results are shown when the election closes." in body
    assert "1 voter" in body
    assert "Max Moderator: 1 vote" not in body
    response = client.post(_vote(community, election), {"candidate": candidate.pk}, follow=True)
    assert "message--error" in response.content.decode()
    assert ElectionVoter.objects.filter(election=election).count() == 1


def test_outsider_cannot_vote(client, login, outsider, community, election):
    candidate = election.candidates.first()
    response = login(outsider).post(
        _vote(community, election), {"candidate": candidate.pk}, follow=True
    )
    assert "Only members of the community can vote." in response.content.decode()
    assert not ElectionVoter.objects.exists()


def test_closed_election_shows_the_winner(login, owner, member, community, election):
    login(member).post(
        _vote(community, election),
        {"candidate": Candidate.objects.get(election=election, user=member).pk},
    )
    election_close(election=election)
    body = login(owner).get(_about(community)).content.decode()
    assert "Elected: Mia Member" in body
    assert "Mia Member: 1 vote" in body


def test_elections_of_a_secret_community_are_404_for_outsiders(
    login, owner, outsider, secret_community
):
    response = login(outsider).post(
        reverse("communities:election-vote", args=[secret_community.slug, 1]), {"candidate": 1}
    )
    assert response.status_code == 404
