"""Every list endpoint of the profiles API costs the same number of queries for 1 row as
for 20: nothing is fetched per row."""

import pytest

from communities.models import Post
from communities.services.comments import answer_accept, comment_create
from communities.services.reactions import reaction_toggle
from profiles.models import Badge, BadgeAward, Follow
from profiles.recognition.kudos import kudos_give
from profiles.services import user_avatar_set, user_profile_update
from tests.factories import UserFactory, make_community, make_member, make_post
from tests.profiles.api.conftest import client_for, png_upload

pytestmark = pytest.mark.django_db


def _profiled(**kwargs):
    person = UserFactory(**kwargs)
    user_profile_update(user=person, skills=["Rust", "Go"], interests=["Chess"], location="Paris")
    user_avatar_set(user=person, upload=png_upload())
    return person


def _profiles(n: int):
    viewer = UserFactory()
    for _ in range(n):
        Follow.objects.create(follower=viewer, followed=_profiled(department="Data"))
    return viewer, "/api/v1/profiles/", {"department": "Data"}, n


def _followers(n: int):
    target = UserFactory()
    for _ in range(n):
        Follow.objects.create(follower=_profiled(), followed=target)
    return UserFactory(), f"/api/v1/profiles/{target.pk}/followers/", {}, n


def _following(n: int):
    source = UserFactory()
    for _ in range(n):
        Follow.objects.create(follower=source, followed=_profiled())
    return UserFactory(), f"/api/v1/profiles/{source.pk}/following/", {}, n


def _kudos(n: int):
    viewer = UserFactory()
    community = make_community(owner=viewer)
    for index in range(n):
        giver = make_member(community)
        kudos_give(
            giver=giver,
            recipients=[viewer, _profiled()],
            value="helpful",
            message=f"Thanks {index}",
            community=community if index % 2 else None,
        )
    return viewer, "/api/v1/kudos/", {"recipient": viewer.pk}, n


def _badges(n: int):
    Badge.objects.all().delete()
    for index in range(n):
        badge = Badge.objects.create(code=f"b{index}", name=f"B{index}", description="d")
        BadgeAward.objects.create(badge=badge, user=UserFactory())
    return UserFactory(), "/api/v1/badges/", {}, n


def _holders(n: int):
    badge = Badge.objects.create(code="mentor", name="Mentor", description="d", is_manual=True)
    for _ in range(n):
        BadgeAward.objects.create(badge=badge, user=_profiled(), reason="Why not")
    return UserFactory(), "/api/v1/badges/mentor/holders/", {}, n


def _question_answered_by(community, asker, answerer, title="Borrow checker"):
    question = make_post(
        community, author=asker, kind=Post.Kind.QUESTION, title=title, body="#rust please"
    )
    answer = comment_create(author=answerer, post=question, body="Use lifetimes")
    answer_accept(actor=asker, post=question, comment=answer)
    return question


def _experts_setup(n: int):
    viewer = UserFactory()
    community = make_community(owner=viewer)
    for _ in range(n):
        expert = make_member(community, _profiled())
        _question_answered_by(community, viewer, expert)
        kudos_give(giver=UserFactory(), recipients=[expert], value="helpful", message="Rust wizard")
    return viewer, community


def _experts_topic(n: int):
    viewer, _community = _experts_setup(n)
    return viewer, "/api/v1/experts/", {"topic": "rust"}, min(n, 10)


def _experts_post(n: int):
    viewer, community = _experts_setup(n)
    question = make_post(
        community, author=viewer, kind=Post.Kind.QUESTION, title="Rust lifetimes", body="#rust"
    )
    return viewer, "/api/v1/experts/", {"post": question.pk}, min(n, 10)


def _people_you_may_know(n: int):
    viewer = UserFactory()
    community = make_community(owner=viewer)
    user_profile_update(user=viewer, skills=["Rust"], interests=["Chess"])
    for _ in range(n):
        make_member(community, _profiled())
    return viewer, "/api/v1/people-you-may-know/", {}, min(n, 10)


def _connection(n: int):
    viewer = UserFactory()
    target = UserFactory()
    for _ in range(n):
        friend = UserFactory()
        Follow.objects.create(follower=viewer, followed=friend)
        Follow.objects.create(follower=friend, followed=target)
    return viewer, f"/api/v1/profiles/{target.pk}/connection/", {}, None


def _timeline(n: int):
    viewer = UserFactory()
    community = make_community(owner=viewer)
    author = make_member(community, _profiled())
    for index in range(n):
        make_post(community, author=author, title=f"Post {index}")
        kudos_give(giver=make_member(community), recipients=[author], value="helpful", message="!")
        badge = Badge.objects.create(code=f"t{index}", name=f"T{index}", description="d")
        BadgeAward.objects.create(badge=badge, user=author)
    _question_answered_by(community, viewer, author)
    return viewer, f"/api/v1/profiles/{author.pk}/timeline/", {}, min(3 * n + 1, 50)


def _leaderboard(n: int):
    owner = UserFactory()
    community = make_community(owner=owner)
    members = [make_member(community, _profiled()) for _ in range(max(n, 5))]
    for member in members[:n]:
        post = _question_answered_by(community, owner, member)
        reaction_toggle(user=owner, kind="like", post=post)
    # The owner scores too: members replied to their questions.
    return owner, f"/api/v1/communities/{community.slug}/leaderboard/", {}, min(n + 1, 10)


def _rows(body, path):
    if path.endswith("/leaderboard/"):
        return body["entries"]
    if path.endswith("/connection/"):
        return body["path"]
    return body["results"] if isinstance(body, dict) else body


# endpoint: (builder, queries for the request, whatever the number of rows)
ENDPOINTS = {
    "profiles": (_profiles, 4),
    "followers": (_followers, 5),
    "following": (_following, 5),
    "kudos": (_kudos, 2),
    "badges": (_badges, 2),
    "badge-holders": (_holders, 3),
    "experts-topic": (_experts_topic, 4),
    "experts-post": (_experts_post, 11),
    "people-you-may-know": (_people_you_may_know, 4),
    "connection": (_connection, 10),
    "timeline": (_timeline, 8),
    "leaderboard": (_leaderboard, 9),
}


PAGINATED = {"profiles", "followers", "following", "kudos", "badges", "badge-holders"}


@pytest.mark.parametrize("rows", [1, 20])
@pytest.mark.parametrize("endpoint", list(ENDPOINTS))
def test_list_query_count_does_not_grow_with_rows(endpoint, rows, django_assert_num_queries):
    builder, queries = ENDPOINTS[endpoint]
    viewer, url, params, expected_rows = builder(rows)
    client = client_for(viewer)
    paginated = endpoint in PAGINATED

    with django_assert_num_queries(queries):
        response = client.get(url, {**params, "page_size": 50} if paginated else params)

    assert response.status_code == 200, response.content
    found = _rows(response.json(), url)
    if expected_rows is None:
        assert len(found) == 3  # viewer -> one friend -> target
    else:
        assert len(found) == expected_rows
