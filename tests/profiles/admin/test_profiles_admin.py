"""The admin for members, skills/interests (merge), badges (manual awards) and kudos."""

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse

from profiles.models import Badge, BadgeAward, Interest, Kudos, Skill
from profiles.recognition.kudos import kudos_give
from profiles.services import user_profile_update
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(db):
    return UserFactory(email="sam.staff@acme.example", display_name="Sam Staff", is_staff=True)


@pytest.fixture
def superuser(db):
    return UserFactory(email="root@acme.example", is_staff=True, is_superuser=True)


@pytest.fixture
def member(db):
    return UserFactory(email="mia@acme.example", display_name="Mia Member")


@pytest.fixture
def colleagues(db):
    alice = UserFactory(display_name="Alice Arnaud")
    bob = UserFactory(display_name="Bob Bernard")
    user_profile_update(user=alice, skills=["Kubernetes"], interests=["Cycling"])
    user_profile_update(user=bob, skills=["K8s"], interests=["Bike"])
    return alice, bob


# --- Who sees these models -------------------------------------------------------------------


ADMIN_PAGES = [
    "admin:profiles_skill_changelist",
    "admin:profiles_interest_changelist",
    "admin:profiles_badge_changelist",
    "admin:profiles_badgeaward_changelist",
    "admin:profiles_badgeaward_award",
    "admin:profiles_kudos_changelist",
]


@pytest.mark.parametrize("page", ADMIN_PAGES)
@pytest.mark.parametrize(
    "who,status",
    [("superuser", 200), ("staff", 200), ("member", 302)],
)
def test_profile_admin_pages_are_for_staff_and_superusers(client, request, page, who, status):
    client.force_login(request.getfixturevalue(who))
    response = client.get(reverse(page))
    assert response.status_code == status
    if status == 302:
        assert reverse("admin:login") in response.url


def test_member_admin_shows_the_profile_fields(client, superuser, colleagues):
    alice, _ = colleagues
    client.force_login(superuser)
    body = client.get(reverse("admin:profiles_user_change", args=[alice.pk])).content.decode()
    for field in ["job_title", "location", "time_zone", "bio", "languages", "skills", "interests"]:
        assert f'name="{field}"' in body
    assert "show_in_leaderboards" in body


# --- Merge skills and interests ----------------------------------------------------------------


def _merge(client, model: str, ids, target: str | None):
    data = {"action": "merge_into", ACTION_CHECKBOX_NAME: [str(pk) for pk in ids]}
    if target is not None:
        data["target"] = target
    return client.post(reverse(f"admin:profiles_{model}_changelist"), data)


def test_merge_asks_for_the_target_first(client, staff, colleagues):
    client.force_login(staff)
    duplicate = Skill.objects.get(name="K8s")
    response = _merge(client, "skill", [duplicate.pk], None)
    assert response.status_code == 200
    body = response.content.decode()
    assert "Merge into" in body
    assert "K8s" in body
    assert Skill.objects.filter(pk=duplicate.pk).exists()


def test_merging_a_skill_moves_its_members_to_the_target(client, staff, colleagues):
    _, bob = colleagues
    client.force_login(staff)
    duplicate = Skill.objects.get(name="K8s")
    response = _merge(client, "skill", [duplicate.pk], "kubernetes")
    assert response.status_code == 302
    assert not Skill.objects.filter(name="K8s").exists()
    assert list(bob.skills.values_list("name", flat=True)) == ["Kubernetes"]
    body = client.get(response.url).content.decode()
    assert "1 entry merged into Kubernetes." in body


def test_merging_interests_works_the_same(client, superuser, colleagues):
    _, bob = colleagues
    client.force_login(superuser)
    duplicate = Interest.objects.get(name="Bike")
    _merge(client, "interest", [duplicate.pk], "Cycling")
    assert list(bob.interests.values_list("name", flat=True)) == ["Cycling"]
    assert not Interest.objects.filter(name="Bike").exists()


def test_merging_into_an_unknown_target_is_a_clear_error_and_changes_nothing(
    client, staff, colleagues
):
    _, bob = colleagues
    client.force_login(staff)
    duplicate = Skill.objects.get(name="K8s")
    response = _merge(client, "skill", [duplicate.pk], "Kubernetess")
    assert response.status_code == 400
    assert "“Kubernetess” does not exist" in response.content.decode()
    assert Skill.objects.filter(pk=duplicate.pk).exists()
    assert list(bob.skills.values_list("name", flat=True)) == ["K8s"]


def test_merging_an_entry_into_itself_is_refused(client, staff, colleagues):
    client.force_login(staff)
    skill = Skill.objects.get(name="Kubernetes")
    response = _merge(client, "skill", [skill.pk], "Kubernetes")
    assert response.status_code == 302
    assert "cannot be merged into itself" in client.get(response.url).content.decode()
    assert Skill.objects.filter(pk=skill.pk).exists()


def test_a_plain_member_cannot_run_the_merge(client, member, colleagues):
    client.force_login(member)
    duplicate = Skill.objects.get(name="K8s")
    response = _merge(client, "skill", [duplicate.pk], "Kubernetes")
    assert response.status_code == 302
    assert reverse("admin:login") in response.url
    assert Skill.objects.filter(pk=duplicate.pk).exists()


# --- Badges: definitions and manual awards --------------------------------------------------


@pytest.fixture
def mentor(db):
    return Badge.objects.create(
        code="mentor", name="Mentor", description="Guides newcomers", is_manual=True
    )


def test_awarding_a_manual_badge(client, staff, member, mentor):
    client.force_login(staff)
    response = client.post(
        reverse("admin:profiles_badgeaward_award"),
        {"badge": mentor.pk, "user": member.pk, "reason": "Onboarded 12 people"},
    )
    assert response.status_code == 302
    award = BadgeAward.objects.get(badge=mentor, user=member)
    assert award.awarded_by == staff
    assert award.reason == "Onboarded 12 people"
    assert "Mentor awarded to Mia Member." in client.get(response.url).content.decode()


def test_awarding_twice_or_without_a_reason_is_refused_on_the_form(client, staff, member, mentor):
    client.force_login(staff)
    url = reverse("admin:profiles_badgeaward_award")
    response = client.post(url, {"badge": mentor.pk, "user": member.pk, "reason": ""})
    assert response.status_code == 400
    assert "Say why this colleague gets the badge." in response.content.decode()
    client.post(url, {"badge": mentor.pk, "user": member.pk, "reason": "Great"})
    response = client.post(url, {"badge": mentor.pk, "user": member.pk, "reason": "Again"})
    assert response.status_code == 400
    assert "already holds this badge" in response.content.decode()
    assert BadgeAward.objects.filter(badge=mentor, user=member).count() == 1


def test_rule_based_badges_cannot_be_chosen_for_a_manual_award(client, staff, member):
    rule_badge = Badge.objects.create(
        code="first-post-test", name="First post", description="x", rule="first_post"
    )
    client.force_login(staff)
    response = client.post(
        reverse("admin:profiles_badgeaward_award"),
        {"badge": rule_badge.pk, "user": member.pk, "reason": "Because"},
    )
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    assert not BadgeAward.objects.filter(user=member).exists()


def test_add_award_goes_to_the_award_form(client, staff):
    client.force_login(staff)
    response = client.get(reverse("admin:profiles_badgeaward_add"))
    assert response.status_code == 302
    assert response.url == reverse("admin:profiles_badgeaward_award")


def test_badges_defined_in_the_admin_are_manual(client, superuser):
    client.force_login(superuser)
    client.post(
        reverse("admin:profiles_badge_add"),
        {"name": "Mentor", "code": "mentor", "description": "Guides newcomers", "icon": ""},
    )
    assert Badge.objects.get(code="mentor").is_manual is True


# --- Kudos moderation ----------------------------------------------------------------------


def test_staff_hide_kudos(client, staff, colleagues):
    alice, bob = colleagues
    kudos = kudos_give(giver=alice, recipients=[bob], value="helpful", message="Spammy praise")
    client.force_login(staff)
    response = client.post(
        reverse("admin:profiles_kudos_changelist"),
        {"action": "hide_kudos", ACTION_CHECKBOX_NAME: [str(kudos.pk)]},
    )
    assert response.status_code == 302
    kudos.refresh_from_db()
    assert kudos.is_hidden is True
    assert "1 kudos hidden." in client.get(response.url).content.decode()
    profile = reverse("profiles:detail", args=[bob.pk])
    assert "Spammy praise" not in client.get(profile).content.decode()


def test_a_member_cannot_hide_kudos(client, member, colleagues):
    alice, bob = colleagues
    kudos = kudos_give(giver=alice, recipients=[bob], value="helpful", message="Fine")
    client.force_login(member)
    response = client.post(
        reverse("admin:profiles_kudos_changelist"),
        {"action": "hide_kudos", ACTION_CHECKBOX_NAME: [str(kudos.pk)]},
    )
    assert response.status_code == 302
    assert not Kudos.objects.get(pk=kudos.pk).is_hidden
