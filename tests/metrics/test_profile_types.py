"""The profile-type rules: each type from the behaviour that defines it, explained."""

import pytest

from metrics.profile_types import Population, ProfileType, Signals, classify, label_settle

SETTLED = 200  # days since joining: long enough to be judged


def test_a_member_who_joined_last_week_is_new_whatever_they_did():
    verdict = classify(Signals(tenure_days=6, active_days=6, posts=30, replies_to_others=40))

    assert verdict.type == ProfileType.NEW
    assert "6 days ago" in verdict.explanation


def test_rare_visits_and_nothing_written_is_indifferent_and_says_where_they_joined():
    verdict = classify(
        Signals(
            tenure_days=SETTLED,
            active_days=3,
            visits=3,
            reads=2,
            communities_joined=5,
            communities_active=1,
        )
    )

    assert verdict.type == ProfileType.INDIFFERENT
    assert tuple(verdict.texts) == (
        "active on 3 days, read 2 posts, 0 contributions",
        "joined 5 communities, active in 1",
    )


def test_a_member_whose_pace_fell_after_a_busy_period_is_jaded():
    verdict = classify(
        Signals(
            tenure_days=SETTLED,
            active_days=40,
            reads=120,
            posts=10,
            replies_to_others=30,
            reactions_given=20,
            past_actions=56,
            recent_actions=4,
            past_writes=36,
            recent_writes=1,
        )
    )

    assert verdict.type == ProfileType.JADED
    assert tuple(verdict.texts) == (
        "56 contributions in the 60 days before the last 30, 4 since",
        # 4 actions in 30 days against 56 in 60: 14% of the former pace
        "pace down to 14% of what it was",
    )


def test_a_member_who_never_wrote_and_now_does_less_is_not_jaded_but_what_they_are():
    # votes and reactions fell off, but they never wrote: a reader, not a disillusioned author
    verdict = classify(
        Signals(tenure_days=SETTLED, active_days=30, reads=80, past_actions=20, recent_actions=1)
    )

    assert verdict.type == ProfileType.SHY


def test_a_member_who_asks_many_questions_is_not_a_show_off():
    verdict = classify(
        Signals(
            tenure_days=SETTLED,
            active_days=30,
            reads=30,
            questions=9,
            replies_to_others=2,
            reactions_received=30,
            reactions_given=2,
            past_actions=8,
            recent_actions=5,
        )
    )

    assert verdict.type == ProfileType.PRAGMATIC


def test_a_member_who_never_wrote_and_reads_little_is_indifferent():
    verdict = classify(Signals(tenure_days=SETTLED, active_days=14, visits=14, reads=12, votes=2))

    assert verdict.type == ProfileType.INDIFFERENT


def test_many_own_posts_many_likes_received_few_given_is_a_show_off():
    verdict = classify(
        Signals(
            tenure_days=SETTLED,
            active_days=30,
            posts=18,
            replies_to_others=3,
            reactions_received=90,
            reactions_given=4,
            past_actions=16,
            recent_actions=9,
        )
    )

    assert verdict.type == ProfileType.SHOW_OFF
    assert tuple(verdict.texts) == (
        "wrote 18 posts of their own and 3 replies to others",
        "received 90 reactions, gave 4",
    )


def test_a_prolific_author_who_also_gives_to_others_is_not_a_show_off():
    verdict = classify(
        Signals(
            tenure_days=SETTLED,
            active_days=50,
            posts=18,
            replies_to_others=30,
            reactions_received=90,
            reactions_given=40,
            kudos_given=6,
            past_actions=60,
            recent_actions=34,
        )
    )

    assert verdict.type == ProfileType.ENTHUSIAST


def test_reading_a_lot_and_writing_almost_nothing_is_shy_with_their_rank_among_readers():
    population = Population(Signals(tenure_days=SETTLED, reads=n) for n in (5, 10, 40, 300))

    verdict = classify(
        Signals(tenure_days=SETTLED, active_days=60, reads=212, replies_to_others=1),
        population,
    )

    assert verdict.type == ProfileType.SHY
    assert tuple(verdict.texts) == (
        "read 212 posts, wrote 1 post or reply",
        "reads put them in the top quarter",
    )


def test_a_member_who_asks_and_gets_answers_accepted_is_pragmatic():
    verdict = classify(
        Signals(
            tenure_days=SETTLED,
            active_days=15,
            reads=20,
            questions=4,
            replies_to_others=3,
            answers_accepted=2,
            reactions_given=1,
            past_actions=6,
            recent_actions=4,
        )
    )

    assert verdict.type == ProfileType.PRAGMATIC
    assert "2 of their answers accepted" in verdict.texts


def test_thresholds_come_from_settings(settings):
    signals = Signals(tenure_days=30, active_days=10, reads=40)
    assert classify(signals).type == ProfileType.SHY

    settings.CERCLE_PROFILE_TYPE_RULES = {"new_tenure_days": 45}

    assert classify(signals).type == ProfileType.NEW


@pytest.mark.parametrize(
    ("published", "evaluations", "expected"),
    [
        # a first label, or leaving "new": at once
        (None, ["shy"], "shy"),
        ("new", ["indifferent"], "indifferent"),
        # towards more engagement: at once
        ("shy", ["enthusiast"], "enthusiast"),
        ("indifferent", ["pragmatic"], "pragmatic"),
        # towards less: only once it held for three weekly evaluations
        ("enthusiast", ["jaded"], "enthusiast"),
        ("enthusiast", ["enthusiast", "jaded", "jaded"], "enthusiast"),
        ("enthusiast", ["enthusiast", "jaded", "jaded", "jaded"], "jaded"),
        ("enthusiast", ["jaded", "indifferent", "jaded"], "enthusiast"),
        # one quiet week in a steady record changes nothing
        ("pragmatic", ["pragmatic", "indifferent", "pragmatic"], "pragmatic"),
    ],
)
def test_labels_move_up_at_once_and_down_only_after_holding(published, evaluations, expected):
    assert label_settle(published, evaluations) == expected
