from io import StringIO

import pytest
from django.core.management import call_command

from communities.models import Community, Membership, Post
from metrics.models import Activity
from profiles.models import User

pytestmark = pytest.mark.django_db


def _counts():
    return (
        User.objects.count(),
        Community.objects.count(),
        Membership.objects.count(),
        Post.objects.count(),
        Activity.objects.count(),
    )


def test_seed_demo_builds_an_organisation_and_prints_the_logins():
    out = StringIO()
    call_command("seed_demo", stdout=out)
    text = out.getvalue()
    assert "admin@acme.example" in text
    assert "Password for every demo account" in text

    people = User.objects.filter(is_superuser=False)
    assert 38 <= people.count() <= 45
    assert people.values("department").distinct().count() >= 5
    visibilities = set(Community.objects.values_list("visibility", flat=True))
    assert Community.objects.count() == 6
    assert visibilities == {"public", "private", "secret"}
    assert Post.objects.count() >= 6
    assert User.objects.get(email="admin@acme.example").check_password("cercle-demo-2026")


def test_seed_demo_twice_changes_nothing():
    call_command("seed_demo", stdout=StringIO())
    first = _counts()
    call_command("seed_demo", stdout=StringIO())
    assert _counts() == first
