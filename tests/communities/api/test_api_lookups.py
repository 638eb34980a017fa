"""Ids in URLs that name nothing, or nothing the member may see, answer 404, never 500."""

import pytest

from communities.models import Community, Flag
from communities.services.comments import comment_create
from communities.services.moderation import flag_create
from tests.communities.api.conftest import client_for, make_cast
from tests.factories import make_post

pytestmark = pytest.mark.django_db

HUGE = "9" * 30


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/api/v1/posts/{huge}/"),
        ("patch", "/api/v1/comments/{huge}/"),
        ("post", "/api/v1/comments/{huge}/reactions/"),
        ("post", "/api/v1/invitations/{huge}/accept/"),
        ("post", "/api/v1/moderation/flags/{huge}/resolve/"),
        ("post", "/api/v1/communities/{slug}/requests/{huge}/approve/"),
        ("post", "/api/v1/communities/{slug}/elections/{huge}/close/"),
        ("post", "/api/v1/communities/{slug}/members/{huge}/ban/"),
    ],
)
def test_huge_or_unknown_ids_are_404(cast, method, path):
    client = client_for(cast.owner)
    url = path.format(huge=HUGE, slug=cast.community.slug)
    response = getattr(client, method)(url, {"body": "x", "kind": "like", "action": "hide"})
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_comments_and_flags_of_a_secret_community_are_404_to_outsiders(db):
    cast = make_cast(Community.Visibility.SECRET)
    post = make_post(cast.community, author=cast.owner)
    comment = comment_create(author=cast.member, post=post, body="Inside")
    flag = flag_create(reporter=cast.member, reason=Flag.Reason.OTHER, post=post)
    client = client_for(cast.outsider)

    answers = [
        client.patch(f"/api/v1/comments/{comment.pk}/", {"body": "Outside"}),
        client.delete(f"/api/v1/comments/{comment.pk}/"),
        client.post(f"/api/v1/comments/{comment.pk}/reactions/", {"kind": "like"}),
        client.post(f"/api/v1/comments/{comment.pk}/flag/", {"reason": "spam"}),
        client.post(f"/api/v1/posts/{post.pk}/flag/", {"reason": "spam"}),
        client.post(f"/api/v1/moderation/flags/{flag.pk}/resolve/", {"action": "hide"}),
        client.post(f"/api/v1/posts/{post.pk}/accept-answer/", {"comment_id": comment.pk}),
        client.post(f"/api/v1/posts/{post.pk}/rsvp/", {"answer": "yes"}),
        client.post(f"/api/v1/posts/{post.pk}/poll/vote/", {"option_ids": [1]}, format="json"),
    ]

    assert [a.status_code for a in answers] == [404] * len(answers)
    comment.refresh_from_db()
    assert comment.body == "Inside"
    assert Flag.objects.count() == 1


def test_huge_ids_in_bodies_and_filters_are_400(cast):
    post = make_post(cast.community, author=cast.member, kind="question")
    client = client_for(cast.member)
    huge = int(HUGE)

    answers = {
        "parent": client.post(
            f"/api/v1/posts/{post.pk}/comments/", {"body": "x", "parent": huge}, format="json"
        ),
        "comment_id": client.post(
            f"/api/v1/posts/{post.pk}/accept-answer/", {"comment_id": huge}, format="json"
        ),
        "author": client.get("/api/v1/posts/", {"author": HUGE}),
    }

    for field, response in answers.items():
        assert response.status_code == 400, field
        assert response.json()[field]
