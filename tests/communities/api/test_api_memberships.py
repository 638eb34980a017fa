"""Joining, leaving, requests, invitations, roles, bans and elections through the API."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from communities.models import Community, Election, Invitation, Membership
from metrics.models import Activity
from tests.communities.api.conftest import client_for, make_cast
from tests.factories import UserFactory, make_community, make_member

pytestmark = pytest.mark.django_db


def url(community: Community, rest: str = "") -> str:
    return f"/api/v1/communities/{community.slug}/{rest}"


# Join, leave, request ------------------------------------------------------------------


def test_joining_an_open_community(member_api_client, user):
    community = make_community()

    response = member_api_client.post(url(community, "join/"))

    assert response.status_code == 200
    body = response.json()
    assert (body["user"]["id"], body["role"], body["status"]) == (user.pk, "member", "active")
    assert Activity.objects.filter(
        actor=user, verb=Activity.Verb.MEMBER_JOINED, community=community
    ).exists()


def test_joining_a_community_on_request_says_to_send_a_request(member_api_client, user):
    community = make_community(join_policy=Community.JoinPolicy.REQUEST)

    response = member_api_client.post(url(community, "join/"))

    assert response.status_code == 400
    assert response.json()["code"] == "request_required"
    assert response.json()["detail"]
    assert not community.memberships.filter(user=user).exists()


def test_joining_an_invitation_only_community_is_403(member_api_client):
    community = make_community(join_policy=Community.JoinPolicy.INVITATION)
    assert member_api_client.post(url(community, "join/")).status_code == 403


def test_joining_a_secret_community_is_404(member_api_client):
    community = make_community(visibility=Community.Visibility.SECRET)
    response = member_api_client.post(url(community, "join/"))
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_banned_member_cannot_join_again(db):
    cast = make_cast()
    response = client_for(cast.banned).post(url(cast.community, "join/"))
    assert response.status_code == 403


def test_member_leaves_and_the_last_owner_cannot(cast):
    left = client_for(cast.member).post(url(cast.community, "leave/"))
    owner = client_for(cast.owner).post(url(cast.community, "leave/"))

    assert left.status_code == 204
    assert cast.community.memberships.get(user=cast.member).status == Membership.Status.LEFT
    assert owner.status_code == 400
    assert owner.json()["detail"]
    assert cast.community.memberships.get(user=cast.owner).status == Membership.Status.ACTIVE


def test_request_to_join_then_a_manager_approves(db):
    cast = make_cast(join_policy=Community.JoinPolicy.REQUEST)
    applicant = UserFactory()

    requested = client_for(applicant).post(url(cast.community, "request/"), {"message": "Hello"})
    twice = client_for(applicant).post(url(cast.community, "request/"), {"message": "Again"})
    listed = client_for(cast.manager).get(url(cast.community, "requests/"))

    assert requested.status_code == 201
    assert cast.community.memberships.get(user=applicant).status == Membership.Status.PENDING
    assert requested.json()["request_message"] == "Hello"
    assert twice.status_code == 409
    assert listed.status_code == 200
    pending = {r["user"]["id"]: r for r in listed.json()["results"]}
    assert set(pending) == {cast.requester.pk, applicant.pk}

    request_id = pending[applicant.pk]["id"]
    approved = client_for(cast.manager).post(url(cast.community, f"requests/{request_id}/approve/"))

    assert approved.status_code == 200
    assert approved.json()["status"] == "active"
    assert cast.community.memberships.get(user=applicant).status == Membership.Status.ACTIVE


def test_manager_declines_a_request_and_the_row_is_gone(db):
    cast = make_cast(join_policy=Community.JoinPolicy.REQUEST)
    request_id = cast.community.memberships.get(user=cast.requester).pk

    response = client_for(cast.owner).post(url(cast.community, f"requests/{request_id}/decline/"))
    again = client_for(cast.owner).post(url(cast.community, f"requests/{request_id}/decline/"))

    assert response.status_code == 204
    assert not cast.community.memberships.filter(user=cast.requester).exists()
    assert again.status_code == 404


def test_members_cannot_see_or_answer_requests(db):
    cast = make_cast(join_policy=Community.JoinPolicy.REQUEST)
    request_id = cast.community.memberships.get(user=cast.requester).pk

    listed = client_for(cast.moderator).get(url(cast.community, "requests/"))
    approved = client_for(cast.member).post(url(cast.community, f"requests/{request_id}/approve/"))

    assert listed.status_code == 403
    assert approved.status_code == 403
    assert cast.community.memberships.get(user=cast.requester).status == "pending"


def test_request_message_too_long_is_400(db):
    cast = make_cast(join_policy=Community.JoinPolicy.REQUEST)
    response = client_for(UserFactory()).post(
        url(cast.community, "request/"), {"message": "x" * 501}
    )
    assert response.status_code == 400
    assert response.json()["message"]


# Members ---------------------------------------------------------------------------------


def test_member_list_shows_owners_first(cast):
    response = client_for(cast.outsider).get(url(cast.community, "members/"))

    assert response.status_code == 200
    results = response.json()["results"]
    assert results[0]["user"]["id"] == cast.owner.pk
    assert results[0]["role"] == "owner"
    assert {r["user"]["id"] for r in results} == {
        cast.owner.pk,
        cast.manager.pk,
        cast.moderator.pk,
        cast.member.pk,
    }


def test_manager_changes_a_role(cast):
    response = client_for(cast.manager).post(
        url(cast.community, f"members/{cast.member.pk}/role/"), {"role": "moderator"}
    )
    assert response.status_code == 200
    assert response.json()["role"] == "moderator"
    assert cast.community.memberships.get(user=cast.member).role == Membership.Role.MODERATOR


def test_only_owners_make_owners(cast):
    response = client_for(cast.manager).post(
        url(cast.community, f"members/{cast.member.pk}/role/"), {"role": "owner"}
    )
    assert response.status_code == 403
    assert cast.community.memberships.get(user=cast.member).role == Membership.Role.MEMBER


def test_unknown_role_is_400(cast):
    response = client_for(cast.owner).post(
        url(cast.community, f"members/{cast.member.pk}/role/"), {"role": "emperor"}
    )
    assert response.status_code == 400
    assert response.json()["role"]


def test_role_of_someone_who_is_not_a_member_is_404(cast):
    response = client_for(cast.owner).post(
        url(cast.community, f"members/{cast.outsider.pk}/role/"), {"role": "moderator"}
    )
    assert response.status_code == 404


def test_moderator_bans_a_member_and_a_manager_lifts_the_ban(cast):
    banned = client_for(cast.moderator).post(url(cast.community, f"members/{cast.member.pk}/ban/"))
    lifted = client_for(cast.manager).delete(url(cast.community, f"members/{cast.member.pk}/ban/"))

    assert banned.status_code == 200
    assert banned.json()["status"] == "banned"
    assert lifted.status_code == 200
    assert lifted.json()["status"] == "left"


def test_nobody_bans_an_owner_and_members_ban_nobody(cast):
    owner = client_for(cast.manager).post(url(cast.community, f"members/{cast.owner.pk}/ban/"))
    member = client_for(cast.member).post(url(cast.community, f"members/{cast.moderator.pk}/ban/"))

    assert owner.status_code == 403
    assert member.status_code == 403
    assert cast.community.memberships.get(user=cast.owner).status == "active"
    assert cast.community.memberships.get(user=cast.moderator).status == "active"


# Invitations -----------------------------------------------------------------------------


def test_member_invites_a_colleague_and_a_stranger(cast, django_capture_on_commit_callbacks):
    colleague = UserFactory(email="ines@acme.example")

    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(cast.member).post(
            url(cast.community, "invite/"),
            {"emails": ["ines@acme.example", "new.person@acme.example"]},
        )

    assert response.status_code == 201
    body = response.json()
    assert sorted(i["email"] for i in body) == ["ines@acme.example", "new.person@acme.example"]
    assert all(i["invited_by"]["id"] == cast.member.pk for i in body)
    assert Invitation.objects.get(email="ines@acme.example").invitee == colleague
    assert any("new.person@acme.example" in message.to for message in mail.outbox)


@pytest.mark.parametrize(
    "payload",
    [{}, {"emails": []}, {"emails": ["not-an-email"]}, {"emails": "a@acme.example"}],
)
def test_invite_with_bad_emails_is_400_and_invites_nobody(cast, payload):
    response = client_for(cast.member).post(url(cast.community, "invite/"), payload, format="json")
    assert response.status_code == 400
    assert response.json()["emails"]
    assert not Invitation.objects.exists()


def test_outsider_cannot_invite(cast):
    response = client_for(cast.outsider).post(
        url(cast.community, "invite/"), {"emails": ["x@acme.example"]}
    )
    assert response.status_code == 403


def test_invitee_lists_and_accepts_an_invitation_to_a_secret_community(db):
    cast = make_cast(Community.Visibility.SECRET, join_policy=Community.JoinPolicy.INVITATION)
    invitee = UserFactory(email="guest@acme.example")
    client_for(cast.manager).post(url(cast.community, "invite/"), {"emails": [invitee.email]})

    listed = client_for(invitee).get("/api/v1/invitations/")
    invitation_id = listed.json()["results"][0]["id"]
    stranger = client_for(cast.outsider).post(f"/api/v1/invitations/{invitation_id}/accept/")
    accepted = client_for(invitee).post(f"/api/v1/invitations/{invitation_id}/accept/")

    assert listed.status_code == 200
    assert listed.json()["results"][0]["community"]["slug"] == cast.community.slug
    assert stranger.status_code == 404
    assert accepted.status_code == 200
    assert accepted.json()["status"] == "active"
    membership = cast.community.memberships.get(user=invitee)
    assert membership.invited_by == cast.manager
    assert client_for(invitee).get(url(cast.community)).status_code == 200


def test_invitee_declines_an_invitation(cast):
    invitee = UserFactory()
    client_for(cast.member).post(url(cast.community, "invite/"), {"emails": [invitee.email]})
    invitation = Invitation.objects.get(email=invitee.email)

    response = client_for(invitee).post(f"/api/v1/invitations/{invitation.pk}/decline/")

    assert response.status_code == 204
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.DECLINED
    assert client_for(invitee).get("/api/v1/invitations/").json()["count"] == 0


# Elections -------------------------------------------------------------------------------


def _open_election(cast, **overrides):
    payload = {
        "title": "Chair, first quarter",
        "role": "manager",
        "candidates": [cast.member.pk, cast.moderator.pk],
        "closes_at": (timezone.now() + timedelta(days=7)).isoformat(),
    }
    payload.update(overrides)
    return client_for(cast.owner).post(url(cast.community, "elections/"), payload, format="json")


def test_manager_opens_an_election_members_vote_once_and_it_closes(cast):
    opened = _open_election(cast)
    assert opened.status_code == 201
    election = opened.json()
    assert [c["user"]["id"] for c in election["candidates"]] == [cast.member.pk, cast.moderator.pk]
    assert all(c["vote_count"] is None for c in election["candidates"])
    member_candidacy = election["candidates"][0]["id"]
    vote_url = url(cast.community, f"elections/{election['id']}/vote/")

    first = client_for(cast.manager).post(vote_url, {"candidate_id": member_candidacy})
    twice = client_for(cast.manager).post(vote_url, {"candidate_id": member_candidacy})
    outsider = client_for(cast.outsider).post(vote_url, {"candidate_id": member_candidacy})
    listed = client_for(cast.manager).get(url(cast.community, "elections/"))

    assert first.status_code == 204
    assert twice.status_code == 409
    assert outsider.status_code == 403
    assert listed.json()["results"][0]["has_voted"] is True
    assert listed.json()["results"][0]["voter_count"] == 1

    refused = client_for(cast.member).post(
        url(cast.community, f"elections/{election['id']}/close/")
    )
    closed = client_for(cast.owner).post(url(cast.community, f"elections/{election['id']}/close/"))

    assert refused.status_code == 403
    assert closed.status_code == 200
    body = closed.json()
    assert body["status"] == "closed"
    assert body["winner"]["id"] == cast.member.pk
    assert [c["vote_count"] for c in body["candidates"]] == [1, 0]
    assert cast.community.memberships.get(user=cast.member).role == Membership.Role.MANAGER
    late = client_for(cast.moderator).post(vote_url, {"candidate_id": member_candidacy})
    assert late.status_code == 400


def test_election_with_bad_input_is_400_with_field_messages(cast):
    past = _open_election(cast, closes_at=(timezone.now() - timedelta(days=1)).isoformat())
    nobody = _open_election(cast, candidates=[])
    stranger = _open_election(cast, candidates=[cast.outsider.pk])

    assert past.status_code == 400 and past.json()["closes_at"]
    assert nobody.status_code == 400 and nobody.json()["candidates"]
    assert stranger.status_code == 400 and stranger.json()["candidates"]
    assert not Election.objects.exists()


def test_vote_for_someone_who_is_not_a_candidate_is_400(cast):
    election_id = _open_election(cast).json()["id"]
    response = client_for(cast.member).post(
        url(cast.community, f"elections/{election_id}/vote/"), {"candidate_id": 999999}
    )
    assert response.status_code == 400
    assert response.json()["candidate_id"]


def test_members_cannot_open_elections(cast):
    response = client_for(cast.member).post(
        url(cast.community, "elections/"),
        {
            "title": "Coup",
            "role": "manager",
            "candidates": [cast.member.pk],
            "closes_at": (timezone.now() + timedelta(days=1)).isoformat(),
        },
        format="json",
    )
    assert response.status_code == 403


def test_elections_of_a_private_community_are_for_members(db):
    cast = make_cast(Community.Visibility.PRIVATE)
    make_member(cast.community)
    assert client_for(cast.outsider).get(url(cast.community, "elections/")).status_code == 403
    assert client_for(cast.member).get(url(cast.community, "elections/")).status_code == 200
