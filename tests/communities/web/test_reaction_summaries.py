"""The reaction buttons members see on the community stream and on a post's page: the
count of each kind, which ones they pressed themselves, and queries that do not grow
with the posts or the reactions."""

from html.parser import HTMLParser

import pytest
from django.urls import reverse

from communities.services.reactions import reaction_toggle
from communities.views import STREAM_PAGE_SIZE
from tests.factories import UserFactory, make_member, make_post

pytestmark = pytest.mark.django_db


class _ReactionButtons(HTMLParser):
    """``{(post id, kind): (count, pressed)}`` for the post reaction buttons of a page."""

    def __init__(self):
        super().__init__()
        self.buttons: dict[tuple[int, str], tuple[int, bool]] = {}
        self._current: tuple[tuple[int, str], bool] | None = None
        self._in_count = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "button" and (attrs.get("id") or "").startswith("react-post-"):
            _, _, post_id, kind = attrs["id"].split("-", 3)
            self._current = ((int(post_id), kind), attrs.get("aria-pressed") == "true")
        elif tag == "span" and self._current and attrs.get("class") == "reaction-count":
            self._in_count = True

    def handle_data(self, data):
        if self._in_count and self._current:
            key, pressed = self._current
            self.buttons[key] = (int(data.strip()), pressed)

    def handle_endtag(self, tag):
        if tag == "span":
            self._in_count = False
        elif tag == "button":
            self._current = None


def reaction_buttons(response) -> dict[tuple[int, str], tuple[int, bool]]:
    assert response.status_code == 200
    parser = _ReactionButtons()
    parser.feed(response.content.decode())
    return parser.buttons


def _stream(community) -> str:
    return reverse("communities:detail", args=[community.slug])


def test_the_stream_shows_each_posts_counts_and_what_i_reacted_with(
    login, owner, member, community
):
    colleague = make_member(community)
    liked = make_post(community, author=owner, title="Liked")
    quiet = make_post(community, author=owner, title="Quiet")
    mine = make_post(community, author=colleague, title="Celebrated")
    reaction_toggle(user=member, kind="like", post=liked)
    reaction_toggle(user=colleague, kind="like", post=liked)
    reaction_toggle(user=colleague, kind="helpful", post=liked)
    reaction_toggle(user=member, kind="celebrate", post=mine)

    buttons = reaction_buttons(login(member).get(_stream(community)))

    assert buttons[(liked.pk, "like")] == (2, True)
    assert buttons[(liked.pk, "helpful")] == (1, False)
    assert buttons[(liked.pk, "celebrate")] == (0, False)
    assert buttons[(mine.pk, "celebrate")] == (1, True)
    assert buttons[(mine.pk, "like")] == (0, False)
    assert all(buttons[(quiet.pk, kind)] == (0, False) for kind in ("like", "support"))


def test_another_member_sees_the_same_counts_but_only_their_own_reactions(
    login, owner, member, community
):
    post = make_post(community, author=owner, title="Shared")
    reaction_toggle(user=member, kind="like", post=post)
    reaction_toggle(user=owner, kind="insightful", post=post)

    seen_by_owner = reaction_buttons(login(owner).get(_stream(community)))

    assert seen_by_owner[(post.pk, "like")] == (1, False)
    assert seen_by_owner[(post.pk, "insightful")] == (1, True)


def test_older_pages_of_the_stream_carry_their_reactions_too(login, owner, member, community):
    oldest = make_post(community, author=owner, title="Oldest")
    for number in range(STREAM_PAGE_SIZE):
        make_post(community, author=owner, title=f"Newer {number}")
    reaction_toggle(user=member, kind="support", post=oldest)
    reaction_toggle(user=owner, kind="support", post=oldest)
    client = login(member)

    first = reaction_buttons(client.get(_stream(community)))
    second = reaction_buttons(client.get(_stream(community), {"page": 2}))

    assert (oldest.pk, "support") not in first
    assert {post_id for post_id, _ in second} == {oldest.pk}
    assert second[(oldest.pk, "support")] == (2, True)


def test_the_post_page_shows_counts_and_what_i_reacted_with(login, owner, member, community):
    post = make_post(community, author=owner, title="Open me")
    reaction_toggle(user=owner, kind="like", post=post)
    reaction_toggle(user=member, kind="like", post=post)
    reaction_toggle(user=member, kind="helpful", post=post)

    buttons = reaction_buttons(login(member).get(reverse("communities:post", args=[post.pk])))

    assert buttons[(post.pk, "like")] == (2, True)
    assert buttons[(post.pk, "helpful")] == (1, True)
    assert buttons[(post.pk, "celebrate")] == (0, False)


def test_pressing_a_reaction_answers_the_updated_buttons(login, owner, member, community):
    post = make_post(community, author=owner, title="Press")
    reaction_toggle(user=owner, kind="celebrate", post=post)
    client = login(member)
    url = reverse("communities:post-react", args=[post.pk])

    pressed = reaction_buttons(client.post(url, {"kind": "celebrate"}, HTTP_HX_REQUEST="true"))
    released = reaction_buttons(client.post(url, {"kind": "celebrate"}, HTTP_HX_REQUEST="true"))

    assert pressed[(post.pk, "celebrate")] == (2, True)
    assert released[(post.pk, "celebrate")] == (1, False)


def _react_to_all(community, posts, reactors):
    for post in posts:
        for index, reactor in enumerate(reactors):
            reaction_toggle(user=reactor, kind="like" if index % 2 else "helpful", post=post)


def test_stream_queries_do_not_grow_with_reacted_posts(
    client, login, owner, member, community, count_queries, django_assert_num_queries
):
    reactors = [make_member(community) for _ in range(3)]
    login(member)
    url = _stream(community)
    posts = [make_post(community, author=owner, title="Post 0")]
    _react_to_all(community, posts, [*reactors, member])
    at_one = count_queries(url)
    more = [make_post(community, author=owner, title=f"Post {n}") for n in range(1, 20)]
    _react_to_all(community, more, reactors)

    with django_assert_num_queries(at_one):
        response = client.get(url)

    buttons = reaction_buttons(response)
    assert len({post_id for post_id, _ in buttons}) == 20
    assert buttons[(posts[0].pk, "like")] == (2, True)
    assert all(buttons[(post.pk, "helpful")] == (2, False) for post in more)


def test_post_page_queries_do_not_grow_with_its_reactions(
    client, login, owner, member, community, count_queries, django_assert_num_queries
):
    post = make_post(community, author=owner, title="Popular")
    reaction_toggle(user=owner, kind="like", post=post)
    login(member)
    url = reverse("communities:post", args=[post.pk])
    at_one = count_queries(url)
    for _ in range(19):
        reaction_toggle(user=make_member(community, UserFactory()), kind="like", post=post)

    with django_assert_num_queries(at_one):
        response = client.get(url)

    assert reaction_buttons(response)[(post.pk, "like")] == (20, False)
