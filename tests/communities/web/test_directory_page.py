"""The community directory: search, filters, secret communities, htmx results, queries."""

import pytest
from django.urls import reverse

from communities.models import Community
from tests.factories import UserFactory, make_community, make_member, make_post

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "directory-results"}
URL = reverse("communities:directory")


def test_anonymous_visitor_is_sent_to_log_in(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert reverse("account_login") in response.url


def test_directory_lists_public_and_private_but_not_foreign_secret_communities(
    login, outsider, community, private_community, secret_community
):
    response = login(outsider).get(URL)
    assert response.status_code == 200
    body = response.content.decode()
    assert "Engineering Guild" in body
    assert "HR Circle" in body
    assert "Board Room" not in body
    assert "2 communities" in body


def test_members_of_a_secret_community_find_it_in_the_directory(login, owner, secret_community):
    body = login(owner).get(URL).content.decode()
    assert "Board Room" in body
    assert reverse("communities:detail", args=[secret_community.slug]) in body


def test_search_matches_name_and_description(login, outsider, community, private_community):
    body = login(outsider).get(URL, {"q": "people"}).content.decode()
    assert "HR Circle" in body
    assert "Engineering Guild" not in body


def test_mine_filter_keeps_only_my_communities(login, member, community, private_community):
    body = login(member).get(URL, {"mine": "on"}).content.decode()
    assert "Engineering Guild" in body
    assert "HR Circle" not in body


def test_visibility_filter(login, outsider, community, private_community):
    body = login(outsider).get(URL, {"visibility": "private"}).content.decode()
    assert "HR Circle" in body
    assert "Engineering Guild" not in body


def test_topic_filter_finds_communities_discussing_it(login, owner, member, community):
    other = make_community(owner=owner, name="Kitchen Club")
    make_post(community, author=member, title="Threat model", body="Our #security review.")
    make_post(other, author=owner, title="Menu", body="Soup on #monday.")
    body = login(member).get(URL, {"topic": "#security"}).content.decode()
    assert "Engineering Guild" in body
    assert "Kitchen Club" not in body


def test_invalid_filter_is_explained_not_a_crash(login, outsider, community):
    response = login(outsider).get(URL, {"visibility": "nonsense"})
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()


def test_htmx_search_returns_only_the_results_fragment(login, outsider, community):
    response = login(outsider).get(URL, {"q": "guild"}, **HTMX)
    assert response.status_code == 200
    body = response.content.decode()
    assert "Engineering Guild" in body
    assert "<html" not in body
    assert 'role="search"' not in body


def test_empty_result_says_so(login, outsider, community):
    body = login(outsider).get(URL, {"q": "zzz-nothing"}).content.decode()
    assert "No community matches" in body


def test_directory_query_count_does_not_grow_with_communities(
    client, login, count_queries, django_assert_num_queries
):
    viewer = UserFactory()
    login(viewer)
    owner = UserFactory()
    first = make_community(owner=owner, name="Community 000")
    make_member(first, viewer)
    at_one = count_queries(URL)
    for number in range(1, 20):
        created = make_community(owner=owner, name=f"Community {number:03d}")
        make_member(created, UserFactory())
    assert Community.objects.count() == 20
    with django_assert_num_queries(at_one):
        response = client.get(URL)
    assert response.content.decode().count('class="community-card"') == 20


def test_pagination_links_keep_the_filters(login, member, owner, community, monkeypatch):
    from communities import views

    monkeypatch.setattr(views, "DIRECTORY_PAGE_SIZE", 2)
    for number in range(3):
        make_member(make_community(owner=owner, name=f"Guild {number}"), member)
    body = login(member).get(URL, {"mine": "on", "q": "guild"}).content.decode()
    assert "Page 1 of 2" in body
    assert "?mine=on&amp;q=guild&amp;page=2" in body
