"""Badges: each rule awarded exactly when earned (with levels), idempotent
re-evaluation, re-evaluation after the events that matter, backfill, manual badges."""

import pytest
from django.db.models.signals import post_migrate

from communities.models import Event, Membership, Post
from communities.services.comments import answer_accept, comment_create
from communities.services.events import rsvp_set
from communities.services.invitations import invitation_accept, invitation_create
from config.errors import Conflict, PermissionDenied, ValidationError
from metrics.models import Activity
from profiles.models import Badge, BadgeAward
from profiles.recognition.badges import (
    BADGE_RULES,
    badge_award_manual,
    badges_ensure_definitions,
    badges_evaluate,
)
from profiles.recognition.kudos import kudos_give
from profiles.tasks import badges_backfill, badges_evaluate_for
from tests.communities.factories_conversations import event_data
from tests.factories import UserFactory, make_community, make_member, make_post

pytestmark = pytest.mark.django_db


def levels(user, code):
    return sorted(
        BadgeAward.objects.filter(user=user, badge__code=code).values_list("level", flat=True)
    )


def codes(awards):
    return sorted((award.badge.code, award.level) for award in awards)


@pytest.fixture
def community():
    return make_community(owner=UserFactory())


def question_answered(community, answerer, asker=None):
    asker = asker or make_member(community)
    question = make_post(community, author=asker, kind=Post.Kind.QUESTION, title="How?")
    answer = comment_create(author=answerer, post=question, body="Like this.")
    answer_accept(actor=asker, post=question, comment=answer)
    return question


def test_definitions_exist_after_migrate_and_ensure_is_idempotent():
    assert set(Badge.objects.filter(is_manual=False).values_list("code", flat=True)) == set(
        BADGE_RULES
    )
    Badge.objects.filter(code="helpful").update(name="Très utile", levels=[2])

    assert badges_ensure_definitions() == 0
    helpful = Badge.objects.get(code="helpful")
    assert (helpful.name, helpful.levels) == ("Très utile", [1, 10, 50])
    Badge.objects.filter(code="welcomer").delete()
    assert badges_ensure_definitions() == 1


def test_post_migrate_creates_the_rule_based_badges():
    from django.apps import apps

    Badge.objects.all().delete()
    profiles = apps.get_app_config("profiles")
    post_migrate.send(sender=profiles, app_config=profiles, using="default", verbosity=0)

    assert Badge.objects.filter(is_manual=False).count() == len(BADGE_RULES)


def test_first_post_is_awarded_after_the_first_post_and_only_once(community):
    author = make_member(community)
    assert badges_evaluate(user=author) == []

    make_post(community, author=author)
    awarded = badges_evaluate(user=author)

    assert codes(awarded) == [("first_post", 1)]
    assert Activity.objects.filter(actor=author, verb=Activity.Verb.BADGE_EARNED).count() == 1
    make_post(community, author=author)
    assert badges_evaluate(user=author) == []
    assert levels(author, "first_post") == [1]


def test_hidden_posts_do_not_earn_badges(community):
    author = make_member(community)
    post = make_post(community, author=author)
    Post.objects.filter(pk=post.pk).update(is_hidden=True)
    assert badges_evaluate(user=author) == []


def test_helpful_levels_at_1_10_and_50_accepted_answers(community, settings):
    answerer = make_member(community)
    asker = make_member(community)
    question_answered(community, answerer, asker)
    assert codes(badges_evaluate(user=answerer)) == [
        ("first_accepted_answer", 1),
        ("helpful", 1),
    ]
    for _ in range(8):
        question_answered(community, answerer, asker)
    assert badges_evaluate(user=answerer) == []  # 9 accepted: not level 2 yet

    question_answered(community, answerer, asker)  # the 10th
    assert codes(badges_evaluate(user=answerer)) == [("helpful", 2)]
    assert levels(answerer, "helpful") == [1, 2]


def test_helpful_level_3_is_awarded_with_missing_lower_levels(community):
    badge = Badge.objects.get(code="helpful")
    badge.levels = [1, 2, 3]
    badge.save()  # levels are read from the row; ensure_definitions restores them
    answerer = make_member(community)
    for _ in range(3):
        question_answered(community, answerer)

    assert ("helpful", 3) in codes(badges_evaluate(user=answerer))
    assert levels(answerer, "helpful") == [1, 2, 3]


def test_answering_your_own_question_earns_nothing(community):
    asker = make_member(community)
    question_answered(community, asker, asker)
    assert "helpful" not in {award.badge.code for award in badges_evaluate(user=asker)}


def test_conversation_starter_needs_replies_from_5_distinct_other_people(community):
    author = make_member(community)
    post = make_post(community, author=author)
    repliers = [make_member(community) for _ in range(4)]
    for replier in repliers:
        comment_create(author=replier, post=post, body="Agreed")
        comment_create(author=replier, post=post, body="Again")
    comment_create(author=author, post=post, body="Thanks all")
    assert "conversation_starter" not in {a.badge.code for a in badges_evaluate(user=author)}

    comment_create(author=make_member(community), post=post, body="Me too")

    assert ("conversation_starter", 1) in codes(badges_evaluate(user=author))


def test_connector_after_kudos_to_10_distinct_colleagues(settings):
    settings.CERCLE_KUDOS_DAILY_CAP = 100
    giver = UserFactory()
    alice = UserFactory()
    for _ in range(3):
        kudos_give(giver=giver, recipients=[alice], value="helpful", message="Thanks")
    others = [UserFactory() for _ in range(8)]
    kudos_give(giver=giver, recipients=others, value="teamwork", message="Team!")
    assert badges_evaluate(user=giver) == []  # 9 distinct people

    kudos_give(giver=giver, recipients=[UserFactory()], value="helpful", message="Thanks")

    assert codes(badges_evaluate(user=giver)) == [("connector", 1)]


def test_welcomer_is_the_first_reply_to_5_newcomers_first_posts(community):
    welcomer = make_member(community)
    someone_else = make_member(community)
    newcomers = [make_member(community) for _ in range(5)]
    for newcomer in newcomers[:4]:
        first = make_post(community, author=newcomer)
        comment_create(author=newcomer, post=first, body="Self bump")  # not a welcome
        comment_create(author=welcomer, post=first, body="Welcome!")
    # A second post by a newcomer is not a first post.
    second = make_post(community, author=newcomers[0])
    comment_create(author=welcomer, post=second, body="Welcome again")
    # Someone else replied first to the fifth newcomer.
    fifth = make_post(community, author=newcomers[4])
    comment_create(author=someone_else, post=fifth, body="Hi!")
    comment_create(author=welcomer, post=fifth, body="Welcome!")
    assert "welcomer" not in {a.badge.code for a in badges_evaluate(user=welcomer)}

    sixth = make_post(community, author=make_member(community))
    comment_create(author=welcomer, post=sixth, body="Welcome!")

    assert ("welcomer", 1) in codes(badges_evaluate(user=welcomer))


def test_event_host_when_a_colleague_confirms_attending(community):
    host = make_member(community)
    post = make_post(community, author=host, kind=Post.Kind.EVENT, event=event_data())
    event = Event.objects.get(post=post)
    rsvp_set(user=host, event=event, answer="yes")
    rsvp_set(user=make_member(community), event=event, answer="maybe")
    assert "event_host" not in {a.badge.code for a in badges_evaluate(user=host)}

    rsvp_set(user=make_member(community), event=event, answer="yes")

    assert ("event_host", 1) in codes(badges_evaluate(user=host))


def test_community_builder_when_an_invited_colleague_becomes_active(community):
    inviter = community.memberships.get(role=Membership.Role.OWNER).user
    invitee = UserFactory()
    [invitation] = invitation_create(inviter=inviter, community=community, emails=[invitee.email])
    invitation_accept(user=invitee, invitation=invitation)
    assert "community_builder" not in {a.badge.code for a in badges_evaluate(user=inviter)}

    make_post(community, author=invitee)

    assert ("community_builder", 1) in codes(badges_evaluate(user=inviter))


def test_badges_are_re_evaluated_after_the_action_commits(
    community, django_capture_on_commit_callbacks
):
    asker, answerer = make_member(community), make_member(community)
    question = make_post(community, author=asker, kind=Post.Kind.QUESTION, title="How?")
    with django_capture_on_commit_callbacks(execute=True):
        answer = comment_create(author=answerer, post=question, body="Like this.")
        answer_accept(actor=asker, post=question, comment=answer)

    assert levels(answerer, "helpful") == [1]
    assert levels(answerer, "first_accepted_answer") == [1]
    assert levels(asker, "first_post") == [1]


def test_a_reply_re_evaluates_the_post_author(community, django_capture_on_commit_callbacks):
    author = make_member(community)
    post = make_post(community, author=author)
    BadgeAward.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(5):
            comment_create(author=make_member(community), post=post, body="Yes")
    assert levels(author, "conversation_starter") == [1]


def test_reactions_do_not_queue_badge_evaluation(community, django_capture_on_commit_callbacks):
    from communities.services.reactions import reaction_toggle

    post = make_post(community, author=make_member(community))
    reactor = make_member(community)
    with django_capture_on_commit_callbacks() as callbacks:
        reaction_toggle(user=reactor, kind="like", post=post)
    assert len(callbacks) == 2  # the live reaction event and the author's notification only


def test_evaluate_for_task_and_backfill_award_history():
    community = make_community(owner=UserFactory())
    authors = [make_member(community) for _ in range(3)]
    for author in authors:
        make_post(community, author=author)
    assert not BadgeAward.objects.exists()

    assert badges_evaluate_for([authors[0].pk]) == 1
    awarded = badges_backfill()

    owner = community.memberships.get(role=Membership.Role.OWNER).user
    assert awarded == 2
    assert set(
        BadgeAward.objects.filter(badge__code="first_post").values_list("user", flat=True)
    ) == {author.pk for author in authors}
    assert not BadgeAward.objects.filter(user=owner).exists()
    assert badges_backfill() == 0  # idempotent


def test_inactive_members_are_not_evaluated(community):
    author = make_member(community)
    make_post(community, author=author)
    author.is_active = False
    author.save()
    assert badges_evaluate(user=author) == []
    assert badges_backfill() == 0


def test_backfill_is_scheduled_in_celery_beat(settings):
    tasks = [entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()]
    assert "profiles.tasks.badges_backfill" in tasks


@pytest.fixture
def mentor_badge():
    return Badge.objects.create(
        code="mentor", name="Mentor", description="Helped newcomers", is_manual=True
    )


MANUAL_AWARD_TABLE = [
    ("staff", True),
    ("superuser", True),
    ("owner", True),
    ("manager", True),
    ("manager_elsewhere", False),
    ("moderator", False),
    ("member", False),
    ("outsider", False),
]


@pytest.mark.parametrize(("role", "allowed"), MANUAL_AWARD_TABLE)
def test_who_may_award_a_manual_badge(role, allowed, mentor_badge):
    owner = UserFactory()
    community = make_community(owner=owner)
    elsewhere = make_community()
    people = {
        "owner": owner,
        "staff": UserFactory(is_staff=True),
        "superuser": UserFactory(is_staff=True, is_superuser=True),
        "manager": make_member(community, role=Membership.Role.MANAGER),
        "manager_elsewhere": make_member(elsewhere, role=Membership.Role.MANAGER),
        "moderator": make_member(community, role=Membership.Role.MODERATOR),
        "member": make_member(community),
        "outsider": UserFactory(),
    }
    recipient = make_member(community)

    if allowed:
        award = badge_award_manual(
            actor=people[role], badge=mentor_badge, user=recipient, reason="Onboarded 3 people"
        )
        assert (award.user, award.awarded_by, award.reason) == (
            recipient,
            people[role],
            "Onboarded 3 people",
        )
        assert Activity.objects.filter(actor=recipient, verb=Activity.Verb.BADGE_EARNED).exists()
    else:
        with pytest.raises(PermissionDenied):
            badge_award_manual(
                actor=people[role], badge=mentor_badge, user=recipient, reason="Why not"
            )
        assert not BadgeAward.objects.exists()


def test_rule_based_badges_cannot_be_given_by_hand():
    staff = UserFactory(is_staff=True)
    with pytest.raises(ValidationError) as refused:
        badge_award_manual(
            actor=staff, badge=Badge.objects.get(code="helpful"), user=UserFactory(), reason="x"
        )
    assert "badge" in refused.value.field_errors
    assert not BadgeAward.objects.exists()


def test_manual_award_needs_a_reason_and_another_member_and_happens_once(mentor_badge):
    staff, colleague = UserFactory(is_staff=True), UserFactory()
    with pytest.raises(ValidationError) as no_reason:
        badge_award_manual(actor=staff, badge=mentor_badge, user=colleague, reason="  ")
    assert "reason" in no_reason.value.field_errors
    with pytest.raises(ValidationError) as self_award:
        badge_award_manual(actor=staff, badge=mentor_badge, user=staff, reason="Me")
    assert "user" in self_award.value.field_errors

    badge_award_manual(actor=staff, badge=mentor_badge, user=colleague, reason="Great")
    with pytest.raises(Conflict):
        badge_award_manual(actor=staff, badge=mentor_badge, user=colleague, reason="Again")
    assert BadgeAward.objects.filter(badge=mentor_badge).count() == 1


def test_rsvp_and_an_invitee_s_first_post_re_evaluate_host_and_inviter(
    community, django_capture_on_commit_callbacks
):
    inviter = community.memberships.get(role=Membership.Role.OWNER).user
    invitee = UserFactory()
    [invitation] = invitation_create(inviter=inviter, community=community, emails=[invitee.email])
    invitation_accept(user=invitee, invitation=invitation)
    host = make_member(community)
    post = make_post(community, author=host, kind=Post.Kind.EVENT, event=event_data())

    with django_capture_on_commit_callbacks(execute=True):
        make_post(community, author=invitee)
    with django_capture_on_commit_callbacks(execute=True):
        rsvp_set(user=make_member(community), event=Event.objects.get(post=post), answer="yes")

    assert levels(inviter, "community_builder") == [1]
    assert levels(host, "event_host") == [1]


@pytest.mark.parametrize("size", [1, 20])
def test_evaluation_query_count_does_not_grow_with_members(
    size, community, django_assert_num_queries
):
    from profiles.recognition.badges import badges_evaluate_users

    authors = [make_member(community) for _ in range(size)]
    for author in authors:
        make_post(community, author=author)
    badges_evaluate_users(user_ids=[author.pk for author in authors])

    with django_assert_num_queries(
        12
    ):  # users, badges, held awards, 7 rule counts, savepoint + release
        assert badges_evaluate_users(user_ids=[author.pk for author in authors]) == []
