"""The organisation's dashboard: superusers only, and no group of fewer than
CERCLE_METRICS_MIN_GROUP people, in the figures or in the lists of people."""

import csv
import io

import pytest
from django.urls import reverse

from metrics.models import MemberDay
from tests.factories import UserFactory

from .conftest import EARLIER, LATEST, labels_write

pytestmark = pytest.mark.django_db


@pytest.fixture
def organisation(db, settings):
    """Nine people: six pragmatic and three shy in the latest evaluation; four months
    earlier... four weeks earlier, all nine were new. Six posted this week."""
    settings.CERCLE_METRICS_MIN_GROUP = 5
    pragmatic = [UserFactory(display_name=f"Pragmatic {n}") for n in range(6)]
    shy = [UserFactory(display_name=f"Shy {n}") for n in range(3)]
    for user in pragmatic:
        MemberDay.objects.create(user=user, community=None, day=LATEST, posts=1)
    for user in shy:
        MemberDay.objects.create(user=user, community=None, day=LATEST, reads=5)
    labels_write(None, EARLIER, dict.fromkeys([*pragmatic, *shy], "new"))
    labels_write(
        None, LATEST, {**dict.fromkeys(pragmatic, "pragmatic"), **dict.fromkeys(shy, "shy")}
    )
    return pragmatic, shy


@pytest.fixture
def root_client(client, superuser):
    client.force_login(superuser)
    return client


def _csv(client, table):
    response = client.get(
        reverse("admin:metrics_dashboard_organisation"), {"format": "csv", "table": table}
    )
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    return rows[0], {row[0]: row[1:] for row in rows[1:]}


def test_small_types_are_hidden_organisation_wide(root_client, organisation):
    _, types = _csv(root_client, "types")
    assert types["Pragmatic"][0] == "6"
    assert types["Shy"] == [""] * 6
    page = root_client.get(reverse("admin:metrics_dashboard_organisation")).content.decode()
    assert "fewer than 5" in page
    assert "Shy 0" not in page
    _, actions = _csv(root_client, "actions")
    assert actions["Shy"][0] == "" and actions["Shy"][2] == ""
    assert "Pragmatic 0" in actions["Pragmatic"][2]


def test_small_transitions_and_groups_are_hidden_organisation_wide(root_client, organisation):
    header, transitions = _csv(root_client, "transitions")
    columns = header[1:]
    assert transitions["New"][columns.index("Pragmatic")] == "6"
    assert transitions["New"][columns.index("Shy")] == ""
    _, groups = _csv(root_client, "inequality")
    # nine people plus the superuser: six creators, no contributor, four readers
    assert groups["Creators"][0] == "6"
    assert groups["Contributors"][0] == "0"
    assert groups["Readers"][0] == ""


def test_the_people_of_a_small_group_are_not_listed(root_client, organisation):
    url = reverse("admin:metrics_people_organisation")
    response = root_client.get(url, {"type": "shy"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "groups of fewer than 5 people are not shown" in page
    assert "Shy 0" not in page
    rows = list(
        csv.reader(
            io.StringIO(root_client.get(url, {"type": "shy", "format": "csv"}).content.decode())
        )
    )
    assert rows == [["name", "email", "profile type", "since", "why"]]
    listed = root_client.get(url, {"type": "pragmatic"}).context["rows"]
    assert sorted(row[0] for row in listed) == [f"Pragmatic {n}" for n in range(6)]


def test_a_communitys_manager_sees_small_groups(client, cm, alpha):
    client.force_login(cm)
    url = reverse("admin:metrics_people_community", args=[alpha.community.pk])
    assert [row[0] for row in client.get(url, {"type": "jaded"}).context["rows"]] == ["Dan Alpha"]


def test_organisation_activity_reads_the_organisation_rows(root_client, organisation):
    _, activity = _csv(root_client, "activity")
    assert activity["WAU"][0] == "9"
    assert activity["MAU"][0] == "9"
