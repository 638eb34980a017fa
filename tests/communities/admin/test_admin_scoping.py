"""The scoping line: a community manager sees and changes only the communities they
manage (and what belongs to them); superusers see everything."""

import pytest
from django.urls import reverse

from communities.models import Community, Election, Invitation, Membership
from tests.factories import UserFactory, make_community, make_member

pytestmark = pytest.mark.django_db

# (admin model name, how to find the side's row, the text the changelist shows for it)
LISTED = {
    "community": (lambda side: side.community, lambda side: side.community.name),
    "membership": (lambda side: side.membership, lambda side: side.member.display_name),
    "post": (lambda side: side.post, lambda side: side.post.title),
    "comment": (lambda side: side.comment, lambda side: side.comment.body),
    "flag": (lambda side: side.flag, lambda side: side.post.title),
    "invitation": (lambda side: side.invitation, lambda side: side.invitation.email),
    "election": (lambda side: side.election, lambda side: side.election.title),
}


def changelist(model: str) -> str:
    return reverse(f"admin:communities_{model}_changelist")


def change_page(model: str, obj) -> str:
    return reverse(f"admin:communities_{model}_change", args=[obj.pk])


@pytest.mark.parametrize("model", LISTED)
def test_cm_lists_rows_of_managed_community_and_nothing_of_others(cm_client, alpha, beta, model):
    _, shown = LISTED[model]
    response = cm_client.get(changelist(model))
    assert response.status_code == 200
    page = response.content.decode()
    assert shown(alpha) in page
    assert shown(beta) not in page
    # Not even the secret community's name leaks (filters, selects, counts).
    assert "beta" not in page.lower()


@pytest.mark.parametrize("model", LISTED)
def test_cm_opens_managed_rows_and_gets_404_for_others(cm_client, alpha, beta, model):
    find, shown = LISTED[model]
    allowed = cm_client.get(change_page(model, find(alpha)))
    assert allowed.status_code == 200
    assert shown(alpha) in allowed.content.decode()
    denied = cm_client.get(change_page(model, find(beta)))
    assert denied.status_code == 404
    assert shown(beta) not in denied.content.decode()


@pytest.mark.parametrize("model", LISTED)
def test_superuser_sees_both_sides(superuser_client, alpha, beta, model):
    find, shown = LISTED[model]
    page = superuser_client.get(changelist(model)).content.decode()
    assert shown(alpha) in page
    assert shown(beta) in page
    assert superuser_client.get(change_page(model, find(beta))).status_code == 200


def test_admin_index_lists_communities_for_cm_only(client, cm, alpha):
    client.force_login(cm)
    assert "Memberships" in client.get(reverse("admin:index")).content.decode()
    staff_without_community = UserFactory(is_staff=True)
    client.force_login(staff_without_community)
    index = client.get(reverse("admin:index")).content.decode()
    assert "Memberships" not in index
    assert client.get(changelist("community")).status_code == 403


def test_manager_without_staff_status_cannot_reach_the_admin(client, alpha):
    owner = alpha.owner
    assert not owner.is_staff
    client.force_login(owner)
    response = client.get(changelist("community"))
    assert response.status_code == 302
    assert reverse("admin:login") in response["Location"]


def test_demoted_manager_loses_the_community_at_once(cm_client, cm, alpha):
    Membership.objects.filter(community=alpha.community, user=cm).update(
        role=Membership.Role.MEMBER
    )
    assert cm_client.get(changelist("community")).status_code == 403
    assert cm_client.get(change_page("community", alpha.community)).status_code == 404


def test_cm_cannot_add_a_membership_to_another_community(cm_client, beta):
    newcomer = UserFactory(email="newcomer@acme.example")
    response = cm_client.post(
        reverse("admin:communities_membership_add"),
        {"community": beta.community.pk, "user": newcomer.email, "role": "member"},
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not Membership.objects.filter(user=newcomer).exists()


def test_cm_cannot_move_a_community_under_another(cm_client, alpha, beta):
    community = alpha.community
    response = cm_client.post(
        change_page("community", community),
        {
            "name": community.name,
            "slug": community.slug,
            "description": "",
            "visibility": community.visibility,
            "join_policy": community.join_policy,
            "parent": beta.community.pk,
        },
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    community.refresh_from_db()
    assert community.parent_id is None


def test_cm_cannot_post_changes_to_another_communitys_membership(cm_client, beta):
    response = cm_client.post(change_page("membership", beta.membership), {"role": "moderator"})
    assert response.status_code == 404
    beta.membership.refresh_from_db()
    assert beta.membership.role == Membership.Role.MEMBER


def test_cm_cannot_invite_into_another_community(cm_client, beta):
    response = cm_client.post(
        reverse("admin:communities_invitation_bulk"),
        {"community": beta.community.pk, "emails": "someone.new@example.org"},
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not Invitation.objects.filter(email="someone.new@example.org").exists()


def test_cm_cannot_open_an_election_in_another_community(cm_client, beta):
    response = cm_client.post(
        reverse("admin:communities_election_add"),
        {
            "community": beta.community.pk,
            "title": "Sneaky election",
            "role": "moderator",
            "closes_at_0": "2099-01-01",
            "closes_at_1": "12:00:00",
            "candidates": [beta.member.pk],
        },
    )
    assert response.status_code == 200
    assert not Election.objects.filter(title="Sneaky election").exists()


def test_bulk_actions_ignore_rows_of_other_communities(cm_client, alpha, beta):
    response = cm_client.post(
        changelist("membership"),
        {"action": "ban_members", "_selected_action": [beta.membership.pk]},
    )
    assert response.status_code == 302
    beta.membership.refresh_from_db()
    assert beta.membership.status == Membership.Status.ACTIVE


def test_new_community_parent_choices_are_the_managed_ones(cm_client, alpha, beta):
    page = cm_client.get(reverse("admin:communities_community_add")).content.decode()
    assert f'value="{alpha.community.pk}"' in page
    assert f'value="{beta.community.pk}"' not in page


def test_cm_of_two_communities_sees_both(client, cm, alpha):
    second = make_community(name="Gamma Guild", visibility=Community.Visibility.PRIVATE)
    make_member(second, cm, role=Membership.Role.MANAGER)
    client.force_login(cm)
    page = client.get(changelist("community")).content.decode()
    assert "Alpha Guild" in page
    assert "Gamma Guild" in page


def test_the_admin_autocomplete_only_offers_managed_communities(cm_client, alpha, beta):
    response = cm_client.get(
        reverse("admin:autocomplete"),
        {"app_label": "communities", "model_name": "post", "field_name": "community", "term": ""},
    )
    assert response.status_code == 200
    names = {result["text"] for result in response.json()["results"]}
    assert names == {"Alpha Guild"}


def test_the_admin_autocomplete_of_members_is_closed_to_cms(cm_client):
    response = cm_client.get(
        reverse("admin:autocomplete"),
        {"app_label": "communities", "model_name": "membership", "field_name": "user"},
    )
    assert response.status_code == 403
