"""CERCLE_PROFILE_TYPES=false: the dashboards show plain participation, no type."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.fixture
def labelling_off(settings):
    settings.CERCLE_PROFILE_TYPES = False


def test_no_type_section_when_labelling_is_off(client, cm, alpha, labelling_off):
    client.force_login(cm)
    url = reverse("admin:metrics_dashboard_community", args=[alpha.community.pk])
    page = client.get(url).content.decode()
    assert "Active members" in page
    assert "Participation inequality" in page
    for table in ("types", "trend", "transitions", "actions"):
        assert f'id="table-{table}"' not in page
    assert 'id="table-inequality"' in page
    assert "Enthusiast" not in page and "chart-trend" not in page
    assert client.get(url, {"format": "csv", "table": "types"}).status_code == 400
    assert client.get(url, {"format": "csv", "table": "inequality"}).status_code == 200


def test_no_list_of_a_type_when_labelling_is_off(client, cm, alpha, labelling_off):
    client.force_login(cm)
    url = reverse("admin:metrics_people_community", args=[alpha.community.pk])
    assert client.get(url, {"type": "shy"}).status_code == 400
    assert client.get(url, {"group": "readers"}).status_code == 200


def test_types_show_when_labelling_is_on(client, cm, alpha):
    client.force_login(cm)
    url = reverse("admin:metrics_dashboard_community", args=[alpha.community.pk])
    page = client.get(url).content.decode()
    for table in ("types", "trend", "transitions", "actions"):
        assert f'id="table-{table}"' in page
    assert "Enthusiast" in page and "chart-trend" in page
