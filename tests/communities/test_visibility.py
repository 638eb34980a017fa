"""The one visibility rule, as the foundation defines it: who sees which community and posts."""

import pytest

from communities.models import Community, Membership
from communities.selectors import communities_visible_to, posts_visible_to
from communities.services.memberships import membership_add
from tests.factories import UserFactory, make_community, make_post

pytestmark = pytest.mark.django_db

PUBLIC, PRIVATE, SECRET = (
    Community.Visibility.PUBLIC,
    Community.Visibility.PRIVATE,
    Community.Visibility.SECRET,
)


@pytest.fixture
def world():
    owner = UserFactory()
    communities = {
        visibility: make_community(owner=owner, visibility=visibility, name=visibility)
        for visibility in (PUBLIC, PRIVATE, SECRET)
    }
    posts = {
        visibility: make_post(c, title=f"{visibility} post")
        for visibility, c in communities.items()
    }
    member = UserFactory()
    for community in communities.values():
        membership_add(community=community, user=member)
    banned = UserFactory()
    for community in communities.values():
        Membership.objects.create(community=community, user=banned, status=Membership.Status.BANNED)
    return {
        "communities": communities,
        "posts": posts,
        "member": member,
        "outsider": UserFactory(),
        "banned": banned,
        "superuser": UserFactory(is_superuser=True, is_staff=True),
    }


# (who, visibility, sees the community, reads its posts)
TABLE = [
    ("member", PUBLIC, True, True),
    ("member", PRIVATE, True, True),
    ("member", SECRET, True, True),
    ("outsider", PUBLIC, True, True),
    ("outsider", PRIVATE, True, False),
    ("outsider", SECRET, False, False),
    ("banned", PUBLIC, True, False),
    ("banned", PRIVATE, True, False),
    ("banned", SECRET, False, False),
    ("superuser", SECRET, True, True),
]


@pytest.mark.parametrize("who, visibility, sees_community, reads_posts", TABLE)
def test_visibility_table(world, who, visibility, sees_community, reads_posts):
    user = world[who]
    community = world["communities"][visibility]
    post = world["posts"][visibility]
    assert communities_visible_to(user=user).filter(pk=community.pk).exists() is sees_community
    assert posts_visible_to(user=user).filter(pk=post.pk).exists() is reads_posts


def test_anonymous_sees_nothing(world):
    from django.contrib.auth.models import AnonymousUser

    assert not communities_visible_to(user=AnonymousUser()).exists()
    assert not posts_visible_to(user=AnonymousUser()).exists()


def test_hidden_posts_are_not_listed(world):
    post = world["posts"][PUBLIC]
    post.is_hidden = True
    post.save()
    assert not posts_visible_to(user=world["member"]).filter(pk=post.pk).exists()
