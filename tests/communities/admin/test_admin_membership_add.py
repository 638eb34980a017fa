"""The admin's "add membership" form: a new colleague becomes a member, someone already
active is a form error (never a server error), and someone who left can be added again."""

import pytest
from django.urls import reverse

from communities.models import Membership
from communities.services.memberships import membership_ban, membership_leave
from metrics.models import Activity
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

ADD = "admin:communities_membership_add"
ALREADY = "is already a member; change their role from the membership list."


def add(client, community, email, role="member"):
    return client.post(reverse(ADD), {"community": community.pk, "user": email, "role": role})


def test_the_form_asks_for_a_community_an_email_and_a_role(cm_client):
    page = cm_client.get(reverse(ADD))
    body = page.content.decode()
    assert page.status_code == 200
    assert 'name="community"' in body
    assert 'type="email" name="user"' in body
    assert 'name="role"' in body


def test_a_new_colleague_is_added_with_the_chosen_role(cm_client, cm, alpha):
    colleague = UserFactory(email="fresh.face@acme.example")

    response = add(cm_client, alpha.community, " Fresh.Face@acme.example ", role="moderator")

    assert response.status_code == 302
    membership = Membership.objects.get(community=alpha.community, user=colleague)
    assert membership.status == Membership.Status.ACTIVE
    assert membership.role == Membership.Role.MODERATOR
    assert membership.invited_by == cm


def test_adding_an_active_member_again_is_a_form_error_and_changes_nothing(cm_client, alpha):
    before = Membership.objects.get(pk=alpha.membership.pk)
    joined = Activity.objects.filter(actor=alpha.member).count()

    response = add(cm_client, alpha.community, alpha.member.email, role="moderator")

    assert response.status_code == 200
    body = response.content.decode()
    assert f"{alpha.member} {ALREADY}" in body
    assert "errorlist" in body
    after = Membership.objects.get(pk=alpha.membership.pk)
    assert (after.role, after.status, after.invited_by_id) == (
        before.role,
        before.status,
        before.invited_by_id,
    )
    assert Membership.objects.filter(community=alpha.community, user=alpha.member).count() == 1
    assert Activity.objects.filter(actor=alpha.member).count() == joined


def test_the_owner_cannot_be_added_again_either(cm_client, alpha):
    response = add(cm_client, alpha.community, alpha.owner.email)

    assert response.status_code == 200
    assert ALREADY in response.content.decode()
    owner = Membership.objects.get(community=alpha.community, user=alpha.owner)
    assert owner.role == Membership.Role.OWNER


def test_a_colleague_who_left_is_added_again_on_their_old_row(cm_client, cm, alpha):
    membership_leave(user=alpha.member, community=alpha.community)
    alpha.membership.refresh_from_db()
    assert alpha.membership.status == Membership.Status.LEFT

    response = add(cm_client, alpha.community, alpha.member.email, role="moderator")

    assert response.status_code == 302
    [membership] = Membership.objects.filter(community=alpha.community, user=alpha.member)
    assert membership.pk == alpha.membership.pk
    assert membership.status == Membership.Status.ACTIVE
    assert membership.role == Membership.Role.MODERATOR
    assert membership.invited_by == cm


def test_a_member_of_another_community_can_be_added_here(cm_client, alpha, beta):
    response = add(cm_client, alpha.community, beta.member.email)

    assert response.status_code == 302
    membership = Membership.objects.get(community=alpha.community, user=beta.member)
    assert membership.status == Membership.Status.ACTIVE


def test_a_banned_member_is_refused_on_the_form(cm_client, alpha):
    membership_ban(actor=alpha.owner, membership=alpha.membership)

    response = add(cm_client, alpha.community, alpha.member.email)

    assert response.status_code == 200
    assert "This member is banned from the community." in response.content.decode()
    alpha.membership.refresh_from_db()
    assert alpha.membership.status == Membership.Status.BANNED
