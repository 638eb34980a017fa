import json

import factory
from django.test import Client

from communities.models import Community, Membership, Post
from communities.services.communities import community_create
from communities.services.memberships import membership_add
from communities.services.posts import post_create
from profiles.models import User

PASSWORD = "correct-horse-battery-staple"


def app_session_token(user) -> str:
    """A mobile app's allauth session token for ``user`` (headless app login)."""
    response = Client().post(
        "/_allauth/app/v1/auth/login",
        data=json.dumps({"email": user.email, "password": PASSWORD}),
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    return response.json()["meta"]["session_token"]


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"member{n}@acme.example")
    display_name = factory.Sequence(lambda n: f"Member {n}")
    department = "Engineering"
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def saved(obj, create, extracted, **kwargs):
        if create:
            obj.save()


def make_community(*, owner=None, visibility=Community.Visibility.PUBLIC, name=None, **kwargs):
    owner = owner or UserFactory()
    name = name or f"Community {Community.objects.count() + 1}"
    return community_create(creator=owner, name=name, visibility=visibility, **kwargs)


def make_member(community, user=None, role=Membership.Role.MEMBER):
    user = user or UserFactory()
    membership_add(community=community, user=user, role=role)
    return user


def make_post(community, author=None, **kwargs) -> Post:
    author = author or community.memberships.first().user
    kwargs.setdefault("title", "A post")
    kwargs.setdefault("body", "Some *markdown*.")
    return post_create(author=author, community=community, **kwargs)
