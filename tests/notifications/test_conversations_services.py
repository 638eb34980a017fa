"""Direct conversations: starting (1:1 reused, groups capped), messages, unread state,
leaving, adding people, search, notifications and live events."""

from datetime import timedelta

import pytest
import time_machine
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from config.errors import NotFound, ValidationError
from notifications.events import user_group
from notifications.models import (
    Conversation,
    ConversationMember,
    Delivery,
    Kind,
    Message,
    Notification,
    NotificationPreference,
)
from notifications.selectors.conversations import (
    conversation_get_for,
    conversations_for,
    conversations_unread_count,
    messages_for,
)
from notifications.services.conversations import (
    conversation_leave,
    conversation_participants_add,
    conversation_read,
    conversation_start,
    message_send,
)
from tests.factories import UserFactory
from tests.live import Listener

pytestmark = pytest.mark.django_db


def _people(count):
    return [UserFactory() for _ in range(count)]


def _nothing_written():
    return (
        Conversation.objects.count(),
        ConversationMember.objects.count(),
        Message.objects.count(),
        Notification.objects.count(),
    ) == (0, 0, 0, 0)


# Starting ------------------------------------------------------------------------------


def test_a_one_to_one_conversation_is_reused_whoever_starts_it():
    alice, bob = _people(2)

    first = conversation_start(creator=alice, participant_ids=[bob.pk], body="Hello Bob")
    again = conversation_start(creator=bob, participant_ids=[alice.pk], body="Hi Alice")

    assert first.created is True and again.created is False
    assert again.conversation.pk == first.conversation.pk
    low, high = sorted((alice.pk, bob.pk))
    assert first.conversation.direct_key == f"{low}:{high}"
    assert first.conversation.is_group is False
    assert Conversation.objects.count() == 1
    assert list(Message.objects.order_by("id").values_list("author_id", "body", "body_html")) == [
        (alice.pk, "Hello Bob", "<p>Hello Bob</p>\n"),
        (bob.pk, "Hi Alice", "<p>Hi Alice</p>\n"),
    ]


def test_a_title_given_for_two_people_is_ignored_and_repeats_of_ids_count_once():
    alice, bob = _people(2)

    started = conversation_start(
        creator=alice, participant_ids=[bob.pk, bob.pk, alice.pk], title="Ours", body="Hi"
    )

    assert started.conversation.is_group is False
    assert started.conversation.title == ""
    assert ConversationMember.objects.filter(conversation=started.conversation).count() == 2


def test_a_group_conversation_has_its_title_and_every_participant():
    alice, bob, chloe = _people(3)

    started = conversation_start(
        creator=alice, participant_ids=[bob.pk, chloe.pk], title=" Launch ", body="Kick-off"
    )

    conversation = started.conversation
    assert conversation.is_group is True and conversation.title == "Launch"
    assert conversation.direct_key is None
    assert set(conversation.participants.values_list("user_id", flat=True)) == {
        alice.pk,
        bob.pk,
        chloe.pk,
    }
    # Two groups with the same people are two conversations.
    other = conversation_start(creator=alice, participant_ids=[bob.pk, chloe.pk], body="Again")
    assert other.created is True and other.conversation.pk != conversation.pk


def test_the_markdown_of_a_message_is_rendered_and_sanitised():
    alice, bob = _people(2)

    message = conversation_start(
        creator=alice, participant_ids=[bob.pk], body="**Hi** <script>x()</script>"
    ).message

    assert "<strong>Hi</strong>" in message.body_html
    assert "<script>" not in message.body_html


def test_twenty_people_including_the_creator_is_the_most():
    creator, *others = _people(21)

    started = conversation_start(
        creator=creator, participant_ids=[person.pk for person in others[:19]], body="All"
    )
    assert started.conversation.participants.count() == 20

    Conversation.objects.all().delete()
    with pytest.raises(ValidationError) as refused:
        conversation_start(
            creator=creator, participant_ids=[person.pk for person in others], body="Too many"
        )
    assert refused.value.field_errors["participants"] == [
        "A conversation has at most 20 people, you included (21 here)."
    ]
    assert _nothing_written()


@override_settings(CERCLE_CONVERSATION_MAX_PEOPLE=3)
def test_the_cap_comes_from_the_settings():
    creator, *others = _people(4)

    with pytest.raises(ValidationError) as refused:
        conversation_start(
            creator=creator, participant_ids=[person.pk for person in others], body="Hi"
        )

    assert "at most 3 people" in refused.value.field_errors["participants"][0]


@pytest.mark.parametrize(
    ("participants", "body", "fields"),
    [
        ("all", "Hi", {"participants"}),
        ([], "Hi", {"participants"}),
        (["1"], "Hi", {"participants"}),
        ([True], "Hi", {"participants"}),
        ("self", "Hi", {"participants"}),
        ("other", "", {"body"}),
        ("other", "   \n ", {"body"}),
        ("other", "x" * 5001, {"body"}),
        ("other", None, {"body"}),
        ([], "", {"participants", "body"}),
    ],
)
def test_bad_input_refuses_a_start_with_field_errors_and_writes_nothing(participants, body, fields):
    alice, bob = _people(2)
    if participants == "self":
        participants = [alice.pk]
    elif participants == "other":
        participants = [bob.pk]

    with pytest.raises(ValidationError) as refused:
        conversation_start(creator=alice, participant_ids=participants, body=body)

    assert set(refused.value.field_errors) == fields
    assert _nothing_written()


def test_empty_and_too_long_messages_have_clear_messages():
    alice, bob = _people(2)

    with pytest.raises(ValidationError) as empty:
        conversation_start(creator=alice, participant_ids=[bob.pk], body=" ")
    with pytest.raises(ValidationError) as long:
        conversation_start(creator=alice, participant_ids=[bob.pk], body="x" * 5001)

    assert empty.value.field_errors == {"body": ["Write something first: the text is empty."]}
    assert long.value.field_errors == {
        "body": ["The text is too long (5001 characters; at most 5000)."]
    }


def test_unknown_and_inactive_people_are_named_and_nothing_is_written():
    alice, bob, gone = _people(3)
    gone.is_active = False
    gone.save()

    with pytest.raises(ValidationError) as refused:
        conversation_start(
            creator=alice, participant_ids=[bob.pk, gone.pk, 999_999, 2**70], body="Hi all"
        )

    assert refused.value.field_errors["participants"] == [
        f"These people do not exist or their account is closed: {gone.pk}, 999999, {2**70}."
    ]
    assert _nothing_written()


def test_a_title_longer_than_120_characters_is_refused():
    alice, bob, chloe = _people(3)

    with pytest.raises(ValidationError) as refused:
        conversation_start(
            creator=alice, participant_ids=[bob.pk, chloe.pk], title="t" * 121, body="Hi"
        )

    assert set(refused.value.field_errors) == {"title"}
    assert _nothing_written()


# Messages, notifications and live events ----------------------------------------------


def test_a_message_notifies_the_other_participants_but_not_the_author(
    django_capture_on_commit_callbacks,
):
    alice, bob, chloe = _people(3)
    with django_capture_on_commit_callbacks(execute=True):
        started = conversation_start(
            creator=alice, participant_ids=[bob.pk, chloe.pk], title="Plan", body="One"
        )

    rows = Notification.objects.filter(kind=Kind.MESSAGE)
    assert sorted(rows.values_list("recipient_id", flat=True)) == sorted([bob.pk, chloe.pk])
    row = rows.get(recipient=bob)
    assert row.conversation_id == started.conversation.pk
    assert row.actor_id == alice.pk
    assert row.group_key == f"message:{started.conversation.pk}"
    assert row.delivery == Delivery.EMAIL_IMMEDIATELY

    # Bob answers: Alice gets a notification; Chloe's unread one now counts two people.
    with django_capture_on_commit_callbacks(execute=True):
        message_send(author=bob, conversation=started.conversation, body="Two")

    assert rows.count() == 3
    assert rows.get(recipient=alice).actor_id == bob.pk
    chloes = rows.get(recipient=chloe)
    assert (chloes.actor_id, chloes.actor_count) == (bob.pk, 2)


def test_a_member_who_turned_messages_off_gets_no_notification_but_still_the_message():
    alice, bob = _people(2)
    NotificationPreference.objects.create(user=bob, kind=Kind.MESSAGE, delivery=Delivery.OFF)

    started = conversation_start(creator=alice, participant_ids=[bob.pk], body="Hi")

    assert not Notification.objects.exists()
    assert conversations_unread_count(user=bob) == 1
    assert conversation_get_for(user=bob, conversation_id=started.conversation.pk)


def test_message_created_reaches_the_participants_only(django_capture_on_commit_callbacks):
    alice, bob, chloe, outsider = _people(4)
    listeners = {person.pk: Listener(user_group(person.pk)) for person in (alice, bob, chloe)}
    outside = Listener(user_group(outsider.pk))

    with django_capture_on_commit_callbacks(execute=True):
        started = conversation_start(
            creator=alice, participant_ids=[bob.pk, chloe.pk], body="Hello"
        )

    expected = {
        "conversation_id": started.conversation.pk,
        "message_id": started.message.pk,
        "author_id": alice.pk,
    }
    for person_id, listener in listeners.items():
        created = [e for e in listener.events() if e["type"] == "message.created"]
        assert [event["data"] for event in created] == [expected], person_id
    assert outside.events() == []


def test_a_member_who_left_receives_neither_messages_nor_events(
    django_capture_on_commit_callbacks,
):
    alice, bob, chloe = _people(3)
    started = conversation_start(creator=alice, participant_ids=[bob.pk, chloe.pk], body="Hi")
    conversation_leave(user=chloe, conversation=started.conversation)
    Notification.objects.all().delete()
    listener = Listener(user_group(chloe.pk))

    with django_capture_on_commit_callbacks(execute=True):
        message_send(author=alice, conversation=started.conversation, body="After")

    assert listener.events() == []
    assert list(Notification.objects.values_list("recipient_id", flat=True)) == [bob.pk]


def test_a_rolled_back_message_sends_nothing(django_capture_on_commit_callbacks):
    alice, bob = _people(2)
    started = conversation_start(creator=alice, participant_ids=[bob.pk], body="Hi")
    Notification.objects.all().delete()
    listener = Listener(user_group(bob.pk))

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        try:
            with transaction.atomic():
                message_send(author=alice, conversation=started.conversation, body="Oops")
                raise RuntimeError("rolled back")
        except RuntimeError:
            pass

    assert callbacks == []
    assert listener.events() == []
    assert Message.objects.count() == 1
    assert not Notification.objects.exists()


def test_a_rolled_back_start_sends_nothing_and_writes_nothing(django_capture_on_commit_callbacks):
    alice, bob = _people(2)
    listener = Listener(user_group(bob.pk))

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        try:
            with transaction.atomic():
                conversation_start(creator=alice, participant_ids=[bob.pk], body="Hi")
                raise RuntimeError("rolled back")
        except RuntimeError:
            pass

    assert callbacks == []
    assert listener.events() == []
    assert _nothing_written()


def test_an_inactive_participant_is_not_notified_and_gets_no_event(
    django_capture_on_commit_callbacks,
):
    alice, bob, chloe = _people(3)
    started = conversation_start(creator=alice, participant_ids=[bob.pk, chloe.pk], body="Hi")
    Notification.objects.all().delete()
    User = type(chloe)
    User.objects.filter(pk=chloe.pk).update(is_active=False)
    listener = Listener(user_group(chloe.pk))

    with django_capture_on_commit_callbacks(execute=True):
        message_send(author=alice, conversation=started.conversation, body="Still there?")

    assert listener.events() == []
    assert list(Notification.objects.values_list("recipient_id", flat=True)) == [bob.pk]


def test_only_active_participants_may_send(django_capture_on_commit_callbacks):
    alice, bob, chloe = _people(3)
    staff = UserFactory(is_staff=True, is_superuser=True)
    started = conversation_start(creator=alice, participant_ids=[bob.pk, chloe.pk], body="Hi")
    conversation_leave(user=chloe, conversation=started.conversation)

    for intruder in (staff, chloe, UserFactory()):
        with pytest.raises(NotFound):
            message_send(author=intruder, conversation=started.conversation, body="Let me in")
    assert Message.objects.count() == 1


def test_sending_moves_the_latest_activity():
    alice, bob = _people(2)
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        started = conversation_start(creator=alice, participant_ids=[bob.pk], body="Hi")
    with time_machine.travel(start + timedelta(minutes=5), tick=False):
        message_send(author=bob, conversation=started.conversation, body="Later")

    started.conversation.refresh_from_db()
    assert started.conversation.last_message_at == start + timedelta(minutes=5)


# Unread state and reading -------------------------------------------------------------


def test_unread_state_follows_the_messages_of_others_and_reading(
    django_capture_on_commit_callbacks,
):
    alice, bob, chloe = _people(3)
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        one = conversation_start(creator=alice, participant_ids=[bob.pk], body="1").conversation
    with time_machine.travel(start + timedelta(seconds=1), tick=False):
        two = conversation_start(
            creator=chloe, participant_ids=[bob.pk, alice.pk], body="2"
        ).conversation
    with time_machine.travel(start + timedelta(seconds=2), tick=False):
        message_send(author=chloe, conversation=two, body="3")

    assert conversations_unread_count(user=bob) == 2
    assert conversations_unread_count(user=chloe) == 0  # her own messages
    mine = {c.pk: c.unread_count for c in conversations_for(user=bob)}
    assert mine == {one.pk: 1, two.pk: 2}
    assert [c.pk for c in conversations_for(user=bob)] == [two.pk, one.pk]  # latest first

    with (
        time_machine.travel(start + timedelta(seconds=3), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        marked = conversation_read(user=bob, conversation=two)

    assert marked == 1
    assert conversations_unread_count(user=bob) == 1
    assert {c.pk: c.unread_count for c in conversations_for(user=bob)} == {one.pk: 1, two.pk: 0}
    bobs = Notification.objects.filter(recipient=bob)
    assert bobs.get(conversation=two).read_at is not None
    assert bobs.get(conversation=one).read_at is None


def test_reading_tells_the_readers_devices(django_capture_on_commit_callbacks):
    alice, bob = _people(2)
    started = conversation_start(creator=alice, participant_ids=[bob.pk], body="Hi")
    listener = Listener(user_group(bob.pk))

    with django_capture_on_commit_callbacks(execute=True):
        conversation_read(user=bob, conversation=started.conversation)

    types = [event["type"] for event in listener.events()]
    assert "notification.read" in types and "unread_count" in types


def test_outsiders_cannot_mark_a_conversation_read():
    alice, bob = _people(2)
    started = conversation_start(creator=alice, participant_ids=[bob.pk], body="Hi")

    with pytest.raises(NotFound):
        conversation_read(user=UserFactory(is_superuser=True), conversation=started.conversation)


# Leaving and adding people -------------------------------------------------------------


def test_a_direct_conversation_cannot_be_left():
    alice, bob = _people(2)
    started = conversation_start(creator=alice, participant_ids=[bob.pk], body="Hi")

    with pytest.raises(ValidationError) as refused:
        conversation_leave(user=alice, conversation=started.conversation)

    assert refused.value.message == "You cannot leave a direct conversation."
    assert not ConversationMember.objects.filter(left_at__isnull=False).exists()


def test_a_member_who_left_a_group_no_longer_sees_it_and_others_see_they_left():
    alice, bob, chloe = _people(3)
    started = conversation_start(creator=alice, participant_ids=[bob.pk, chloe.pk], body="Hi")
    conversation = started.conversation

    conversation_leave(user=chloe, conversation=conversation)

    assert list(conversations_for(user=chloe)) == []
    with pytest.raises(NotFound):
        conversation_get_for(user=chloe, conversation_id=conversation.pk)
    assert not messages_for(user=chloe, conversation=conversation).exists()
    seen_by_bob = conversation_get_for(user=bob, conversation_id=conversation.pk)
    assert [m.user_id for m in seen_by_bob.former_participants] == [chloe.pk]
    assert {m.user_id for m in seen_by_bob.active_participants} == {alice.pk, bob.pk}
    assert Notification.objects.get(recipient=chloe).read_at is not None
    with pytest.raises(NotFound):
        conversation_leave(user=chloe, conversation=conversation)


def test_people_can_be_added_to_a_group_within_the_cap():
    alice, bob, chloe, dan, eve = _people(5)
    started = conversation_start(creator=alice, participant_ids=[bob.pk, chloe.pk], body="Hi")
    conversation = started.conversation
    conversation_leave(user=chloe, conversation=conversation)

    added = conversation_participants_add(
        actor=bob, conversation=conversation, participant_ids=[dan.pk, chloe.pk, alice.pk]
    )

    assert {person.pk for person in added} == {dan.pk, chloe.pk}
    assert set(
        conversation.participants.filter(left_at__isnull=True).values_list("user_id", flat=True)
    ) == {alice.pk, bob.pk, chloe.pk, dan.pk}
    # The newcomer sees the conversation and its history.
    assert [c.pk for c in conversations_for(user=dan)] == [conversation.pk]
    assert messages_for(user=dan, conversation=conversation).count() == 1

    with (
        override_settings(CERCLE_CONVERSATION_MAX_PEOPLE=4),
        pytest.raises(ValidationError) as refused,
    ):
        conversation_participants_add(
            actor=bob, conversation=conversation, participant_ids=[eve.pk]
        )
    assert "at most 4 people" in refused.value.field_errors["participants"][0]
    assert not ConversationMember.objects.filter(user=eve).exists()


def test_adding_people_is_refused_for_outsiders_direct_conversations_and_bad_ids():
    alice, bob, chloe, dan = _people(4)
    direct = conversation_start(creator=alice, participant_ids=[bob.pk], body="Hi").conversation
    group = conversation_start(
        creator=alice, participant_ids=[bob.pk, chloe.pk], body="Hi"
    ).conversation

    with pytest.raises(NotFound):
        conversation_participants_add(actor=dan, conversation=group, participant_ids=[dan.pk])
    with pytest.raises(ValidationError) as direct_refused:
        conversation_participants_add(actor=alice, conversation=direct, participant_ids=[dan.pk])
    with pytest.raises(ValidationError) as nobody_new:
        conversation_participants_add(
            actor=alice, conversation=group, participant_ids=[bob.pk, alice.pk]
        )
    with pytest.raises(ValidationError) as unknown:
        conversation_participants_add(actor=alice, conversation=group, participant_ids=[424242])

    assert set(direct_refused.value.field_errors) == {"participants"}
    assert set(nobody_new.value.field_errors) == {"participants"}
    assert "424242" in unknown.value.field_errors["participants"][0]
    assert ConversationMember.objects.count() == 5


# Search and privacy of reads -----------------------------------------------------------


def test_search_finds_my_conversations_by_message_title_or_name_case_insensitively():
    alice, bob, chloe, dan = _people(4)
    bob.display_name = "Bob Builder"
    bob.save()
    budget = conversation_start(
        creator=alice, participant_ids=[chloe.pk, dan.pk], title="Budget 2025", body="Numbers"
    ).conversation
    lunch = conversation_start(
        creator=alice, participant_ids=[chloe.pk], body="Lunch at the CANTEEN?"
    ).conversation
    with_bob = conversation_start(creator=alice, participant_ids=[bob.pk], body="Hi").conversation
    # A conversation Alice is not part of mentions the canteen too.
    conversation_start(creator=chloe, participant_ids=[dan.pk], body="canteen later")

    assert [c.pk for c in conversations_for(user=alice, search="canteen")] == [lunch.pk]
    assert [c.pk for c in conversations_for(user=alice, search="BUDGET")] == [budget.pk]
    assert [c.pk for c in conversations_for(user=alice, search="builder")] == [with_bob.pk]
    assert list(conversations_for(user=alice, search="nothing like this")) == []


def test_search_ignores_conversations_i_left():
    alice, bob, chloe = _people(3)
    group = conversation_start(
        creator=alice, participant_ids=[bob.pk, chloe.pk], body="secret plan"
    ).conversation
    conversation_leave(user=chloe, conversation=group)

    assert list(conversations_for(user=chloe, search="secret")) == []
    assert [c.pk for c in conversations_for(user=bob, search="secret")] == [group.pk]


def test_staff_and_superusers_cannot_read_conversations_outside_the_admin():
    alice, bob = _people(2)
    started = conversation_start(creator=alice, participant_ids=[bob.pk], body="Private")
    root = UserFactory(is_staff=True, is_superuser=True)

    assert list(conversations_for(user=root)) == []
    with pytest.raises(NotFound):
        conversation_get_for(user=root, conversation_id=started.conversation.pk)
    assert not messages_for(user=root, conversation=started.conversation).exists()
    assert conversations_unread_count(user=root) == 0


def test_the_conversation_list_costs_the_same_queries_for_one_and_many(
    django_assert_num_queries,
):
    def build(count):
        me = UserFactory()
        for _ in range(count):
            others = _people(2)
            conversation_start(creator=me, participant_ids=[p.pk for p in others], body="Hi")
        return me

    small, large = build(1), build(8)
    with django_assert_num_queries(2):
        assert len(list(conversations_for(user=small))) == 1
    with django_assert_num_queries(2):
        assert len(list(conversations_for(user=large))) == 8
    with django_assert_num_queries(1):
        conversations_unread_count(user=large)


def test_a_huge_list_of_people_is_refused_before_any_lookup(django_assert_max_num_queries):
    alice = UserFactory()

    # Only the savepoint of the atomic block, its rollback and release: no user lookup.
    with django_assert_max_num_queries(3), pytest.raises(ValidationError) as refused:
        conversation_start(creator=alice, participant_ids=list(range(1, 100_001)), body="Hi")

    assert "(100000 here)" in refused.value.field_errors["participants"][0]
    assert _nothing_written()
