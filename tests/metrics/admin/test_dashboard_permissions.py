"""Who opens which dashboard: managers their communities', superusers every one and the
organisation's; anyone else is refused, and a community one may not manage does not
exist."""

import pytest
from django.urls import reverse

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _urls(alpha, beta):
    return {
        "list": reverse("admin:metrics_profiletypeweek_changelist"),
        "alpha": reverse("admin:metrics_dashboard_community", args=[alpha.community.pk]),
        "alpha_people": reverse("admin:metrics_people_community", args=[alpha.community.pk])
        + "?group=readers",
        "alpha_csv": reverse("admin:metrics_dashboard_community", args=[alpha.community.pk])
        + "?format=csv&table=activity",
        "beta": reverse("admin:metrics_dashboard_community", args=[beta.pk]),
        "beta_people": reverse("admin:metrics_people_community", args=[beta.pk]) + "?active=7",
        "organisation": reverse("admin:metrics_dashboard_organisation"),
        "organisation_people": reverse("admin:metrics_people_organisation") + "?active=28",
    }


LOGIN = "login"
# role -> page -> status (LOGIN: redirected to the admin login)
TABLE = {
    "superuser": {
        "list": 200,
        "alpha": 200,
        "alpha_people": 200,
        "alpha_csv": 200,
        "beta": 200,
        "beta_people": 200,
        "organisation": 200,
        "organisation_people": 200,
    },
    "manager of alpha": {
        "list": 200,
        "alpha": 200,
        "alpha_people": 200,
        "alpha_csv": 200,
        "beta": 404,
        "beta_people": 404,
        "organisation": 403,
        "organisation_people": 403,
    },
    "manager of beta only": {
        "list": 200,
        "alpha": 404,
        "alpha_people": 404,
        "alpha_csv": 404,
        "beta": 200,
        "beta_people": 200,
        "organisation": 403,
        "organisation_people": 403,
    },
    "staff managing nothing": {
        "list": 403,
        "alpha": 404,
        "alpha_people": 404,
        "alpha_csv": 404,
        "beta": 404,
        "beta_people": 404,
        "organisation": 403,
        "organisation_people": 403,
    },
    "owner of alpha without staff status": dict.fromkeys(
        [
            "list",
            "alpha",
            "alpha_people",
            "alpha_csv",
            "beta",
            "beta_people",
            "organisation",
            "organisation_people",
        ],
        LOGIN,
    ),
    "anonymous": dict.fromkeys(
        [
            "list",
            "alpha",
            "alpha_people",
            "alpha_csv",
            "beta",
            "beta_people",
            "organisation",
            "organisation_people",
        ],
        LOGIN,
    ),
}


def _log_in(client, role, *, cm, superuser, alpha, beta):
    from communities.models import Membership
    from tests.factories import make_member

    if role == "superuser":
        client.force_login(superuser)
    elif role == "manager of alpha":
        client.force_login(cm)
    elif role == "manager of beta only":
        other = UserFactory(is_staff=True)
        make_member(beta, other, role=Membership.Role.MANAGER)
        client.force_login(other)
    elif role == "staff managing nothing":
        client.force_login(UserFactory(is_staff=True))
    elif role == "owner of alpha without staff status":
        client.force_login(alpha.owner)


@pytest.mark.parametrize("role", TABLE)
def test_who_may_open_which_dashboard(client, role, cm, superuser, alpha, beta):
    _log_in(client, role, cm=cm, superuser=superuser, alpha=alpha, beta=beta)
    for page, url in _urls(alpha, beta).items():
        expected = TABLE[role][page]
        response = client.get(url)
        if expected == LOGIN:
            assert response.status_code == 302, page
            assert response["Location"].startswith(reverse("admin:login")), page
        else:
            assert response.status_code == expected, (page, response.status_code)
        if expected in (403, 404, LOGIN):
            assert "Beta Circle" not in response.content.decode(), page


def test_the_list_shows_the_managed_communities_only(client, cm, alpha, beta):
    client.force_login(cm)
    page = client.get(reverse("admin:metrics_profiletypeweek_changelist")).content.decode()
    assert "Alpha Guild" in page
    assert reverse("admin:metrics_dashboard_community", args=[alpha.community.pk]) in page
    assert "Beta" not in page
    assert reverse("admin:metrics_dashboard_organisation") not in page


def test_the_list_shows_the_organisation_and_every_community_to_superusers(
    client, superuser, alpha, beta
):
    client.force_login(superuser)
    page = client.get(reverse("admin:metrics_profiletypeweek_changelist")).content.decode()
    assert reverse("admin:metrics_dashboard_organisation") in page
    assert "Alpha Guild" in page and "Beta Circle" in page


def test_the_admin_index_offers_the_dashboards_to_managers(client, cm, alpha):
    client.force_login(cm)
    index = client.get(reverse("admin:index")).content.decode()
    assert reverse("admin:metrics_profiletypeweek_changelist") in index
    # ...but none of the organisation's raw rollups
    assert reverse("admin:metrics_memberday_changelist") not in index
    client.force_login(UserFactory(is_staff=True))
    index = client.get(reverse("admin:index")).content.decode()
    assert reverse("admin:metrics_profiletypeweek_changelist") not in index


def test_a_manager_demoted_loses_the_dashboard_at_once(client, cm, alpha):
    from communities.models import Membership

    client.force_login(cm)
    url = reverse("admin:metrics_dashboard_community", args=[alpha.community.pk])
    assert client.get(url).status_code == 200
    Membership.objects.filter(user=cm, community=alpha.community).update(
        role=Membership.Role.MEMBER
    )
    assert client.get(url).status_code == 404
