"""The busiest admin lists cost the same number of queries for 1 row as for 20."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from communities.models import Flag, Membership
from communities.services.comments import comment_create
from communities.services.invitations import invitation_create
from communities.services.moderation import flag_create
from tests.factories import UserFactory, make_community, make_member, make_post

pytestmark = pytest.mark.django_db


def add_memberships(side, count):
    for _ in range(count):
        make_member(side.community)


def add_posts(side, count):
    for number in range(count):
        make_post(side.community, author=side.member, title=f"Extra {number}")


def add_flags(side, count):
    for number in range(count):
        post = make_post(side.community, author=side.member, title=f"Flagged {number}")
        flag_create(reporter=side.owner, reason=Flag.Reason.OFF_TOPIC, post=post)


def add_invitations(side, count):
    emails = [f"extra{number}@example.org" for number in range(count)]
    invitation_create(inviter=side.owner, community=side.community, emails=emails)


def add_comments(side, count):
    for number in range(count):
        comment_create(author=side.member, post=side.post, body=f"Extra comment {number}")


@pytest.mark.parametrize(
    "model, add_rows",
    [
        ("membership", add_memberships),
        ("post", add_posts),
        ("comment", add_comments),
        ("flag", add_flags),
        ("invitation", add_invitations),
    ],
)
def test_changelist_query_count_does_not_grow_with_rows(cm_client, alpha, model, add_rows):
    url = reverse(f"admin:communities_{model}_changelist")
    with CaptureQueriesContext(connection) as one_row:
        before = cm_client.get(url).context["cl"].result_count
    add_rows(alpha, 19)
    with CaptureQueriesContext(connection) as twenty_rows:
        after = cm_client.get(url).context["cl"].result_count
    assert after == before + 19
    assert len(twenty_rows) == len(one_row), [q["sql"] for q in twenty_rows.captured_queries]


def test_cm_community_list_query_count_does_not_grow(client, cm, alpha):
    client.force_login(cm)
    url = reverse("admin:communities_community_changelist")
    with CaptureQueriesContext(connection) as one_row:
        client.get(url)
    for number in range(19):
        community = make_community(owner=UserFactory(), name=f"Extra guild {number}")
        make_member(community, cm, role=Membership.Role.MANAGER)
    with CaptureQueriesContext(connection) as twenty_rows:
        page = client.get(url).content.decode()
    assert "Extra guild 18" in page
    assert len(twenty_rows) == len(one_row)
