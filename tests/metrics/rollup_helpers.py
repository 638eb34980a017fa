"""A small participation scenario written through the real services on fixed UTC days,
and readers of the rollup tables as plain dicts, for the rollup tests."""

from datetime import UTC, date, datetime, timedelta

import time_machine

from communities.models import Event, Poll, Post
from communities.services.comments import answer_accept, comment_create
from communities.services.events import rsvp_set
from communities.services.polls import poll_vote
from communities.services.posts import post_read
from communities.services.reactions import reaction_toggle
from metrics.models import CommunityDay, MemberDay
from metrics.services import visit_record
from profiles.recognition.kudos import kudos_give
from tests.communities.factories_conversations import event_data, poll_data
from tests.factories import UserFactory, make_community, make_member, make_post

DAY_1 = date(2026, 3, 2)
DAY_2 = DAY_1 + timedelta(days=1)
DAY_3 = DAY_1 + timedelta(days=2)


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC)


class World(dict):
    def __getattr__(self, name):
        return self[name]


def build_scenario() -> World:
    """Two days of a community (``lyon``, hosted by ``host``) where alice posts and
    asks, bob and carol answer, react, read, vote and praise; on day 2 dave joins and
    posts, and bob opens a second community (``paris``). :data:`EXPECTED_MEMBER_DAYS`
    and :data:`EXPECTED_COMMUNITY_DAYS` are what the rollups must say of it."""
    world = World()

    def step(day, hour, minute=0):
        return time_machine.travel(at(day, hour, minute), tick=False)

    with step(DAY_1, 8):
        world["host"] = UserFactory(display_name="host")
        world["lyon"] = make_community(owner=world.host, name="Lyon")
    with step(DAY_1, 8, 5):
        for name in ("alice", "bob", "carol"):
            world[name] = make_member(world.lyon, UserFactory(display_name=name))
    alice, bob, carol = world.alice, world.bob, world.carol
    with step(DAY_1, 9):
        world["post"] = make_post(world.lyon, author=alice)
    with step(DAY_1, 9, 30):
        first = comment_create(author=bob, post=world.post, body="Agreed")
    with step(DAY_1, 9, 40):
        comment_create(author=alice, post=world.post, body="Thanks")
    with step(DAY_1, 10):
        comment_create(author=carol, post=world.post, body="Yes", parent=first)
    with step(DAY_1, 10, 10):
        reaction_toggle(user=bob, kind="like", post=world.post)
    with step(DAY_1, 10, 20):
        reaction_toggle(user=carol, kind="like", comment=first)
    with step(DAY_1, 11):
        question = make_post(world.lyon, author=alice, kind=Post.Kind.QUESTION, title="How?")
    with step(DAY_1, 13):
        answer = comment_create(author=bob, post=question, body="Like this")
    with step(DAY_1, 13, 30):
        answer_accept(actor=alice, post=question, comment=answer)
    with step(DAY_1, 14):
        post_read(user=carol, post=world.post)
    with step(DAY_1, 14, 10):
        visit_record(user=bob)
    with step(DAY_1, 15):
        kudos_give(giver=alice, recipients=[bob, carol], value="helpful", message="Great help")
    with step(DAY_1, 16):
        world["poll_post"] = make_post(
            world.lyon, author=alice, kind=Post.Kind.POLL, poll=poll_data()
        )
        poll = Poll.objects.get(post=world.poll_post)
    with step(DAY_1, 16, 10):
        poll_vote(voter=bob, poll=poll, option_ids=[poll.options.first().pk])
    with step(DAY_1, 17):
        event_post = make_post(world.lyon, author=alice, kind=Post.Kind.EVENT, event=event_data())
    with step(DAY_1, 17, 10):
        rsvp_set(user=carol, event=Event.objects.get(post=event_post), answer="yes")

    with step(DAY_2, 9):
        world["dave"] = make_member(world.lyon, UserFactory(display_name="dave"))
    with step(DAY_2, 9, 30):
        dave_post = make_post(world.lyon, author=world.dave)
    with step(DAY_2, 10):
        comment_create(author=carol, post=dave_post, body="Welcome")
    with step(DAY_2, 11):
        comment_create(author=bob, post=world.post, body="One more thing")
    with step(DAY_2, 12):
        world["paris"] = make_community(owner=bob, name="Paris")
    with step(DAY_2, 12, 30):
        make_post(world.paris, author=bob)
    return world


def late_first_reply(world: World) -> None:
    """On day 3, carol is the first to answer alice's poll of day 1 (42 hours later)."""
    with time_machine.travel(at(DAY_3, 10), tick=False):
        comment_create(author=world.carol, post=world.poll_post, body="Thursday")


# (member, community or None for the organisation-wide row, day) -> non-zero counters
EXPECTED_MEMBER_DAYS = {
    ("alice", "Lyon", DAY_1): {
        "posts": 4,
        "questions": 1,
        "comments": 1,
        "replies_received": 2,
        "reactions_received": 1,
        "accepted_answers_received": 1,
    },
    ("alice", None, DAY_1): {
        "posts": 4,
        "questions": 1,
        "comments": 1,
        "replies_received": 2,
        "reactions_received": 1,
        "accepted_answers_received": 1,
        "kudos_given": 2,
    },
    ("bob", "Lyon", DAY_1): {
        "comments": 2,
        "replies_to_others": 2,
        "replies_received": 1,
        "reactions_given": 1,
        "reactions_received": 1,
        "accepted_answers_given": 1,
        "polls_voted": 1,
    },
    ("bob", None, DAY_1): {
        "comments": 2,
        "replies_to_others": 2,
        "replies_received": 1,
        "reactions_given": 1,
        "reactions_received": 1,
        "accepted_answers_given": 1,
        "polls_voted": 1,
        "visits": 1,
        "kudos_received": 1,
    },
    ("carol", "Lyon", DAY_1): {
        "comments": 1,
        "replies_to_others": 1,
        "reactions_given": 1,
        "reads": 1,
        "rsvps": 1,
    },
    ("carol", None, DAY_1): {
        "comments": 1,
        "replies_to_others": 1,
        "reactions_given": 1,
        "reads": 1,
        "rsvps": 1,
        "kudos_received": 1,
    },
    ("dave", "Lyon", DAY_2): {"posts": 1, "replies_received": 1},
    ("dave", None, DAY_2): {"posts": 1, "replies_received": 1},
    ("carol", "Lyon", DAY_2): {"comments": 1, "replies_to_others": 1},
    ("carol", None, DAY_2): {"comments": 1, "replies_to_others": 1},
    ("bob", "Lyon", DAY_2): {"comments": 1, "replies_to_others": 1},
    ("bob", "Paris", DAY_2): {"posts": 1},
    ("bob", None, DAY_2): {"comments": 1, "replies_to_others": 1, "posts": 1},
    ("alice", "Lyon", DAY_2): {"replies_received": 1},
    ("alice", None, DAY_2): {"replies_received": 1},
}

# (community, day) -> (active members, new members, content, median first reply seconds)
EXPECTED_COMMUNITY_DAYS = {
    # host created it, alice, bob and carol joined; 4 posts, 4 comments; the post was
    # answered in 30 min, the question in 2 h, the poll and the event not yet.
    ("Lyon", DAY_1): (4, 4, 8, 4500),
    # dave joined and posted (answered in 30 min), carol and bob commented.
    ("Lyon", DAY_2): (3, 1, 3, 1800),
    ("Paris", DAY_2): (1, 1, 1, None),
}


def member_day_table() -> dict:
    """The :class:`MemberDay` rows as in :data:`EXPECTED_MEMBER_DAYS`."""
    table = {}
    for row in MemberDay.objects.select_related("user", "community"):
        key = (row.user.display_name, row.community.name if row.community else None, row.day)
        assert key not in table, f"two rows for {key}"
        table[key] = {
            field: getattr(row, field) for field in MemberDay.COUNTERS if getattr(row, field)
        }
    return table


def community_day_table() -> dict:
    """The :class:`CommunityDay` rows as in :data:`EXPECTED_COMMUNITY_DAYS`."""
    return {
        (row.community.name, row.day): (
            row.active_members,
            row.new_members,
            row.content,
            row.median_first_reply_seconds,
        )
        for row in CommunityDay.objects.select_related("community")
    }


def rollup_tables() -> tuple[dict, dict]:
    return member_day_table(), community_day_table()
