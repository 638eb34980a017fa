"""user_profile_update: the fields a member edits on their own profile."""

import pytest

from config.errors import ValidationError
from profiles.models import Interest, Skill
from profiles.services import user_profile_update

pytestmark = pytest.mark.django_db


def test_member_fills_in_their_profile(user):
    user_profile_update(
        user=user,
        job_title=" Data engineer ",
        department="Engineering",
        location="Lyon",
        time_zone="Europe/Paris",
        bio="I like **pipelines**.",
        languages=["FR", "en", "fr", "de"],
        show_in_leaderboards=False,
    )
    user.refresh_from_db()
    assert user.job_title == "Data engineer"
    assert (user.location, user.time_zone) == ("Lyon", "Europe/Paris")
    assert user.bio_html == "<p>I like <strong>pipelines</strong>.</p>\n"
    assert user.languages == ["fr", "en", "de"]
    assert user.show_in_leaderboards is False


def test_bio_is_sanitised(user):
    user_profile_update(user=user, bio="<script>alert(1)</script> [x](javascript:alert(1))")
    user.refresh_from_db()
    assert "<script" not in user.bio_html
    assert 'href="javascript' not in user.bio_html
    assert user.bio_html.startswith("<p>&lt;script&gt;")


def test_skills_and_interests_by_name_reuse_existing_spelling_and_create_new(user, other_user):
    Skill.objects.create(name="Python")
    user_profile_update(
        user=user, skills=["python", "  Machine   learning ", "PYTHON"], interests=["Jazz"]
    )
    assert sorted(user.skills.values_list("name", flat=True)) == ["Machine learning", "Python"]
    assert Skill.objects.count() == 2
    user_profile_update(user=other_user, skills=["machine LEARNING"], interests=["jazz"])
    assert list(other_user.skills.values_list("name", flat=True)) == ["Machine learning"]
    assert Interest.objects.count() == 1
    # Replacing the list removes what is no longer there.
    user_profile_update(user=user, skills=[])
    assert user.skills.count() == 0


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"time_zone": "Mars/Olympus_Mons"}, "time_zone"),
        ({"time_zone": ""}, "time_zone"),
        ({"languages": ["fr", "klingon"]}, "languages"),
        ({"languages": "fr"}, "languages"),
        ({"skills": "python"}, "skills"),
        ({"interests": ["x" * 81]}, "interests"),
        ({"bio": "x" * 5001}, "bio"),
        ({"location": "x" * 121}, "location"),
        ({"display_name": "   "}, "display_name"),
        ({"show_in_leaderboards": "nope"}, "show_in_leaderboards"),
    ],
)
def test_bad_input_is_a_field_error(user, changes, field):
    with pytest.raises(ValidationError) as caught:
        user_profile_update(user=user, **changes)
    assert field in caught.value.field_errors


def test_one_bad_field_writes_nothing_at_all(user):
    with pytest.raises(ValidationError) as caught:
        user_profile_update(
            user=user,
            job_title="Lead",
            skills=["Rust"],
            bio="hello",
            time_zone="Nowhere/Land",
        )
    assert set(caught.value.field_errors) == {"time_zone"}
    assert "Nowhere/Land" in caught.value.field_errors["time_zone"][0]
    user.refresh_from_db()
    assert (user.job_title, user.bio, user.time_zone) == ("", "", "UTC")
    assert not Skill.objects.exists()
    assert user.skills.count() == 0


def test_unknown_fields_are_refused(user):
    with pytest.raises(ValidationError) as caught:
        user_profile_update(user=user, email="hijack@evil.example", is_staff=True)
    assert set(caught.value.field_errors) == {"email", "is_staff"}
    user.refresh_from_db()
    assert user.email == "camille@acme.example"
    assert user.is_staff is False


def test_blank_display_name_keeps_the_old_one(user):
    with pytest.raises(ValidationError) as caught:
        user_profile_update(user=user, display_name=" ")
    assert caught.value.message == "A display name is required."
    user.refresh_from_db()
    assert user.display_name == "Camille Martin"
