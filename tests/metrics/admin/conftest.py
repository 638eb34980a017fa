"""A small community with known figures, on either side of the scoping line.

Today is Tuesday 8 December 2026: the figures run up to Monday the 7th (the last whole
UTC day); the latest weekly evaluation is Sunday the 6th, the one four weeks before it
Sunday 8 November.

"Alpha Guild" (managed by ``cm``) has six active members: its owner, ``cm``, and four
whose days and labels are set directly:

======  ==================================  ==========  ===========
member  rollup rows in Alpha                 8 November  6 December
======  ==================================  ==========  ===========
Alice   a post on 1 and 7 December          new         enthusiast
Bob     a comment on 5 December             shy         pragmatic
Chloe   3 posts read on 20 November         shy         shy
Dan     nothing                             indifferent jaded
======  ==================================  ==========  ===========

"Beta Circle" is secret: ``cm`` is a plain member there.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime

import pytest
import time_machine

from communities.models import Community, Membership
from metrics.models import MemberDay, ProfileLabel
from metrics.profile_labels import type_weeks_write
from tests.factories import UserFactory, make_community, make_member

NOW = datetime(2026, 12, 8, 10, 0, tzinfo=UTC)
LATEST = date(2026, 12, 6)
EARLIER = date(2026, 11, 8)


@pytest.fixture(autouse=True)
def frozen_now():
    with time_machine.travel(NOW, tick=False):
        yield


@dataclass
class Alpha:
    community: Community
    owner: object
    alice: object
    bob: object
    chloe: object
    dan: object


def label(user, community, week, type, since=None, reasons=("a reason",)):
    return ProfileLabel.objects.create(
        user=user,
        community=community,
        week=week,
        computed_type=type,
        type=type,
        since=since or week,
        reasons=list(reasons),
    )


def labels_write(community, week, types: dict):
    """The labels of one evaluation and its weekly figures (through the service)."""
    for user, type in types.items():
        label(user, community, week, type)
    type_weeks_write(
        as_of=week,
        community_id=community.pk if community else None,
        types={user.pk: type for user, type in types.items()},
    )


@pytest.fixture
def cm(db):
    return UserFactory(email="carla.cm@acme.example", display_name="Carla CM", is_staff=True)


@pytest.fixture
def alpha(cm):
    return build_alpha(cm)


def build_alpha(cm) -> Alpha:
    owner = UserFactory(email="olga.owner@acme.example", display_name="Olga Owner")
    community = make_community(owner=owner, name="Alpha Guild")
    make_member(community, cm, role=Membership.Role.MANAGER)
    people = {
        name: make_member(
            community,
            UserFactory(email=f"{name.lower()}@acme.example", display_name=f"{name} Alpha"),
        )
        for name in ("Alice", "Bob", "Chloe", "Dan")
    }
    alice, bob, chloe, dan = people.values()
    for user, day, counters in (
        (alice, date(2026, 12, 1), {"posts": 1}),
        (alice, date(2026, 12, 7), {"posts": 1, "reads": 2}),
        (bob, date(2026, 12, 5), {"comments": 1, "replies_to_others": 1}),
        (chloe, date(2026, 11, 20), {"reads": 3}),
    ):
        MemberDay.objects.create(user=user, community=community, day=day, **counters)
    labels_write(community, EARLIER, {alice: "new", bob: "shy", chloe: "shy", dan: "indifferent"})
    labels_write(
        community, LATEST, {alice: "enthusiast", bob: "pragmatic", chloe: "shy", dan: "jaded"}
    )
    return Alpha(community=community, owner=owner, alice=alice, bob=bob, chloe=chloe, dan=dan)


@pytest.fixture
def beta(cm):
    owner = UserFactory(email="beta.owner@acme.example", display_name="Beta Owner")
    community = make_community(
        owner=owner, name="Beta Circle", visibility=Community.Visibility.SECRET
    )
    make_member(community, cm)
    member = make_member(community, UserFactory(display_name="Beta Member"))
    MemberDay.objects.create(user=member, community=community, day=date(2026, 12, 7), posts=4)
    labels_write(community, LATEST, {member: "show_off"})
    return community


@pytest.fixture
def superuser(db):
    return UserFactory(email="root@acme.example", is_staff=True, is_superuser=True)
