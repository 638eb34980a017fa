"""The classifier against generated members whose type is known (bench/profile_types.py
at a small size, fixed seed): each type recovered for most of its members, and the
members who changed type mid-way seen changing."""

from datetime import date

import pytest

from bench.profile_types import TYPES, transition_shown, validate

pytestmark = pytest.mark.django_db(transaction=False)


def test_transitions_are_read_in_order_from_the_weekly_history():
    assert transition_shown(["enthusiast", "enthusiast", "jaded"], "enthusiast", "jaded")
    assert transition_shown(["enthusiast", "pragmatic", "jaded"], "enthusiast", "jaded")
    assert not transition_shown(["jaded", "enthusiast"], "enthusiast", "jaded")
    assert not transition_shown(["jaded", "jaded"], "enthusiast", "jaded")


def test_the_classifier_recovers_each_generated_type_and_the_drifts():
    result = validate(size=600, seed=3, weeks=10, end=date(2026, 11, 29))

    for type in TYPES:
        members = sum(result.confusion[type].values())
        assert members >= 10, f"the generator made only {members} {type} members"
        assert result.recall(type) >= 0.85, (type, dict(result.confusion[type]))
    assert len(result.drifts) >= 10
    assert result.drifts_found() >= 0.75, result.drifts
