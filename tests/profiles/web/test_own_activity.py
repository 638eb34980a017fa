"""A member's own profile shows "Your activity" (what they gave and received over the
last 4 and 13 weeks); nobody else sees it, and it never shows a profile type."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from metrics.models import MemberDay, ProfileLabel
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def profile_url(user) -> str:
    return reverse("profiles:detail", args=[user.pk])


def _figure(body: str, label: str) -> list[str]:
    row = re.search(rf"<th scope=\"row\">{re.escape(label)}</th>(.*?)</tr>", body, re.S)
    assert row, label
    return re.findall(r"<td>(\d+)</td>", row.group(1))


def test_my_profile_shows_what_i_gave_and_received(login, alice):
    today = timezone.now().date()
    MemberDay.objects.create(
        user=alice, community=None, day=today, posts=2, reactions_given=3, kudos_received=1
    )
    MemberDay.objects.create(
        user=alice,
        community=None,
        day=today - timedelta(weeks=6),
        posts=5,
        replies_received=4,
        reads=7,
    )
    week = today - timedelta(days=(today.weekday() + 1) % 7)
    ProfileLabel.objects.create(
        user=alice, community=None, week=week, computed_type="shy", type="shy", since=week
    )

    body = login(alice).get(profile_url(alice)).content.decode()

    assert "Your activity" in body
    assert _figure(body, "Posts (questions included)") == ["2", "7"]
    assert _figure(body, "Reactions given") == ["3", "3"]
    assert _figure(body, "Replies received") == ["0", "4"]
    assert _figure(body, "Kudos received") == ["1", "1"]
    assert _figure(body, "Posts read") == ["0", "7"]
    # members never see a profile type, their own included
    assert "Shy" not in body and "shy" not in body


def test_nobody_else_sees_my_activity(login, alice, bob):
    MemberDay.objects.create(user=alice, community=None, day=timezone.now().date(), posts=2)

    body = login(bob).get(profile_url(alice)).content.decode()

    assert "Your activity" not in body
    assert "Posts (questions included)" not in body


def test_my_profile_query_count_does_not_grow_with_my_days(login, count_queries, alice):
    login(alice)
    today = timezone.now().date()
    MemberDay.objects.create(user=alice, community=None, day=today, posts=1)
    one = count_queries(profile_url(alice))
    for back in range(1, 60):
        MemberDay.objects.create(user=alice, community=None, day=today - timedelta(days=back))
        MemberDay.objects.create(user=UserFactory(), community=None, day=today, posts=1)
    assert count_queries(profile_url(alice)) == one
