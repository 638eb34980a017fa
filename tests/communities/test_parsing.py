"""#topics and @mentions read from Markdown prose, never from code or links."""

import pytest

from communities.models import Membership, Topic
from communities.parsing import (
    extract_mentions,
    extract_topics,
    mentioned_members,
    topics_for,
)
from tests.communities.factories_conversations import PRIVATE, PUBLIC
from tests.factories import UserFactory, make_community, make_member


@pytest.mark.parametrize(
    "body, topics",
    [
        ("Let's talk #remote-work and #OKR", ["remote-work", "okr"]),
        ("#télétravail le vendredi", ["télétravail"]),
        ("Ticket #42 is not a topic, nor is C#", []),
        ("Same #kpi twice #kpi", ["kpi"]),
        ("`#include` and\n\n```\n#define X\n```\n\n    #indented", []),
        ("[#linked](https://acme.example/#anchor) https://acme.example/#frag", []),
        ("# Heading with #agile", ["agile"]),
        ("Trailing dash #ops- here", ["ops"]),
        ("#" + "a" * 65, []),
    ],
)
def test_extract_topics(body, topics):
    assert extract_topics(body) == topics


@pytest.mark.parametrize(
    "body, mentions",
    [
        ("Thanks @camille.martin.", ["camille.martin"]),
        ("@Lucas and @lucas and @ines-b!", ["lucas", "ines-b"]),
        ("mail camille@acme.example please", []),
        ("`@decorator` and [@link](https://x.example)", []),
    ],
)
def test_extract_mentions(body, mentions):
    assert extract_mentions(body) == mentions


@pytest.mark.django_db
def test_topics_are_created_once():
    assert [t.name for t in topics_for("#alpha #beta")] == ["alpha", "beta"]
    assert [t.name for t in topics_for("#beta #gamma")] == ["beta", "gamma"]
    assert Topic.objects.count() == 3


@pytest.mark.django_db
def test_mentions_resolve_to_people_who_can_read_the_community():
    owner = UserFactory()
    public = make_community(owner=owner, visibility=PUBLIC)
    private = make_community(owner=owner, visibility=PRIVATE)
    camille = UserFactory(email="camille.martin@acme.example")
    lucas = UserFactory(email="lucas@acme.example")
    other_lucas = UserFactory(email="lucas@subsidiary.example")
    make_member(private, camille)
    banned = UserFactory(email="troll@acme.example")
    Membership.objects.create(community=public, user=banned, status=Membership.Status.BANNED)
    body = "@camille.martin @lucas @troll @ghost"
    assert mentioned_members(body, community=public) == [camille, lucas, other_lucas]
    assert mentioned_members(body, community=private) == [camille]
    assert mentioned_members("no mentions", community=public) == []
