"""The conversation pages: list and search, starting, reading and replying (htmx),
leaving, adding people, the navigation badge and who may see what."""

import re
from datetime import UTC, datetime

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from notifications.models import Conversation, ConversationMember, Message, Notification
from notifications.services.conversations import (
    conversation_leave,
    conversation_start,
    message_send,
)
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def alice():
    return UserFactory(display_name="Alice Archer")


@pytest.fixture
def bob():
    return UserFactory(display_name="Bob Baker", job_title="Designer")


@pytest.fixture
def chloe():
    return UserFactory(display_name="Chloé Carter")


@pytest.fixture
def group(alice, bob, chloe):
    return conversation_start(
        creator=alice, participant_ids=[bob.pk, chloe.pk], title="Roadmap", body="Kick-off"
    ).conversation


@pytest.fixture
def as_user(client):
    def login(user):
        client.force_login(user)
        return client

    return login


def _url(name, *args):
    return reverse(f"notifications:{name}", args=args)


# The list ------------------------------------------------------------------------------


def test_the_list_shows_my_conversations_with_unread_markers(as_user, alice, bob, group):
    direct = conversation_start(creator=bob, participant_ids=[alice.pk], body="Psst").conversation
    conversation_start(creator=bob, participant_ids=[UserFactory().pk], body="Not for Alice")

    response = as_user(alice).get(_url("conversations"))

    assert response.status_code == 200
    page = response.content.decode()
    assert page.index("Bob Baker") < page.index("Roadmap")  # latest activity first
    assert "Psst" in page and "Kick-off" in page
    assert "Not for Alice" not in page
    assert page.count('tag--unread">1 unread') == 1  # only the 1:1 has a message by someone else
    assert f'href="{_url("conversation", direct.pk)}"' in page
    assert f'href="{_url("conversation-new")}"' in page


def test_the_list_searches_my_conversations(as_user, alice, bob, group):
    conversation_start(creator=alice, participant_ids=[bob.pk], body="Lunch at noon?")

    found = as_user(alice).get(_url("conversations"), {"q": "LUNCH"}).content.decode()
    fragment = as_user(alice).get(
        _url("conversations"), {"q": "roadmap"}, HTTP_HX_TARGET="conversation-results", **HTMX
    )
    none = as_user(alice).get(_url("conversations"), {"q": "zzz"}).content.decode()

    assert "Lunch at noon?" in found and "Kick-off" not in found
    assert "<html" not in fragment.content.decode()
    assert "Kick-off" in fragment.content.decode()
    assert "None of your conversations matches" in none


def test_the_list_needs_a_login(client):
    response = client.get(_url("conversations"))

    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_the_list_costs_the_same_queries_for_one_and_many(as_user):
    def build(count):
        me = UserFactory()
        for index in range(count):
            others = [UserFactory().pk, UserFactory().pk]
            conversation_start(
                creator=me, participant_ids=others[: 1 + index % 2], body=f"Hello {index}"
            )
        return me

    def cost(user):
        client = as_user(user)
        client.get(_url("conversations"))
        with CaptureQueriesContext(connection) as context:
            assert client.get(_url("conversations")).status_code == 200
        return len(context)

    assert cost(build(1)) == cost(build(12))


# The navigation badge ------------------------------------------------------------------


def test_the_navigation_shows_messages_with_the_unread_count(as_user, alice, bob, group):
    conversation_start(creator=bob, participant_ids=[alice.pk], body="Psst")

    bobs_page = as_user(bob).get(reverse("home")).content.decode()
    link = re.search(r'<a href="/conversations/" class="nav-messages"[^>]*>(.*?)</a>', bobs_page)

    assert link is not None
    assert 'class="nav-count">1<' in link.group(1)
    assert "> conversation with unread messages</span>" in link.group(1)
    alices_page = as_user(alice).get(reverse("home")).content.decode()
    assert 'class="nav-count">1<' in alices_page  # Bob's 1:1 message


def test_the_navigation_badge_is_absent_when_all_is_read_and_for_visitors(client, as_user, bob):
    page = as_user(bob).get(reverse("home")).content.decode()
    assert 'class="nav-messages"' in page
    assert "nav-count" not in page

    client.logout()
    assert 'class="nav-messages"' not in client.get(reverse("home")).content.decode()


def test_the_navigation_badge_costs_one_query(rf, alice, bob, group):
    from django.template import Context, Template

    request = rf.get("/")
    request.user = bob
    template = Template("{% load conversation_tags %}{% conversations_nav_link %}")
    with CaptureQueriesContext(connection) as context:
        html = template.render(Context({"request": request, "user": bob}))

    assert len(context) == 1
    assert 'class="nav-count">1<' in html


# Starting ------------------------------------------------------------------------------


def test_to_preselects_a_colleague_and_sending_opens_the_conversation(as_user, alice, bob):
    page = as_user(alice).get(_url("conversation-new"), {"to": bob.pk}).content.decode()

    checkbox = re.search(rf'<input[^>]*value="{bob.pk}"[^>]*>', page)
    assert checkbox is not None and "checked" in checkbox.group(0)
    assert "Bob Baker (Designer" in page
    assert '<label for="people-find">' in page

    response = as_user(alice).post(
        _url("conversation-new"), {"participants": [bob.pk], "body": "Hello **Bob**"}
    )

    conversation = Conversation.objects.get()
    message = Message.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"{_url('conversation', conversation.pk)}#message-{message.pk}"
    assert message.body_html == "<p>Hello <strong>Bob</strong></p>\n"
    assert list(Notification.objects.values_list("recipient_id", flat=True)) == [bob.pk]


def test_searching_colleagues_keeps_what_was_chosen_and_written(as_user, alice, bob, chloe):
    response = as_user(alice).post(
        _url("conversation-new"),
        {
            "action": "search",
            "find": "chlo",
            "participants": [bob.pk],
            "title": "Plans",
            "body": "Draft",
        },
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert not Conversation.objects.exists()
    bob_box = re.search(rf'<input[^>]*value="{bob.pk}"[^>]*>', page).group(0)
    chloe_box = re.search(rf'<input[^>]*value="{chloe.pk}"[^>]*>', page).group(0)
    assert "checked" in bob_box and "checked" not in chloe_box
    assert 'value="Plans"' in page and "Draft</textarea>" in page
    assert f'value="{alice.pk}"' not in page  # never yourself


def test_a_group_can_be_started_from_the_form(as_user, alice, bob, chloe):
    response = as_user(alice).post(
        _url("conversation-new"),
        {"participants": [bob.pk, chloe.pk], "title": "Launch", "body": "Go"},
    )

    conversation = Conversation.objects.get()
    assert response.status_code == 302
    assert conversation.is_group and conversation.title == "Launch"


@pytest.mark.parametrize(
    ("case", "error"),
    [
        ("empty body", "Write something first: the text is empty."),
        ("nobody", "Choose at least one colleague."),
        ("unknown", "is not a colleague you can choose"),
        ("inactive", "is not a colleague you can choose"),
        ("too many", "A conversation has at most 20 people, you included (21 here)."),
    ],
)
def test_bad_input_shows_form_errors_and_creates_nothing(as_user, alice, bob, case, error):
    data = {"participants": [bob.pk], "body": "Hi"}
    if case == "empty body":
        data["body"] = "  "
    elif case == "nobody":
        data["participants"] = []
    elif case == "unknown":
        data["participants"] = [bob.pk, 999999]
    elif case == "inactive":
        data["participants"] = [UserFactory(is_active=False).pk]
    elif case == "too many":
        data["participants"] = [UserFactory().pk for _ in range(20)]

    response = as_user(alice).post(_url("conversation-new"), data)

    assert response.status_code == 400
    assert error in response.content.decode()
    assert not Conversation.objects.exists() and not Message.objects.exists()


# Reading and replying ------------------------------------------------------------------


def test_opening_a_conversation_shows_it_and_marks_it_read(as_user, bob, group):
    assert Notification.objects.get(recipient=bob).read_at is None

    response = as_user(bob).get(_url("conversation", group.pk))

    page = response.content.decode()
    assert response.status_code == 200
    assert "<h1>Roadmap</h1>" in page
    assert "Kick-off" in page and "message-item--new" in page
    assert "Alice Archer" in page and "Chloé Carter" in page
    assert 'aria-live="polite"' in page and 'id="reply-form"' in page
    assert "Leave the conversation" in page
    assert Notification.objects.get(recipient=bob).read_at is not None
    member = ConversationMember.objects.get(conversation=group, user=bob)
    assert member.last_read_at >= group.messages.get().created_at
    # Read: the second visit has nothing new.
    assert (
        "message-item--new" not in as_user(bob).get(_url("conversation", group.pk)).content.decode()
    )


def test_message_times_are_shown_in_the_readers_time_zone(as_user, alice, bob):
    bob.time_zone = "Asia/Tokyo"
    bob.save()
    with time_machine.travel(datetime(2026, 1, 5, 10, 0, tzinfo=UTC), tick=False):
        direct = conversation_start(
            creator=alice, participant_ids=[bob.pk], body="Morning"
        ).conversation

    page = as_user(bob).get(_url("conversation", direct.pk)).content.decode()

    assert 'datetime="2026-01-05T19:00:00+09:00"' in page


def test_a_reply_with_htmx_is_appended_with_a_fresh_form(as_user, bob, group):
    first = group.messages.get()

    response = as_user(bob).post(
        _url("conversation-messages", group.pk), {"body": "On *it*", "after": first.pk}, **HTMX
    )

    page = response.content.decode()
    message = Message.objects.latest("id")
    assert response.status_code == 200
    assert page.lstrip().startswith(f'<li id="message-{message.pk}"')
    assert "<p>On <em>it</em></p>" in page
    assert 'id="reply-form" class="reply-form" hx-swap-oob="true"' in page
    assert f'name="after" value="{message.pk}"' in page
    assert "Kick-off" not in page  # only what is new


def test_an_empty_reply_with_htmx_shows_the_error_in_the_form(as_user, bob, group):
    response = as_user(bob).post(_url("conversation-messages", group.pk), {"body": " "}, **HTMX)

    assert response.status_code == 400
    assert response["HX-Retarget"] == "#reply-form"
    assert response["HX-Reswap"] == "outerHTML"
    page = response.content.decode()
    assert "Write something first: the text is empty." in page
    assert 'aria-invalid="true"' in page
    assert group.messages.count() == 1


def test_a_reply_without_javascript_reloads_the_page_at_the_message(as_user, bob, group):
    response = as_user(bob).post(_url("conversation-messages", group.pk), {"body": "Plain"})
    too_long = as_user(bob).post(_url("conversation-messages", group.pk), {"body": "x" * 5001})

    message = Message.objects.get(body="Plain")
    assert response.status_code == 302
    assert response["Location"] == f"{_url('conversation', group.pk)}#message-{message.pk}"
    assert too_long.status_code == 400
    assert "The text is too long" in too_long.content.decode()


def test_the_poller_brings_newer_messages_and_nothing_when_there_are_none(
    as_user, alice, bob, group
):
    first = group.messages.get()
    client = as_user(bob)

    nothing = client.get(_url("conversation-messages", group.pk), {"after": first.pk}, **HTMX)
    newer = message_send(author=alice, conversation=group, body="Any news?")
    some = client.get(_url("conversation-messages", group.pk), {"after": first.pk}, **HTMX)
    plain = client.get(_url("conversation-messages", group.pk))

    assert nothing.status_code == 204
    assert some.status_code == 200
    assert f'id="message-{newer.pk}"' in some.content.decode()
    assert "Kick-off" not in some.content.decode()
    assert Notification.objects.get(recipient=bob).read_at is not None
    assert plain.status_code == 302


def test_earlier_messages_are_on_a_page_of_their_own(as_user, alice, bob, group):
    for number in range(55):
        Message.objects.create(conversation=group, author=alice, body=f"m{number}", body_html="")

    latest = as_user(bob).get(_url("conversation", group.pk)).content.decode()
    link = re.search(r'\?before=(\d+)">Show earlier messages', latest)
    earlier = as_user(bob).get(_url("conversation", group.pk), {"before": link.group(1)})

    assert latest.count('<li id="message-') == 50
    assert "Kick-off" in earlier.content.decode()
    assert "Back to the latest messages" in earlier.content.decode()


# Leaving and adding people -------------------------------------------------------------


def test_leaving_a_group_takes_me_back_to_my_list(as_user, alice, chloe, group):
    response = as_user(chloe).post(_url("conversation-leave", group.pk), follow=True)

    assert response.redirect_chain[-1][0] == _url("conversations")
    assert "You left “Roadmap”." in response.content.decode()
    assert as_user(chloe).get(_url("conversation", group.pk)).status_code == 404
    alices = as_user(alice).get(_url("conversation", group.pk)).content.decode()
    assert "Chloé Carter left" in alices


def test_a_direct_conversation_cannot_be_left_and_says_so(as_user, alice, bob):
    direct = conversation_start(creator=alice, participant_ids=[bob.pk], body="Hi").conversation

    page = as_user(alice).get(_url("conversation", direct.pk)).content.decode()
    response = as_user(alice).post(_url("conversation-leave", direct.pk), follow=True)

    assert "Leave the conversation" not in page
    assert "You cannot leave a direct conversation." in response.content.decode()
    assert not ConversationMember.objects.filter(left_at__isnull=False).exists()


def test_people_can_be_added_to_a_group(as_user, alice, group):
    dan = UserFactory(display_name="Dan Doe")

    search = as_user(alice).post(
        _url("conversation-people", group.pk), {"action": "search", "find": "dan"}
    )
    added = as_user(alice).post(_url("conversation-people", group.pk), {"participants": [dan.pk]})
    nobody = as_user(alice).post(_url("conversation-people", group.pk), {"participants": []})

    assert "Dan Doe" in search.content.decode()
    assert (
        "Alice Archer"
        not in re.sub(r"<h1>.*?</h1>", "", search.content.decode()).split('id="people-choices"')[1]
    )
    assert added.status_code == 302
    assert ConversationMember.objects.filter(conversation=group, user=dan).exists()
    assert nobody.status_code == 400
    assert "Choose at least one colleague." in nobody.content.decode()


# Who may see what ----------------------------------------------------------------------

PAGES = {
    "conversation": ("get", "conversation", {}),
    "reply": ("post", "conversation-messages", {"body": "Me too"}),
    "poll": ("get", "conversation-messages", {"after": 0}),
    "leave": ("post", "conversation-leave", {}),
    "people": ("get", "conversation-people", {}),
}


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("role", ["participant", "left", "outsider", "staff", "superuser"])
def test_only_active_participants_may_open_a_conversation(as_user, bob, chloe, group, role, page):
    conversation_leave(user=chloe, conversation=group)
    user = {
        "participant": bob,
        "left": chloe,
        "outsider": UserFactory(),
        "staff": UserFactory(is_staff=True),
        "superuser": UserFactory(is_staff=True, is_superuser=True),
    }[role]
    method, name, data = PAGES[page]

    response = getattr(as_user(user), method)(_url(name, group.pk), data, **HTMX)

    if role == "participant":
        assert response.status_code in (200, 204, 302)  # leaving redirects to the list
    else:
        assert response.status_code == 404
        assert group.messages.count() == 1
        assert "Kick-off" not in response.content.decode()


def test_staff_see_none_of_the_conversations_in_their_list(as_user, group):
    root = UserFactory(is_staff=True, is_superuser=True)

    page = as_user(root).get(_url("conversations")).content.decode()

    assert "Roadmap" not in page and "No conversation yet" in page


# The profile page ----------------------------------------------------------------------


def test_other_members_profiles_offer_to_send_a_message(as_user, alice, bob):
    others = as_user(alice).get(reverse("profiles:detail", args=[bob.pk])).content.decode()
    mine = as_user(alice).get(reverse("profiles:detail", args=[alice.pk])).content.decode()

    link = f'href="{_url("conversation-new")}?to={bob.pk}"'
    assert link in others and "Send a message" in others
    assert "Send a message" not in mine
