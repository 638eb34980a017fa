"""A dashboard costs the same number of queries whatever the number of members."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from metrics.models import MemberDay
from tests.factories import UserFactory, make_member

from .conftest import EARLIER, LATEST, labels_write

pytestmark = pytest.mark.django_db

TYPES = ["enthusiast", "show_off", "shy", "indifferent", "jaded", "pragmatic", "new"]


def _grow(community, size):
    """``size`` more members, in the community and the organisation, each with days
    and two evaluations."""
    people = [make_member(community, UserFactory()) for _ in range(size)]
    for index, user in enumerate(people):
        for back in range(0, 40, 3):
            day = date(2026, 12, 7) - timedelta(days=back + index % 3)
            for scope in (community, None):
                MemberDay.objects.create(
                    user=user, community=scope, day=day, posts=index % 2, comments=1, reads=2
                )
    for scope in (community, None):
        labels_write(scope, EARLIER, {user: TYPES[i % 7] for i, user in enumerate(people)})
        labels_write(scope, LATEST, {user: TYPES[(i + 1) % 7] for i, user in enumerate(people)})


def _count(client, url, query=None):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, query or {})
    assert response.status_code == 200
    return len(queries)


PAGES = [
    ("dashboard", {}),
    ("dashboard", {"format": "csv", "table": "actions"}),
    ("people", {"type": "shy"}),
    ("people", {"group": "readers"}),
    ("people", {"from": "shy", "to": "indifferent"}),
    ("people", {"active": "28"}),
    ("people", {"type": "shy", "did": "content", "format": "csv"}),
]


@pytest.mark.parametrize(("view", "query"), PAGES)
def test_community_dashboard_queries_do_not_grow_with_members(client, cm, alpha, view, query):
    client.force_login(cm)
    url = reverse(f"admin:metrics_{view}_community", args=[alpha.community.pk])
    # Sizes at which every list asked for has people: an empty page skips a query.
    _grow(alpha.community, 7)
    small = _count(client, url, query)
    _grow(alpha.community, 21)
    assert _count(client, url, query) == small


@pytest.mark.parametrize(("view", "query"), PAGES)
def test_organisation_dashboard_queries_do_not_grow_with_members(
    client, superuser, alpha, view, query, settings
):
    settings.CERCLE_METRICS_MIN_GROUP = 2
    client.force_login(superuser)
    url = reverse(f"admin:metrics_{view}_organisation")
    _grow(alpha.community, 14)
    small = _count(client, url, query)
    _grow(alpha.community, 28)
    assert _count(client, url, query) == small


def test_the_dashboard_is_a_handful_of_queries(client, cm, alpha, django_assert_max_num_queries):
    client.force_login(cm)
    url = reverse("admin:metrics_dashboard_community", args=[alpha.community.pk])
    with django_assert_max_num_queries(16):
        client.get(url)
