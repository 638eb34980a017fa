"""Membership work in the admin goes through the membership services: approving
requests, changing roles, banning and unbanning, adding a colleague."""

import pytest
from django.urls import reverse

from communities.models import Membership
from communities.services.memberships import membership_request
from metrics.models import Activity
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:communities_membership_changelist"


def run_action(client, action, memberships, *, follow=True):
    return client.post(
        reverse(CHANGELIST),
        {"action": action, "_selected_action": [m.pk for m in memberships]},
        follow=follow,
    )


def test_approving_requests_makes_requesters_members_and_logs_their_joining(cm_client, alpha):
    requesters = [UserFactory(), UserFactory()]
    pending = [membership_request(user=u, community=alpha.community) for u in requesters]
    response = run_action(cm_client, "approve_requests", pending)
    assert "2 requests approved." in response.content.decode()
    for membership in pending:
        membership.refresh_from_db()
        assert membership.status == Membership.Status.ACTIVE
    joined = Activity.objects.filter(
        verb=Activity.Verb.MEMBER_JOINED, community=alpha.community, actor__in=requesters
    )
    assert joined.count() == 2


def test_declining_a_request_removes_it(cm_client, alpha):
    pending = membership_request(user=UserFactory(), community=alpha.community)
    response = run_action(cm_client, "decline_requests", [pending])
    assert "1 request declined." in response.content.decode()
    assert not Membership.objects.filter(pk=pending.pk).exists()


def test_making_members_moderators_changes_their_role(cm_client, alpha):
    response = run_action(cm_client, "make_moderators", [alpha.membership])
    assert "1 role changed." in response.content.decode()
    alpha.membership.refresh_from_db()
    assert alpha.membership.role == Membership.Role.MODERATOR


def test_a_manager_cannot_make_owners_and_is_told_why(cm_client, alpha):
    response = run_action(cm_client, "make_owners", [alpha.membership])
    page = response.content.decode()
    assert "Only an owner can make or unmake owners." in page
    assert "role changed" not in page
    alpha.membership.refresh_from_db()
    assert alpha.membership.role == Membership.Role.MEMBER


def test_banning_in_bulk_bans_members_and_logs_their_departure(cm_client, alpha, reporter):
    reporter_membership = Membership.objects.get(community=alpha.community, user=reporter)
    response = run_action(cm_client, "ban_members", [alpha.membership, reporter_membership])
    assert "2 members banned." in response.content.decode()
    banned = Membership.objects.filter(
        community=alpha.community, status=Membership.Status.BANNED
    ).values_list("user_id", flat=True)
    assert set(banned) == {alpha.member.pk, reporter.pk}
    assert Activity.objects.filter(
        verb=Activity.Verb.MEMBER_LEFT, community=alpha.community, actor=alpha.member
    ).exists()


def test_the_owner_is_never_banned_but_the_others_are(cm_client, alpha):
    owner_membership = Membership.objects.get(community=alpha.community, user=alpha.owner)
    response = run_action(cm_client, "ban_members", [owner_membership, alpha.membership])
    page = response.content.decode()
    assert "An owner cannot be banned." in page
    assert "1 member banned." in page
    owner_membership.refresh_from_db()
    assert owner_membership.status == Membership.Status.ACTIVE


def test_unbanning_lifts_the_ban(cm_client, alpha):
    run_action(cm_client, "ban_members", [alpha.membership])
    response = run_action(cm_client, "unban_members", [alpha.membership])
    assert "1 ban lifted." in response.content.decode()
    alpha.membership.refresh_from_db()
    assert alpha.membership.status == Membership.Status.LEFT


def test_adding_a_colleague_by_email_makes_them_a_member_invited_by_the_cm(cm_client, cm, alpha):
    colleague = UserFactory(email="new.colleague@acme.example")
    response = cm_client.post(
        reverse("admin:communities_membership_add"),
        {
            "community": alpha.community.pk,
            "user": "New.Colleague@acme.example",
            "role": "moderator",
        },
    )
    assert response.status_code == 302
    membership = Membership.objects.get(community=alpha.community, user=colleague)
    assert membership.status == Membership.Status.ACTIVE
    assert membership.role == Membership.Role.MODERATOR
    assert membership.invited_by == cm
    assert Activity.objects.filter(
        verb=Activity.Verb.MEMBER_JOINED, community=alpha.community, actor=colleague
    ).exists()


def test_adding_an_unknown_email_is_a_form_error(cm_client, alpha):
    response = cm_client.post(
        reverse("admin:communities_membership_add"),
        {"community": alpha.community.pk, "user": "nobody@acme.example", "role": "member"},
    )
    assert response.status_code == 200
    assert "No active colleague has this email address." in response.content.decode()


def test_adding_an_owner_as_a_manager_is_refused_on_the_form_and_nothing_is_written(
    cm_client, alpha
):
    colleague = UserFactory(email="would.be.owner@acme.example")
    response = cm_client.post(
        reverse("admin:communities_membership_add"),
        {"community": alpha.community.pk, "user": colleague.email, "role": "owner"},
    )
    assert response.status_code == 200
    assert "Only an owner can make or unmake owners." in response.content.decode()
    assert not Membership.objects.filter(user=colleague).exists()
    assert not Activity.objects.filter(actor=colleague).exists()


def test_changing_a_role_on_the_membership_page_uses_the_role_rules(cm_client, alpha):
    url = reverse("admin:communities_membership_change", args=[alpha.membership.pk])
    assert cm_client.post(url, {"role": "moderator"}).status_code == 302
    alpha.membership.refresh_from_db()
    assert alpha.membership.role == Membership.Role.MODERATOR

    owner_membership = Membership.objects.get(community=alpha.community, user=alpha.owner)
    url = reverse("admin:communities_membership_change", args=[owner_membership.pk])
    refused = cm_client.post(url, {"role": "member"})
    assert refused.status_code == 200
    assert "Only an owner can make or unmake owners." in refused.content.decode()
    owner_membership.refresh_from_db()
    assert owner_membership.role == Membership.Role.OWNER


def test_superuser_can_make_an_owner(superuser_client, alpha):
    response = run_action(superuser_client, "make_owners", [alpha.membership])
    assert "1 role changed." in response.content.decode()
    alpha.membership.refresh_from_db()
    assert alpha.membership.role == Membership.Role.OWNER


def test_approving_rows_that_are_no_requests_says_so_and_changes_nothing(cm_client, alpha):
    response = run_action(cm_client, "approve_requests", [alpha.membership])
    page = response.content.decode()
    assert "This action does not apply to the selection." in page
    assert "approved" not in page
    alpha.membership.refresh_from_db()
    assert alpha.membership.status == Membership.Status.ACTIVE
