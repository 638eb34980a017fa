"""Discovery and recognition reads: experts, people you may know, how you are connected,
a member's timeline and a community's leaderboard."""

import pytest

from communities.models import Community, Post
from communities.services.comments import answer_accept, comment_create
from profiles.models import Follow
from profiles.recognition.kudos import kudos_give
from profiles.services import user_profile_update
from tests.factories import UserFactory, make_community, make_member, make_post
from tests.profiles.api.conftest import client_for

pytestmark = pytest.mark.django_db

EXPERTS = "/api/v1/experts/"


def _answered_question(community, asker, answerer, topic="kubernetes", title="Pods restart"):
    question = make_post(
        community, author=asker, kind=Post.Kind.QUESTION, title=title, body=f"Help #{topic}"
    )
    answer = comment_create(author=answerer, post=question, body="Check the probes")
    answer_accept(actor=asker, post=question, comment=answer)
    return question


# Experts ---------------------------------------------------------------------------------


def test_experts_for_a_topic_rank_accepted_answers_and_skills(member_api_client, user):
    community = make_community(owner=user)
    answerer = make_member(community, UserFactory(display_name="Answering Ana"))
    declared = UserFactory(display_name="Declared Dan")
    user_profile_update(user=declared, skills=["Kubernetes"])
    _answered_question(community, user, answerer)

    response = member_api_client.get(EXPERTS, {"topic": "#Kubernetes"})
    assert response.status_code == 200
    rows = response.json()
    names = [row["member"]["display_name"] for row in rows]
    assert set(names) == {"Answering Ana", "Declared Dan"}
    assert rows[0]["score"] >= rows[-1]["score"]
    ana = next(row for row in rows if row["member"]["display_name"] == "Answering Ana")
    assert any("accepted answer" in reason for reason in ana["reasons"])


def test_experts_for_a_question(member_api_client, user):
    community = make_community(owner=user)
    answerer = make_member(community, UserFactory(display_name="Answering Ana"))
    _answered_question(community, user, answerer)
    question = make_post(
        community, author=user, kind=Post.Kind.QUESTION, title="Cluster?", body="#kubernetes"
    )
    response = member_api_client.get(EXPERTS, {"post": question.pk})
    assert response.status_code == 200
    assert [row["member"]["display_name"] for row in response.json()] == ["Answering Ana"]


def test_experts_without_topic_or_post_is_400(member_api_client):
    response = member_api_client.get(EXPERTS)
    assert response.status_code == 400
    assert response.json()["topic"] == ["Give a topic or a post."]


@pytest.mark.parametrize(
    ("query", "field"),
    [({"post": "abc"}, "post"), ({"topic": "#"}, "topic"), ({"topic": "x", "who": "1"}, "who")],
)
def test_malformed_experts_queries_are_400(member_api_client, query, field):
    response = member_api_client.get(EXPERTS, query)
    assert response.status_code == 400
    assert field in response.json()


def test_experts_for_a_post_in_a_secret_community_is_404_to_outsiders(member_api_client):
    owner = UserFactory()
    secret = make_community(owner=owner, visibility=Community.Visibility.SECRET)
    question = make_post(secret, author=owner, kind=Post.Kind.QUESTION, title="Hush")
    assert member_api_client.get(EXPERTS, {"post": question.pk}).status_code == 404
    assert client_for(owner).get(EXPERTS, {"post": question.pk}).status_code == 200


def test_accepted_answers_in_a_secret_community_do_not_make_experts_for_outsiders(
    member_api_client,
):
    owner = UserFactory()
    secret = make_community(owner=owner, visibility=Community.Visibility.SECRET)
    answerer = make_member(secret, UserFactory(display_name="Secret Sam"))
    _answered_question(secret, owner, answerer, topic="quantum")
    assert member_api_client.get(EXPERTS, {"topic": "quantum"}).json() == []
    names = [
        r["member"]["display_name"]
        for r in client_for(owner).get(EXPERTS, {"topic": "quantum"}).json()
    ]
    assert names == ["Secret Sam"]


# People you may know ---------------------------------------------------------------------


def test_people_you_may_know_share_interests_and_exclude_followed(member_api_client, user):
    user_profile_update(user=user, interests=["Cycling"])
    cyclist = UserFactory(display_name="Cyclist Cleo", department="Legal")
    user_profile_update(user=cyclist, interests=["cycling"])
    followed = UserFactory(display_name="Followed Fred", department="Legal")
    user_profile_update(user=followed, interests=["Cycling"])
    Follow.objects.create(follower=user, followed=followed)

    response = member_api_client.get("/api/v1/people-you-may-know/")
    assert response.status_code == 200
    rows = response.json()
    names = [row["member"]["display_name"] for row in rows]
    assert "Cyclist Cleo" in names
    assert "Followed Fred" not in names
    assert "Camille Martin" not in names
    cleo = rows[names.index("Cyclist Cleo")]
    assert cleo["reasons"] == ["You both love Cycling."]
    assert cleo["score"] > 0


# Connection ------------------------------------------------------------------------------


def test_connection_path_through_follows(member_api_client, user):
    alice = UserFactory(display_name="Alice")
    bob = UserFactory(display_name="Bob")
    Follow.objects.create(follower=user, followed=alice)
    Follow.objects.create(follower=alice, followed=bob)

    response = member_api_client.get(f"/api/v1/profiles/{bob.pk}/connection/")
    assert response.status_code == 200
    body = response.json()
    assert [p["display_name"] for p in body["path"]] == ["Camille Martin", "Alice", "Bob"]
    assert body["steps"] == 2
    assert body["detail"] == "you → Alice → Bob"
    assert body["path"][0]["connection"] == ""
    assert body["path"][1]["connection"]


def test_no_connection_is_an_empty_path_with_a_message(member_api_client):
    stranger = UserFactory(display_name="Stranger")
    response = member_api_client.get(f"/api/v1/profiles/{stranger.pk}/connection/")
    assert response.status_code == 200
    assert response.json() == {
        "path": [],
        "steps": None,
        "detail": "No connection within 3 steps.",
    }


def test_secret_communities_of_others_do_not_connect_people(member_api_client, user):
    owner = UserFactory()
    secret = make_community(owner=owner, visibility=Community.Visibility.SECRET)
    make_member(secret, user)
    insider = make_member(secret, UserFactory(display_name="Insider"))
    # The viewer is a member: the shared secret community links them.
    body = member_api_client.get(f"/api/v1/profiles/{insider.pk}/connection/").json()
    assert body["steps"] == 1
    # An outsider is not linked to the insider through it.
    outsider = UserFactory()
    body = client_for(outsider).get(f"/api/v1/profiles/{insider.pk}/connection/").json()
    assert body["path"] == []


def test_connection_to_an_unknown_member_is_404(member_api_client):
    assert member_api_client.get("/api/v1/profiles/999999/connection/").status_code == 404


# Timeline --------------------------------------------------------------------------------


def test_timeline_lists_posts_answers_kudos_newest_first(member_api_client, user):
    community = make_community(owner=user)
    ana = make_member(community, UserFactory(display_name="Ana"))
    make_post(community, author=ana, title="Ana's post")
    _answered_question(community, user, ana)
    kudos_give(giver=user, recipients=[ana], value="helpful", message="Thanks Ana")

    response = member_api_client.get(f"/api/v1/profiles/{ana.pk}/timeline/")
    assert response.status_code == 200
    items = response.json()
    kinds = [item["kind"] for item in items]
    assert kinds[0] == "kudos_received"
    assert {"post", "accepted_answer", "kudos_received"} <= set(kinds)
    assert items[0]["kudos"]["message"] == "Thanks Ana"
    post_item = next(item for item in items if item["kind"] == "post")
    assert post_item["post"]["title"] == "Ana's post"
    assert post_item["community"]["slug"] == community.slug
    answer = next(item for item in items if item["kind"] == "accepted_answer")
    assert answer["post"]["title"] == "Pods restart"
    dates = [item["at"] for item in items]
    assert dates == sorted(dates, reverse=True)


def test_timeline_hides_what_the_viewer_may_not_read(member_api_client):
    author = UserFactory()
    secret = make_community(owner=author, visibility=Community.Visibility.SECRET)
    make_post(secret, author=author, title="Classified")
    assert member_api_client.get(f"/api/v1/profiles/{author.pk}/timeline/").json() == []
    titles = [
        i["post"]["title"]
        for i in client_for(author).get(f"/api/v1/profiles/{author.pk}/timeline/").json()
    ]
    assert titles == ["Classified"]


# Leaderboard ----------------------------------------------------------------------------


def _community_with_members(n: int, visibility=Community.Visibility.PUBLIC):
    owner = UserFactory(display_name="Owner")
    community = make_community(owner=owner, visibility=visibility)
    members = [make_member(community, UserFactory(display_name=f"M{i}")) for i in range(n - 1)]
    return community, owner, members


def test_leaderboard_ranks_the_community_members(settings):
    community, owner, members = _community_with_members(5)
    _answered_question(community, owner, members[0])
    response = client_for(owner).get(f"/api/v1/communities/{community.slug}/leaderboard/")
    assert response.status_code == 200
    body = response.json()
    assert body["enabled"] is True and body["reason"] is None
    assert body["entries"][0]["rank"] == 1
    assert body["entries"][0]["member"]["display_name"] == "M0"
    assert body["entries"][0]["score"] > 0


def test_leaderboard_excludes_members_who_opted_out():
    community, owner, members = _community_with_members(5)
    _answered_question(community, owner, members[0])
    user_profile_update(user=members[0], show_in_leaderboards=False)
    body = client_for(owner).get(f"/api/v1/communities/{community.slug}/leaderboard/").json()
    assert "M0" not in [entry["member"]["display_name"] for entry in body["entries"]]


def test_no_leaderboard_under_five_members():
    community, owner, _members = _community_with_members(4)
    body = client_for(owner).get(f"/api/v1/communities/{community.slug}/leaderboard/").json()
    assert body["enabled"] is False
    assert body["entries"] == []
    assert "5 members" in body["reason"]


def test_no_leaderboard_when_public_recognition_is_off(settings):
    settings.CERCLE_PUBLIC_RECOGNITION = False
    community, owner, _members = _community_with_members(6)
    body = client_for(owner).get(f"/api/v1/communities/{community.slug}/leaderboard/").json()
    assert body["enabled"] is False
    assert body["reason"] == "Public recognition is turned off in this organisation."


# Who may see a community's leaderboard: its readers (allowed), others (denied).
@pytest.mark.parametrize(
    ("visibility", "viewer", "expected"),
    [
        (Community.Visibility.PUBLIC, "member", 200),
        (Community.Visibility.PUBLIC, "outsider", 200),
        (Community.Visibility.PRIVATE, "member", 200),
        (Community.Visibility.PRIVATE, "outsider", 403),
        (Community.Visibility.SECRET, "member", 200),
        (Community.Visibility.SECRET, "outsider", 404),
    ],
)
def test_leaderboard_permissions(visibility, viewer, expected):
    community, _owner, members = _community_with_members(5, visibility=visibility)
    person = members[0] if viewer == "member" else UserFactory()
    response = client_for(person).get(f"/api/v1/communities/{community.slug}/leaderboard/")
    assert response.status_code == expected


def test_leaderboard_of_an_unknown_community_is_404(member_api_client):
    assert member_api_client.get("/api/v1/communities/nowhere/leaderboard/").status_code == 404
