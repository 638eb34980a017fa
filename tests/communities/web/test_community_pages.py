"""The community page and its tabs, who may see what, and create/edit forms."""

import pytest
from django.urls import reverse

from communities.models import Community, Membership
from tests.factories import UserFactory, make_community, make_member, make_post

pytestmark = pytest.mark.django_db

TABS = ["detail", "members", "about", "events", "subgroups"]


def _url(name, community):
    return reverse(f"communities:{name}", args=[community.slug])


@pytest.mark.parametrize("tab", TABS)
def test_every_tab_of_a_secret_community_is_404_for_non_members(
    login, outsider, secret_community, tab
):
    response = login(outsider).get(_url(tab, secret_community))
    assert response.status_code == 404
    assert "Board Room" not in response.content.decode()


@pytest.mark.parametrize("name", ["edit", "compose", "join", "request", "leave", "invite"])
def test_every_action_on_a_secret_community_is_404_for_non_members(
    client, login, outsider, secret_community, name
):
    login(outsider)
    url = _url(name, secret_community)
    assert client.get(url).status_code in (404, 405)
    assert client.post(url, {"emails": "x@acme.example"}).status_code == 404


@pytest.mark.parametrize("tab", TABS)
def test_every_tab_of_a_secret_community_opens_for_its_members(login, owner, secret_community, tab):
    response = login(owner).get(_url(tab, secret_community))
    assert response.status_code == 200
    assert "Board Room" in response.content.decode()


# role x visibility x page: (visibility, role, tab) -> status and what the member sees.
PERMISSION_TABLE = [
    ("public", "outsider", "detail", 200, "No conversation yet"),
    ("public", "member", "detail", 200, "Write a post"),
    ("private", "outsider", "detail", 200, "only its members read its conversations"),
    ("private", "member", "detail", 200, "Write a post"),
    ("private", "outsider", "members", 200, "Only members can see what is inside"),
    ("private", "member", "members", 200, "Invite colleagues"),
    ("private", "outsider", "about", 200, "People matters."),
    ("private", "outsider", "events", 200, "only its members see its events"),
    ("secret", "outsider", "detail", 404, None),
    ("secret", "outsider", "about", 404, None),
    ("secret", "member", "detail", 200, "Write a post"),
    ("secret", "member", "members", 200, "Invite colleagues"),
]


@pytest.mark.parametrize(("visibility", "role", "tab", "status", "text"), PERMISSION_TABLE)
def test_permission_table_for_community_tabs(
    login, owner, outsider, visibility, role, tab, status, text
):
    community = make_community(
        owner=owner, name="Table Talk", visibility=visibility, description="People matters."
    )
    user = outsider if role == "outsider" else make_member(community)
    response = login(user).get(_url(tab, community))
    assert response.status_code == status
    if text:
        assert text in response.content.decode()
    if role == "outsider" and visibility != "public":
        assert "Write a post" not in response.content.decode()


def test_stream_shows_posts_with_links_and_reaction_buttons(login, member, community):
    post = make_post(community, author=member, title="Release train", body="Ships **Friday**.")
    body = login(member).get(_url("detail", community)).content.decode()
    assert "Release train" in body
    assert reverse("communities:post", args=[post.pk]) in body
    assert "<strong>Friday</strong>" in body
    assert 'aria-pressed="false"' in body
    assert "0 comments" in body


def test_private_stream_hides_post_titles_from_outsiders(login, owner, outsider, private_community):
    make_post(private_community, author=owner, title="Salary bands")
    body = login(outsider).get(_url("detail", private_community)).content.decode()
    assert "Salary bands" not in body
    assert "Request to join" in body or "Join" in body


def test_members_tab_lists_roles_and_managers_see_requests(login, owner, member, community):
    community.join_policy = Community.JoinPolicy.REQUEST
    community.save()
    applicant = UserFactory(display_name="Ada Applicant")
    Membership.objects.create(
        community=community,
        user=applicant,
        status=Membership.Status.PENDING,
        request_message="I build things too",
    )
    body = login(owner).get(_url("members", community)).content.decode()
    assert "Mia Member" in body
    assert "Odile Owner" in body
    assert "Owner" in body
    assert "Approve Ada Applicant" in body
    assert "I build things too" in body


def test_members_tab_hides_requests_from_plain_members(login, owner, member, community):
    applicant = UserFactory(display_name="Ada Applicant")
    Membership.objects.create(community=community, user=applicant, status=Membership.Status.PENDING)
    body = login(member).get(_url("members", community)).content.decode()
    assert "Approve Ada Applicant" not in body
    assert "Change role" not in body


def test_events_and_subgroups_tabs(login, owner, member, community):
    make_community(owner=owner, name="Metrics Task Force", parent=community)
    body = login(member).get(_url("subgroups", community)).content.decode()
    assert "Metrics Task Force" in body
    body = login(member).get(_url("events", community)).content.decode()
    assert "No event planned." in body


def test_community_stream_query_count_does_not_grow_with_posts(
    client, login, owner, member, community, count_queries, django_assert_num_queries
):
    login(member)
    make_post(community, author=member, title="Post 0", body="About #metrics and @x.")
    url = _url("detail", community)
    at_one = count_queries(url)
    for number in range(1, 20):
        make_post(
            community,
            author=owner if number % 2 else member,
            title=f"Post {number}",
            body=f"Number {number} about #topic{number}.",
        )
    with django_assert_num_queries(at_one):
        response = client.get(url)
    assert response.content.decode().count('class="post-card"') == 20


# --- create / edit ------------------------------------------------------------------------


def test_create_community_makes_me_its_owner(login, outsider):
    response = login(outsider).post(
        reverse("communities:create"),
        {
            "name": "Green Team",
            "slug": "green-team",
            "description": "Less waste.",
            "visibility": "public",
            "join_policy": "open",
        },
        follow=True,
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "Community “Green Team” created." in body
    assert "you are Owner" in body
    assert Membership.objects.get(community__slug="green-team").user == outsider


def test_create_community_with_a_taken_slug_shows_an_error(login, outsider, community):
    response = login(outsider).post(
        reverse("communities:create"),
        {"name": "Copy", "slug": community.slug, "visibility": "public", "join_policy": "open"},
    )
    assert response.status_code == 400
    assert "already exists" in response.content.decode()
    assert Community.objects.filter(name="Copy").count() == 0


def test_create_community_without_a_name_shows_the_field_error(login, outsider):
    response = login(outsider).post(
        reverse("communities:create"), {"name": "", "visibility": "public", "join_policy": "open"}
    )
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()


def test_create_community_rejects_a_cover_that_is_not_an_image(login, outsider):
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = login(outsider).post(
        reverse("communities:create"),
        {
            "name": "Covers",
            "visibility": "public",
            "join_policy": "open",
            "cover_image": SimpleUploadedFile("cover.png", b"not an image", "image/png"),
        },
    )
    assert response.status_code == 400
    assert not Community.objects.filter(name="Covers").exists()


@pytest.mark.parametrize(
    ("role", "status"),
    [("owner", 200), ("manager", 200), ("moderator", 403), ("member", 403), ("outsider", 403)],
)
def test_only_managers_may_open_the_edit_form(login, owner, community, outsider, role, status):
    if role == "owner":
        user = owner
    elif role == "outsider":
        user = outsider
    else:
        user = make_member(community, role=role)
    assert login(user).get(_url("edit", community)).status_code == status


def test_manager_edits_the_description(login, owner, community):
    response = login(owner).post(
        _url("edit", community),
        {
            "name": community.name,
            "slug": community.slug,
            "description": "Now with docs.",
            "visibility": "public",
            "join_policy": "request",
        },
        follow=True,
    )
    assert "Changes saved." in response.content.decode()
    assert "Now with docs." in response.content.decode()
    community.refresh_from_db()
    assert community.join_policy == "request"


def test_edit_to_a_taken_slug_is_refused_with_a_message(login, owner, community):
    other = make_community(owner=owner, name="Other")
    response = login(owner).post(
        _url("edit", community),
        {
            "name": community.name,
            "slug": other.slug,
            "visibility": "public",
            "join_policy": "open",
        },
    )
    assert response.status_code == 400
    assert "already exists" in response.content.decode()
    community.refresh_from_db()
    assert community.slug != other.slug
