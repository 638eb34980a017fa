"""Join, request, approve, leave, invite and answer invitations, in the browser."""

import pytest
from django.core import mail
from django.urls import reverse

from communities.models import Community, Invitation, Membership
from tests.factories import UserFactory, make_community

pytestmark = pytest.mark.django_db


def _url(name, community, *args):
    return reverse(f"communities:{name}", args=[community.slug, *args])


def test_joining_an_open_community_welcomes_the_member(login, outsider, community):
    response = login(outsider).post(_url("join", community), follow=True)
    assert response.status_code == 200
    assert "Welcome to Engineering Guild!" in response.content.decode()
    assert Membership.objects.get(community=community, user=outsider).status == "active"


def test_joining_an_on_request_community_says_to_send_a_request(login, outsider, community):
    community.join_policy = Community.JoinPolicy.REQUEST
    community.save()
    response = login(outsider).post(_url("join", community), follow=True)
    assert "send a request to join" in response.content.decode()
    assert not Membership.objects.filter(community=community, user=outsider).exists()


def test_joining_an_invitation_only_community_is_refused_with_a_message(login, outsider, community):
    community.join_policy = Community.JoinPolicy.INVITATION
    community.save()
    response = login(outsider).post(_url("join", community), follow=True)
    assert response.status_code == 200
    assert "invited members only" in response.content.decode()


def test_join_is_post_only(login, outsider, community):
    assert login(outsider).get(_url("join", community)).status_code == 405


def test_request_then_manager_approves(client, login, owner, outsider, community):
    community.join_policy = Community.JoinPolicy.REQUEST
    community.save()
    response = login(outsider).post(
        _url("request", community), {"message": "Backend dev here"}, follow=True
    )
    assert "was sent to its managers" in response.content.decode()
    membership = Membership.objects.get(community=community, user=outsider)
    assert membership.status == Membership.Status.PENDING

    response = login(outsider).post(_url("request", community), follow=True)
    assert response.status_code == 200
    assert "message--error" in response.content.decode()

    login(owner)
    page = client.get(_url("members", community)).content.decode()
    assert "Backend dev here" in page
    response = client.post(_url("request-decide", community, membership.pk, "approve"), follow=True)
    assert "Otto Outsider is now a member." in response.content.decode()
    membership.refresh_from_db()
    assert membership.status == Membership.Status.ACTIVE


def test_plain_member_cannot_approve_requests(login, member, outsider, community):
    membership = Membership.objects.create(
        community=community, user=outsider, status=Membership.Status.PENDING
    )
    response = login(member).post(_url("request-decide", community, membership.pk, "approve"))
    assert response.status_code in (302, 403)
    membership.refresh_from_db()
    assert membership.status == Membership.Status.PENDING


def test_manager_declines_a_request(login, owner, outsider, community):
    membership = Membership.objects.create(
        community=community, user=outsider, status=Membership.Status.PENDING
    )
    response = login(owner).post(
        _url("request-decide", community, membership.pk, "decline"), follow=True
    )
    assert "Request from Otto Outsider declined." in response.content.decode()
    assert not Membership.objects.filter(pk=membership.pk).exists()


def test_leaving_a_community(login, member, community):
    response = login(member).post(_url("leave", community), follow=True)
    assert "You left Engineering Guild." in response.content.decode()
    assert Membership.objects.get(community=community, user=member).status == "left"


def test_the_last_owner_cannot_leave_and_is_told_why(login, owner, community):
    response = login(owner).post(_url("leave", community), follow=True)
    assert response.status_code == 200
    assert "message--error" in response.content.decode()
    assert Membership.objects.get(community=community, user=owner).status == "active"


def test_member_invites_a_colleague_and_an_unknown_address(
    login, member, community, django_capture_on_commit_callbacks
):
    colleague = UserFactory(email="zoe@acme.example")
    with django_capture_on_commit_callbacks(execute=True):
        response = login(member).post(
            _url("invite", community),
            {"emails": "zoe@acme.example, newcomer@acme.example"},
            follow=True,
        )
    assert "2 invitations sent." in response.content.decode()
    assert Invitation.objects.get(email="zoe@acme.example").invitee == colleague
    assert any("newcomer@acme.example" in message.to for message in mail.outbox)


def test_invite_with_a_bad_address_shows_the_error(login, member, community):
    response = login(member).post(
        _url("invite", community), {"emails": "not-an-email"}, follow=True
    )
    assert response.status_code == 200
    assert "message--error" in response.content.decode()
    assert not Invitation.objects.exists()


def test_outsider_cannot_invite_to_a_community(login, outsider, community):
    response = login(outsider).post(
        _url("invite", community), {"emails": "a@acme.example"}, follow=True
    )
    assert "message--error" in response.content.decode()
    assert not Invitation.objects.exists()


def test_invited_colleague_sees_and_accepts_an_invitation_to_a_secret_community(
    client, login, owner, outsider, secret_community
):
    Invitation.objects.create(
        community=secret_community, email=outsider.email, invitee=outsider, invited_by=owner
    )
    login(outsider)
    page = client.get(reverse("communities:invitations")).content.decode()
    assert "Odile Owner invites you to Board Room" in page
    invitation = Invitation.objects.get()
    response = client.post(
        reverse("communities:invitation-answer", args=[invitation.pk, "accept"]), follow=True
    )
    assert "Welcome to Board Room!" in response.content.decode()
    membership = Membership.objects.get(community=secret_community, user=outsider)
    assert membership.invited_by == owner


def test_declining_an_invitation(client, login, owner, outsider, community):
    invitation = Invitation.objects.create(
        community=community, email=outsider.email, invitee=outsider, invited_by=owner
    )
    response = login(outsider).post(
        reverse("communities:invitation-answer", args=[invitation.pk, "decline"]), follow=True
    )
    assert "Invitation declined." in response.content.decode()
    assert "No pending invitation." in response.content.decode()


def test_someone_elses_invitation_is_404(login, owner, outsider, member, community):
    other = make_community(owner=owner, name="Other")
    invitation = Invitation.objects.create(
        community=other, email=outsider.email, invitee=outsider, invited_by=owner
    )
    response = login(member).post(
        reverse("communities:invitation-answer", args=[invitation.pk, "accept"])
    )
    assert response.status_code == 404


def test_manager_changes_a_role_and_member_cannot(client, login, owner, member, community):
    membership = Membership.objects.get(community=community, user=member)
    response = login(owner).post(
        _url("member-role", community, membership.pk), {"role": "moderator"}, follow=True
    )
    assert "Mia Member is now Moderator." in response.content.decode()
    membership.refresh_from_db()
    assert membership.role == "moderator"

    owner_membership = Membership.objects.get(community=community, user=owner)
    login(member)
    client.post(_url("member-role", community, owner_membership.pk), {"role": "member"})
    owner_membership.refresh_from_db()
    assert owner_membership.role == "owner"


def test_manager_bans_and_unbans_a_member(client, login, owner, member, community):
    login(owner)
    response = client.post(_url("member-ban", community, member.pk), follow=True)
    assert "Mia Member is banned from the community." in response.content.decode()
    assert Membership.objects.get(community=community, user=member).status == "banned"
    response = client.post(_url("member-unban", community, member.pk), follow=True)
    assert "Mia Member is no longer banned." in response.content.decode()
