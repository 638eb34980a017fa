"""Elections in the admin: opened with candidates through election_open, closed through
election_close; results and history are read-only."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from communities.models import Election, Membership
from communities.services.elections import election_vote
from tests.factories import UserFactory, make_member

pytestmark = pytest.mark.django_db

ADD = "admin:communities_election_add"


def election_form(community, candidates, *, closes_at, title="Quarterly chair"):
    local = timezone.localtime(closes_at)
    return {
        "community": community.pk,
        "title": title,
        "role": Membership.Role.MODERATOR,
        "closes_at_0": local.strftime("%Y-%m-%d"),
        "closes_at_1": local.strftime("%H:%M:%S"),
        "candidates": [candidate.pk for candidate in candidates],
    }


def test_cm_opens_an_election_with_candidates(cm_client, cm, alpha):
    second = make_member(alpha.community, UserFactory(display_name="Second Candidate"))
    page = cm_client.get(reverse(ADD)).content.decode()
    assert "Second Candidate" in page
    assert "Beta Member" not in page  # candidates come from the managed communities

    response = cm_client.post(
        reverse(ADD),
        election_form(
            alpha.community, [alpha.member, second], closes_at=timezone.now() + timedelta(days=3)
        ),
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    election = Election.objects.get(title="Quarterly chair")
    assert election.community == alpha.community
    assert election.created_by == cm
    assert election.status == Election.Status.OPEN
    assert set(election.candidates.values_list("user_id", flat=True)) == {
        alpha.member.pk,
        second.pk,
    }


def test_a_closing_date_in_the_past_is_a_form_error_and_nothing_is_opened(cm_client, alpha):
    response = cm_client.post(
        reverse(ADD),
        election_form(
            alpha.community, [alpha.member], closes_at=timezone.now() - timedelta(hours=1)
        ),
    )
    assert response.status_code == 200
    assert "The closing date must be in the future." in response.content.decode()
    assert not Election.objects.filter(title="Quarterly chair").exists()


def test_closing_gives_the_role_to_the_winner_and_shows_the_results(cm_client, alpha, reporter):
    election = alpha.election
    election_vote(voter=reporter, election=election, candidate=alpha.member)
    change_url = reverse("admin:communities_election_change", args=[election.pk])
    sealed = cm_client.get(change_url).content.decode()
    assert "Alpha Member" in sealed
    assert "elected" not in sealed

    response = cm_client.post(
        reverse("admin:communities_election_changelist"),
        {"action": "close_elections", "_selected_action": [election.pk]},
        follow=True,
    )
    assert "1 election closed." in response.content.decode()
    election.refresh_from_db()
    assert election.status == Election.Status.CLOSED
    assert election.winner == alpha.member
    alpha.membership.refresh_from_db()
    assert alpha.membership.role == Membership.Role.MODERATOR

    results = cm_client.get(change_url).content.decode()
    assert "<td>Alpha Member</td><td>1</td><td>elected</td>" in results
    # Read-only: the history cannot be rewritten from the admin.
    assert cm_client.post(change_url, {"title": "Rewritten"}).status_code == 403
    election.refresh_from_db()
    assert election.title == "Alpha chair election"
