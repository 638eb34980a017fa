"""Creating and editing communities in the admin goes through community_create and
community_update."""

import pytest
from django.urls import reverse

from communities.models import Community, Membership
from metrics.models import Activity
from tests.factories import make_community

pytestmark = pytest.mark.django_db


def community_form(**overrides):
    data = {
        "name": "Metrics task force",
        "slug": "",
        "description": "Our working group.",
        "visibility": Community.Visibility.PRIVATE,
        "join_policy": Community.JoinPolicy.REQUEST,
        "parent": "",
        "default_notification_level": "mentions",
    }
    data.update(overrides)
    return data


def test_cm_creates_a_sub_group_and_owns_it(cm_client, cm, alpha):
    response = cm_client.post(
        reverse("admin:communities_community_add"), community_form(parent=alpha.community.pk)
    )
    assert response.status_code == 302
    created = Community.objects.get(name="Metrics task force")
    assert created.slug == "metrics-task-force"
    assert created.parent == alpha.community
    assert Membership.objects.get(community=created, user=cm).role == Membership.Role.OWNER
    assert Activity.objects.filter(
        verb=Activity.Verb.COMMUNITY_CREATED, actor=cm, community=created
    ).exists()
    # The new community is in the CM's scope straight away.
    assert (
        cm_client.get(reverse("admin:communities_community_change", args=[created.pk])).status_code
        == 200
    )


def test_cm_edits_a_managed_community(cm_client, alpha):
    community = alpha.community
    response = cm_client.post(
        reverse("admin:communities_community_change", args=[community.pk]),
        community_form(
            name=community.name,
            slug=community.slug,
            description="New description",
            visibility=Community.Visibility.PRIVATE,
            join_policy=Community.JoinPolicy.INVITATION,
            is_archived="on",
            default_notification_level="all",
        ),
    )
    assert response.status_code == 302
    community.refresh_from_db()
    assert community.default_notification_level == "all"
    assert community.description == "New description"
    assert community.visibility == Community.Visibility.PRIVATE
    assert community.join_policy == Community.JoinPolicy.INVITATION
    assert community.is_archived


def test_an_invalid_slug_is_a_form_error(cm_client, alpha):
    response = cm_client.post(
        reverse("admin:communities_community_change", args=[alpha.community.pk]),
        community_form(name="Alpha Guild", slug="Not a slug!"),
    )
    assert response.status_code == 200
    assert "errorlist" in response.content.decode()
    alpha.community.refresh_from_db()
    assert alpha.community.slug == "alpha-guild"


def test_a_taken_slug_is_a_form_error(cm_client, alpha, beta):
    response = cm_client.post(
        reverse("admin:communities_community_add"), community_form(slug=alpha.community.slug)
    )
    assert response.status_code == 200
    assert "errorlist" in response.content.decode()
    assert not Community.objects.filter(name="Metrics task force").exists()


def test_nothing_is_deleted_from_the_admin(cm_client, superuser_client, alpha):
    url = reverse("admin:communities_community_delete", args=[alpha.community.pk])
    assert cm_client.post(url, {"post": "yes"}).status_code == 403
    assert superuser_client.post(url, {"post": "yes"}).status_code == 403
    assert Community.objects.filter(pk=alpha.community.pk).exists()


def test_saving_a_sub_group_keeps_a_parent_the_cm_does_not_run(cm_client, alpha):
    parent = make_community(name="Umbrella network")
    Community.objects.filter(pk=alpha.community.pk).update(parent=parent)
    url = reverse("admin:communities_community_change", args=[alpha.community.pk])
    form_page = cm_client.get(url).content.decode()
    assert f'<option value="{parent.pk}" selected>' in form_page
    response = cm_client.post(
        url,
        community_form(
            name="Alpha Guild",
            slug="alpha-guild",
            description="Still under the umbrella",
            visibility=Community.Visibility.PUBLIC,
            parent=parent.pk,
        ),
    )
    assert response.status_code == 302
    alpha.community.refresh_from_db()
    assert alpha.community.parent == parent
    assert alpha.community.description == "Still under the umbrella"
