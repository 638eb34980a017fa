"""The conversations API: shapes, bad input, who may do what, query counts."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from notifications.models import Conversation, ConversationMember, Message, Notification
from notifications.services.conversations import (
    conversation_leave,
    conversation_start,
    message_send,
)
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/conversations/"


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def people():
    return {
        "alice": UserFactory(display_name="Alice Archer", job_title="Lead"),
        "bob": UserFactory(display_name="Bob Baker"),
        "chloe": UserFactory(display_name="Chloé Carter"),
    }


@pytest.fixture
def group(people):
    return conversation_start(
        creator=people["alice"],
        participant_ids=[people["bob"].pk, people["chloe"].pk],
        title="Roadmap",
        body="Kick-off on **Monday**",
    ).conversation


# Starting ------------------------------------------------------------------------------


def test_starting_a_group_answers_201_with_the_conversation_and_the_message(people):
    alice, bob, chloe = people["alice"], people["bob"], people["chloe"]

    response = client_for(alice).post(
        URL,
        {"participants": [bob.pk, chloe.pk], "title": "Launch", "body": "Hello *team*"},
        format="json",
    )

    assert response.status_code == 201, response.content
    body = response.json()
    conversation = Conversation.objects.get()
    assert body["id"] == conversation.pk
    assert body["name"] == "Launch" and body["title"] == "Launch" and body["is_group"] is True
    assert [p["display_name"] for p in body["participants"]] == [
        "Alice Archer",
        "Bob Baker",
        "Chloé Carter",
    ]
    assert body["participants"][0] == {
        "id": alice.pk,
        "display_name": "Alice Archer",
        "job_title": "Lead",
        "department": "Engineering",
    }
    assert body["unread_count"] == 0 and body["has_unread"] is False
    assert body["former_participants"] == []
    assert body["message"]["body"] == "Hello *team*"
    assert body["message"]["body_html"] == "<p>Hello <em>team</em></p>\n"
    assert body["message"]["author"]["id"] == alice.pk
    assert body["last_message"] == {
        "id": body["message"]["id"],
        "author_id": alice.pk,
        "author_name": "Alice Archer",
        "preview": "Hello team",
        "created_at": body["message"]["created_at"],
    }


def test_starting_an_existing_one_to_one_answers_200_with_the_new_message(people):
    alice, bob = people["alice"], people["bob"]
    first = client_for(alice).post(URL, {"participants": [bob.pk], "body": "Hi"}, format="json")

    again = client_for(bob).post(URL, {"participants": [alice.pk], "body": "Hey"}, format="json")

    assert first.status_code == 201
    assert again.status_code == 200
    assert again.json()["id"] == first.json()["id"]
    assert again.json()["name"] == "Alice Archer"  # as Bob sees it
    assert first.json()["name"] == "Bob Baker"
    assert again.json()["message"]["body"] == "Hey"
    assert Conversation.objects.count() == 1 and Message.objects.count() == 2


@pytest.mark.parametrize(
    ("payload", "field", "message"),
    [
        ({"participants": "abc", "body": "Hi"}, "participants", "Expected a list of items"),
        ({"participants": 3, "body": "Hi"}, "participants", "Expected a list of items"),
        ({"participants": [], "body": "Hi"}, "participants", "This list may not be empty."),
        ({"participants": ["x"], "body": "Hi"}, "participants", "must be a member id"),
        ({"participants": [-3], "body": "Hi"}, "participants", "must be a member id"),
        ({"participants": "SELF", "body": "Hi"}, "participants", "yourself alone"),
        ({"participants": "UNKNOWN", "body": "Hi"}, "participants", "do not exist"),
        ({"participants": "INACTIVE", "body": "Hi"}, "participants", "account is closed"),
        ({"participants": "TWENTY_ONE", "body": "Hi"}, "participants", "at most 20 people"),
        ({"participants": "BOB", "body": ""}, "body", "the text is empty"),
        ({"participants": "BOB", "body": "   "}, "body", "the text is empty"),
        ({"participants": "BOB"}, "body", "This field is required."),
        ({"participants": "BOB", "body": "x" * 5001}, "body", "too long"),
        ({"participants": "GROUP", "body": "Hi", "title": "t" * 121}, "title", "no more than"),
    ],
)
def test_bad_input_answers_400_with_the_field_and_creates_nothing(people, payload, field, message):
    alice, bob, chloe = people["alice"], people["bob"], people["chloe"]
    inactive = UserFactory(is_active=False)
    many = [UserFactory().pk for _ in range(20)]
    placeholders = {
        "SELF": [alice.pk],
        "UNKNOWN": [bob.pk, 987654],
        "INACTIVE": [inactive.pk],
        "TWENTY_ONE": many,
        "BOB": [bob.pk],
        "GROUP": [bob.pk, chloe.pk],
    }
    payload = dict(payload)
    if isinstance(payload.get("participants"), str) and payload["participants"] in placeholders:
        payload["participants"] = placeholders[payload["participants"]]

    response = client_for(alice).post(URL, payload, format="json")

    assert response.status_code == 400, response.content
    assert message in " ".join(response.json()[field])
    assert not Conversation.objects.exists()
    assert not Message.objects.exists()
    assert not Notification.objects.exists()


# Reading ------------------------------------------------------------------------------


def test_the_list_shows_my_conversations_latest_first_with_unread_counts(people, group):
    alice, bob, chloe = people["alice"], people["bob"], people["chloe"]
    direct = conversation_start(creator=chloe, participant_ids=[bob.pk], body="Psst").conversation
    conversation_start(creator=alice, participant_ids=[chloe.pk], body="Not Bob's")

    response = client_for(bob).get(URL)

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    assert [c["id"] for c in body["results"]] == [direct.pk, group.pk]
    first, second = body["results"]
    assert first["name"] == "Chloé Carter" and first["is_group"] is False
    assert first["unread_count"] == 1 and first["has_unread"] is True
    assert first["last_message"]["preview"] == "Psst"
    assert second["last_message"]["preview"] == "Kick-off on Monday"
    assert second["last_message"]["author_name"] == "Alice Archer"


def test_the_list_searches_only_my_conversations(people, group):
    alice, bob, chloe = people["alice"], people["bob"], people["chloe"]
    conversation_start(creator=chloe, participant_ids=[alice.pk], body="monday again")

    bobs = client_for(bob).get(URL, {"q": "MONDAY"}).json()
    alices = client_for(alice).get(URL, {"q": "monday"}).json()
    nothing = client_for(bob).get(URL, {"q": "no such words"}).json()

    assert [c["id"] for c in bobs["results"]] == [group.pk]
    assert alices["count"] == 2
    assert nothing["count"] == 0


def test_messages_come_newest_first_with_a_cursor(people, group):
    alice, bob = people["alice"], people["bob"]
    api = client_for(bob)
    for number in range(3):
        api.post(f"{URL}{group.pk}/messages/", {"body": f"Reply {number}"}, format="json")

    first = api.get(f"{URL}{group.pk}/messages/", {"page_size": 2}).json()
    second = api.get(first["next"]).json()

    assert [m["body"] for m in first["results"]] == ["Reply 2", "Reply 1"]
    assert [m["body"] for m in second["results"]] == ["Reply 0", "Kick-off on **Monday**"]
    assert second["results"][1]["author"]["id"] == alice.pk
    assert second["next"] is None


def test_sending_a_message_answers_201_and_empty_ones_400(people, group):
    api = client_for(people["bob"])

    sent = api.post(f"{URL}{group.pk}/messages/", {"body": "On it"}, format="json")
    empty = api.post(f"{URL}{group.pk}/messages/", {"body": " "}, format="json")
    missing = api.post(f"{URL}{group.pk}/messages/", {}, format="json")

    assert sent.status_code == 201
    assert sent.json()["body_html"] == "<p>On it</p>\n"
    assert sent.json()["conversation_id"] == group.pk
    assert sent.json()["author"]["id"] == people["bob"].pk
    assert empty.status_code == 400
    assert empty.json()["body"] == ["Write something first: the text is empty."]
    assert missing.status_code == 400 and "body" in missing.json()
    assert Message.objects.count() == 2


def test_reading_clears_the_unread_state_and_the_notifications(people, group):
    bob = people["bob"]
    api = client_for(bob)
    assert api.get(f"{URL}{group.pk}/").json()["unread_count"] == 1  # GET changes nothing
    assert api.get(f"{URL}{group.pk}/").json()["unread_count"] == 1

    response = api.post(f"{URL}{group.pk}/read/")

    assert response.status_code == 204
    assert api.get(f"{URL}{group.pk}/").json()["unread_count"] == 0
    assert not Notification.objects.filter(recipient=bob, read_at__isnull=True).exists()


def test_leaving_a_group_answers_204_and_a_direct_conversation_400(people, group):
    alice, bob = people["alice"], people["bob"]
    direct = conversation_start(creator=alice, participant_ids=[bob.pk], body="Hi").conversation
    api = client_for(bob)

    left = api.post(f"{URL}{group.pk}/leave/")
    refused = api.post(f"{URL}{direct.pk}/leave/")

    assert left.status_code == 204
    assert api.get(f"{URL}{group.pk}/").status_code == 404
    assert refused.status_code == 400
    assert refused.json()["detail"] == "You cannot leave a direct conversation."
    assert refused.json()["non_field_errors"] == ["You cannot leave a direct conversation."]
    detail = client_for(alice).get(f"{URL}{group.pk}/").json()
    assert [p["user"]["id"] for p in detail["former_participants"]] == [bob.pk]
    assert bob.pk not in [p["id"] for p in detail["participants"]]


def test_adding_people_answers_the_conversation_or_400(people, group):
    alice = people["alice"]
    dan, eve = UserFactory(display_name="Dan Doe"), UserFactory()
    api = client_for(alice)

    added = api.post(f"{URL}{group.pk}/participants/", {"participants": [dan.pk]}, format="json")
    unknown = api.post(f"{URL}{group.pk}/participants/", {"participants": [5555]}, format="json")
    not_list = api.post(f"{URL}{group.pk}/participants/", {"participants": eve.pk}, format="json")

    assert added.status_code == 200
    assert "Dan Doe" in [p["display_name"] for p in added.json()["participants"]]
    assert unknown.status_code == 400 and "5555" in unknown.json()["participants"][0]
    assert not_list.status_code == 400 and "participants" in not_list.json()
    assert not ConversationMember.objects.filter(user=eve).exists()


# Who may do what -----------------------------------------------------------------------

ACTIONS = {
    "detail": ("get", "{id}/", None, 200),
    "messages": ("get", "{id}/messages/", None, 200),
    "send": ("post", "{id}/messages/", {"body": "Me too"}, 201),
    "read": ("post", "{id}/read/", None, 204),
    "participants": ("post", "{id}/participants/", {"participants": ["NEWCOMER"]}, 200),
    "leave": ("post", "{id}/leave/", None, 204),
}
ROLES = ["participant", "left", "outsider", "staff", "superuser"]


@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("role", ROLES)
def test_only_active_participants_may_do_anything_in_a_conversation(people, group, role, action):
    chloe = people["chloe"]
    conversation_leave(user=chloe, conversation=group)
    user = {
        "participant": people["bob"],
        "left": chloe,
        "outsider": UserFactory(),
        "staff": UserFactory(is_staff=True),
        "superuser": UserFactory(is_staff=True, is_superuser=True),
    }[role]
    method, path, payload, allowed_status = ACTIONS[action]
    if payload and payload.get("participants") == ["NEWCOMER"]:
        payload = {"participants": [UserFactory().pk]}
    messages_before = Message.objects.count()

    response = getattr(client_for(user), method)(
        URL + path.format(id=group.pk), payload, format="json"
    )

    if role == "participant":
        assert response.status_code == allowed_status, response.content
    else:
        assert response.status_code == 404, response.content
        assert response.json()["detail"] == "This conversation does not exist."
        assert Message.objects.count() == messages_before
        assert list(client_for(user).get(URL).json()["results"]) == []


def test_anonymous_requests_are_refused(group):
    assert APIClient().get(URL).status_code in (401, 403)
    assert APIClient().get(f"{URL}{group.pk}/messages/").status_code in (401, 403)


def test_unknown_and_huge_ids_answer_404(people):
    api = client_for(people["alice"])

    assert api.get(f"{URL}999999/").status_code == 404
    assert api.get(f"{URL}{2**70}/messages/").status_code == 404


# Query counts --------------------------------------------------------------------------


def _conversations(count):
    me = UserFactory()
    for index in range(count):
        others = [UserFactory(), UserFactory()]
        conversation_start(
            creator=others[0] if index % 2 else me,
            participant_ids=[me.pk, others[1].pk] if index % 2 else [o.pk for o in others],
            title=f"Topic {index}",
            body=f"Message {index}",
        )
    return me


def _messages(count):
    me, other = UserFactory(), UserFactory()
    conversation = conversation_start(
        creator=me, participant_ids=[other.pk], body="First"
    ).conversation
    for index in range(count - 1):
        message_send(author=other if index % 2 else me, conversation=conversation, body=f"{index}")
    return me, conversation


def _count(api, url) -> tuple[int, dict]:
    """Queries of a GET of ``url`` once caches are warm, and the body."""
    api.get(url)
    with CaptureQueriesContext(connection) as context:
        response = api.get(url)
    assert response.status_code == 200
    return len(context), response.json()


def test_the_conversation_list_costs_the_same_for_one_and_twenty():
    small, large = _conversations(1), _conversations(20)

    small_count, small_body = _count(client_for(small), URL)
    large_count, large_body = _count(client_for(large), URL)

    assert len(small_body["results"]) == 1 and len(large_body["results"]) == 20
    assert small_count == large_count


def test_the_message_list_costs_the_same_for_one_and_twenty():
    small_user, small = _messages(1)
    large_user, large = _messages(20)

    small_count, small_body = _count(client_for(small_user), f"{URL}{small.pk}/messages/")
    large_count, large_body = _count(client_for(large_user), f"{URL}{large.pk}/messages/")

    assert len(small_body["results"]) == 1 and len(large_body["results"]) == 20
    assert small_count == large_count
