"""The people pages: directory, profile, edit, timeline, badges, experts, leaderboard."""

import pytest
from django.urls import reverse

from communities.models import Community, Membership, Post
from profiles.models import Badge, BadgeAward, Skill
from profiles.recognition.kudos import kudos_give
from profiles.services import follow_create, user_profile_update
from tests.factories import UserFactory, make_community, make_member, make_post
from tests.profiles.factories_profiles import answered_question, picture_upload

pytestmark = pytest.mark.django_db

DIRECTORY = reverse("profiles:directory")
EDIT = reverse("profiles:edit")


def profile_url(user) -> str:
    return reverse("profiles:detail", args=[user.pk])


# --- Who may open what ------------------------------------------------------------------


@pytest.mark.parametrize(
    "name,args",
    [
        ("profiles:directory", []),
        ("profiles:experts", []),
        ("profiles:edit", []),
        ("profiles:badges", []),
        ("profiles:topics", []),
        ("profiles:detail", ["alice"]),
        ("profiles:timeline", ["alice"]),
        ("profiles:kudos", ["alice"]),
    ],
)
def test_people_pages_need_a_log_in_and_open_for_any_member(client, login, alice, bob, name, args):
    url = reverse(name, args=[alice.pk for _ in args])
    anonymous = client.get(url)
    assert anonymous.status_code == 302
    assert reverse("account_login") in anonymous.url
    assert login(bob).get(url).status_code == 200


def test_a_deactivated_or_unknown_member_has_no_profile(login, alice, bob):
    bob.is_active = False
    bob.save(update_fields=["is_active"])
    client = login(alice)
    assert client.get(profile_url(bob)).status_code == 404
    assert client.get(reverse("profiles:detail", args=[999_999])).status_code == 404
    assert "Bob Bernard" not in client.get(DIRECTORY).content.decode()


def test_main_navigation_links_people_and_my_profile(login, alice):
    body = login(alice).get(reverse("home")).content.decode()
    assert f'href="{DIRECTORY}"' in body
    assert ">People<" in body
    assert f'href="{profile_url(alice)}"' in body
    assert "My profile" in body


# --- Directory ---------------------------------------------------------------------------


def test_directory_lists_colleagues_with_job_and_department(login, alice, bob):
    response = login(bob).get(DIRECTORY)
    assert response.status_code == 200
    body = response.content.decode()
    assert "Alice Arnaud" in body
    assert "SRE · Platform" in body
    assert "2 people" in body


@pytest.mark.parametrize(
    "params,found,missing",
    [
        ({"q": "alice"}, "Alice Arnaud", "Bob Bernard"),
        ({"q": "kubernetes"}, "Alice Arnaud", "Bob Bernard"),
        ({"department": "sales"}, "Bob Bernard", "Alice Arnaud"),
        ({"skill": "python"}, "Alice Arnaud", "Bob Bernard"),
        ({"location": "lyon"}, "Alice Arnaud", "Bob Bernard"),
    ],
)
def test_directory_search_and_filters(login, alice, bob, params, found, missing):
    body = login(bob).get(DIRECTORY, params).content.decode()
    results = body.split('id="people-results"', 1)[1].split("</section>", 1)[0]
    assert found in results
    assert missing not in results


def test_directory_interest_filter_keeps_only_those_who_share_it(login, alice, bob):
    carol = UserFactory(display_name="Carol Chess")
    user_profile_update(user=carol, interests=["Chess"])
    body = login(bob).get(DIRECTORY, {"interest": "cycling"}).content.decode()
    results = body.split('id="people-results"', 1)[1].split("</section>", 1)[0]
    assert "Alice Arnaud" in results
    assert "Carol Chess" not in results


def test_directory_htmx_search_returns_only_the_results(login, alice, bob):
    response = login(bob).get(
        DIRECTORY, {"q": "alice"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="people-results"
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "Alice Arnaud" in body
    assert "<html" not in body


def test_directory_suggests_people_sharing_interests_not_already_followed(login, alice, bob):
    body = login(bob).get(DIRECTORY).content.decode()
    box = body.split("People you may want to know", 1)[1]
    assert "Alice Arnaud" in box
    assert "Cycling" in box
    follow_create(follower=bob, followed=alice)
    box = login(bob).get(DIRECTORY).content.decode().split("People you may want to know", 1)[1]
    assert "Alice Arnaud" not in box


def _colleagues(count: int) -> None:
    for index in range(count):
        user = UserFactory(display_name=f"Colleague {index:02d}")
        user_profile_update(user=user, skills=[f"Skill {index}", "Python"], interests=["Cycling"])


def test_directory_query_count_does_not_grow_with_people(login, count_queries, bob):
    login(bob)
    _colleagues(1)
    one = count_queries(DIRECTORY)
    _colleagues(19)
    twenty = count_queries(DIRECTORY)
    assert one == twenty


# --- Profile page --------------------------------------------------------------------------


def test_profile_shows_who_they_are_and_what_they_know(login, alice, bob):
    response = login(bob).get(profile_url(alice))
    assert response.status_code == 200
    body = response.content.decode()
    for text in ["Alice Arnaud", "SRE", "Platform", "Lyon", "Europe/Paris", "local time"]:
        assert text in body
    assert "<strong>uptime</strong>" in body
    assert "Kubernetes" in body and "Python" in body and "Cycling" in body
    assert "fr, en" in body
    assert "Follow Alice Arnaud" in body
    assert "Give kudos" in body


def test_my_own_profile_offers_edit_not_follow_or_kudos(login, alice):
    body = login(alice).get(profile_url(alice)).content.decode()
    assert "Edit my profile" in body
    assert "Follow Alice Arnaud" not in body
    assert "Send kudos" not in body


def test_profile_shows_contributions_and_communities_the_viewer_may_see_only(login, alice, bob):
    public = make_community(owner=alice, name="Open Guild")
    secret = make_community(owner=alice, name="Board Room", visibility=Community.Visibility.SECRET)
    make_post(public, author=alice, title="Public thoughts")
    make_post(secret, author=alice, title="Secret plans")
    body = login(bob).get(profile_url(alice)).content.decode()
    assert "Open Guild" in body
    assert "Public thoughts" in body
    assert "Board Room" not in body
    assert "Secret plans" not in body
    mine = login(alice).get(profile_url(alice)).content.decode()
    assert "Board Room" in mine and "Secret plans" in mine


def test_profile_shows_kudos_badges_and_the_reputation_breakdown(login, alice, bob, guild):
    answered_question(guild, asker=bob, answerer=alice, title="How to scale?")
    kudos_give(giver=bob, recipients=[alice], value="helpful", message="Saved our release")
    badge = Badge.objects.create(
        code="mentor", name="Mentor", description="Guides others", is_manual=True
    )
    BadgeAward.objects.create(badge=badge, user=alice, reason="Onboarding")
    body = login(bob).get(profile_url(alice)).content.decode()
    assert "Saved our release" in body
    assert "from Bob Bernard" in body
    assert "Mentor" in body
    assert "Reputation" in body
    assert "How to scale?" in body
    assert "Accepted answer" in body


def test_reputation_is_hidden_from_others_when_public_recognition_is_off(
    settings, login, alice, bob
):
    settings.CERCLE_PUBLIC_RECOGNITION = False
    assert "Reputation" not in login(bob).get(profile_url(alice)).content.decode()
    mine = login(alice).get(profile_url(alice)).content.decode()
    assert "Reputation" in mine
    assert "only you see your score" in mine


def test_profile_shows_how_you_are_connected(login, alice, bob):
    carol = UserFactory(display_name="Carol Chess")
    follow_create(follower=bob, followed=alice)
    follow_create(follower=alice, followed=carol)
    body = login(bob).get(profile_url(carol)).content.decode()
    section = body.split("How you are connected", 1)[1].split("</section>", 1)[0]
    assert section.index("You") < section.index("Alice Arnaud")
    assert "Carol Chess" in section
    stranger = UserFactory(display_name="Sam Stranger")
    assert "You are not connected yet" in login(bob).get(profile_url(stranger)).content.decode()


def test_profile_query_count_does_not_grow_with_contributions(login, count_queries, alice, bob):
    community = make_community(owner=alice, name="Busy Guild")
    login(bob)

    def add(count):
        for index in range(count):
            make_post(community, author=alice, title=f"Post {index}")
            kudos = kudos_give(
                giver=UserFactory(), recipients=[alice], value="helpful", message="Thanks"
            )
            assert kudos.pk

    add(1)
    one = count_queries(profile_url(alice))
    add(9)  # ten kudos and posts are shown: 1 -> 10 rows
    ten = count_queries(profile_url(alice))
    add(10)
    twenty = count_queries(profile_url(alice))
    assert one == ten == twenty


# --- Follow (htmx) ---------------------------------------------------------------------------


def test_follow_toggles_in_place_with_htmx(login, alice, bob):
    client = login(bob)
    url = reverse("profiles:follow", args=[alice.pk])
    response = client.post(url, {"action": "follow"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in body
    assert 'aria-pressed="true"' in body
    assert "1 follower" in body
    assert alice.followers.filter(follower=bob).exists()
    response = client.post(url, {"action": "unfollow"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert 'aria-pressed="false"' in body
    assert "0 followers" in body
    assert not alice.followers.exists()


def test_follow_without_javascript_redirects_with_a_message(login, alice, bob):
    response = login(bob).post(
        reverse("profiles:follow", args=[alice.pk]), {"action": "follow"}, follow=True
    )
    assert "You now follow Alice Arnaud." in response.content.decode()


def test_following_yourself_is_refused_clearly(login, alice):
    response = login(alice).post(
        reverse("profiles:follow", args=[alice.pk]), {"action": "follow"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 400
    assert 'role="alert"' in response.content.decode()
    assert not alice.following.exists()


def test_follow_needs_a_post_and_a_log_in(client, alice):
    url = reverse("profiles:follow", args=[alice.pk])
    assert client.post(url, {"action": "follow"}).status_code == 302
    assert not alice.followers.exists()


def test_topic_follow_toggles(login, alice, guild):
    make_post(guild, author=alice, title="Infra", body="About #kubernetes.")
    client = login(alice)
    url = reverse("profiles:topic-follow", args=["kubernetes"])
    body = client.post(url, {"action": "follow"}, HTTP_HX_REQUEST="true").content.decode()
    assert "Following #kubernetes" in body
    assert alice.topic_follows.filter(topic__name="kubernetes").exists()
    assert "#kubernetes" in client.get(reverse("profiles:topics")).content.decode()
    body = client.post(url, {"action": "unfollow"}, HTTP_HX_REQUEST="true").content.decode()
    assert "Follow #kubernetes" in body
    assert not alice.topic_follows.exists()


# --- Kudos ------------------------------------------------------------------------------------


def test_giving_kudos_to_several_colleagues(login, alice, bob):
    carol = UserFactory(display_name="Carol Chess")
    response = login(bob).post(
        reverse("profiles:kudos", args=[alice.pk]),
        {"recipients": [alice.pk, carol.pk], "value": "teamwork", "message": "Great launch"},
        follow=True,
    )
    body = response.content.decode()
    assert "Kudos sent to" in body
    assert "Great launch" in body
    kudos = alice.kudos_received.get()
    assert set(kudos.recipients.all()) == {alice, carol}


def test_kudos_shared_in_a_community_is_published_there(login, alice, bob, guild):
    login(bob).post(
        reverse("profiles:kudos", args=[alice.pk]),
        {"recipients": [alice.pk], "value": "helpful", "message": "Merci", "community": guild.pk},
    )
    assert Post.objects.filter(community=guild, author=bob, title__icontains="Helpful").exists()


def test_kudos_to_yourself_is_refused_on_the_form(login, alice, bob):
    response = login(alice).post(
        reverse("profiles:kudos", args=[bob.pk]),
        {"recipients": [alice.pk], "value": "helpful", "message": "Me!"},
    )
    assert response.status_code == 400
    assert not alice.kudos_given.exists()


def test_kudos_over_the_daily_cap_says_why(settings, login, alice, bob):
    settings.CERCLE_KUDOS_DAILY_CAP = 1
    client = login(bob)
    url = reverse("profiles:kudos", args=[alice.pk])
    data = {"recipients": [alice.pk], "value": "helpful", "message": "Thanks"}
    assert client.post(url, data).status_code == 302
    response = client.post(url, data, HTTP_HX_REQUEST="true")
    assert response.status_code == 429
    body = response.content.decode()
    assert "at most 1 colleagues a day" in body
    assert "<html" not in body
    assert bob.kudos_given.count() == 1


def test_kudos_form_errors_are_shown_next_to_the_fields(login, alice, bob):
    response = login(bob).post(
        reverse("profiles:kudos", args=[alice.pk]),
        {"recipients": [alice.pk], "value": "nonsense", "message": ""},
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "Select a valid choice" in body
    assert "This field is required." in body


# --- Edit profile ---------------------------------------------------------------------------


def _edit_data(**overrides):
    data = {
        "display_name": "Bob Bernard",
        "job_title": "Account executive",
        "department": "Sales",
        "location": "Paris",
        "time_zone": "Europe/Paris",
        "bio": "I *sell*.",
        "skills": "Negotiation, Kubernetes",
        "interests": "Cycling",
        "languages": "fr, en",
        "show_in_leaderboards": "on",
    }
    data.update(overrides)
    return data


def test_editing_the_profile_saves_every_field(login, alice, bob):
    response = login(bob).post(EDIT, _edit_data(), follow=True)
    assert "Your profile is saved." in response.content.decode()
    bob.refresh_from_db()
    assert bob.job_title == "Account executive"
    assert bob.time_zone == "Europe/Paris"
    assert "<em>sell</em>" in bob.bio_html
    assert sorted(bob.skills.values_list("name", flat=True)) == ["Kubernetes", "Negotiation"]
    # "kubernetes" matched the existing skill, it did not create a duplicate.
    assert Skill.objects.filter(name__iexact="kubernetes").count() == 1
    assert bob.languages == ["fr", "en"]


def test_opting_out_of_leaderboards(login, bob):
    data = _edit_data()
    del data["show_in_leaderboards"]
    login(bob).post(EDIT, data)
    bob.refresh_from_db()
    assert bob.show_in_leaderboards is False


def test_uploading_a_photo_resizes_it_and_serves_it(login, alice, bob):
    client = login(bob)
    client.post(EDIT, {**_edit_data(), "avatar": picture_upload(size=(800, 600))})
    bob.refresh_from_db()
    assert bob.avatar
    response = client.get(reverse("profiles:avatar", args=[bob.pk]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("image/")


def test_a_file_that_is_not_an_image_is_refused_and_nothing_is_saved(login, bob):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("me.png", b"not an image at all", content_type="image/png")
    response = login(bob).post(EDIT, {**_edit_data(job_title="Changed"), "avatar": upload})
    assert response.status_code == 400
    assert 'role="alert"' in response.content.decode()
    bob.refresh_from_db()
    assert bob.job_title == ""
    assert not bob.avatar


def test_an_unknown_time_zone_is_refused(login, bob):
    response = login(bob).post(EDIT, _edit_data(time_zone="Mars/Olympus"))
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()


# --- Timeline, badges, experts, leaderboard ----------------------------------------------------


def test_timeline_lists_posts_kudos_and_badges_the_viewer_may_see(login, alice, bob, guild):
    secret = make_community(owner=alice, name="Board Room", visibility=Community.Visibility.SECRET)
    make_post(guild, author=alice, title="Guild news")
    make_post(secret, author=alice, title="Secret plans")
    kudos_give(giver=bob, recipients=[alice], value="innovation", message="Bold idea")
    body = login(bob).get(reverse("profiles:timeline", args=[alice.pk])).content.decode()
    assert "Guild news" in body
    assert "Bold idea" in body
    assert "Innovation" in body
    assert "Secret plans" not in body


def test_badges_page_lists_each_badge_with_its_holders(login, alice, bob):
    badge = Badge.objects.create(
        code="mentor", name="Mentor", description="Guides others", is_manual=True
    )
    BadgeAward.objects.create(badge=badge, user=alice, reason="Onboarding")
    body = login(bob).get(reverse("profiles:badges")).content.decode()
    card = body.split('id="badge-mentor"', 1)[1].split("</article>", 1)[0]
    assert "Guides others" in card
    assert "1 holder" in card
    assert "Alice Arnaud" in card


def test_expert_search_ranks_those_who_know(login, alice, bob):
    response = login(bob).get(reverse("profiles:experts"), {"topic": "kubernetes"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "Who knows about kubernetes" in body
    assert "Alice Arnaud" in body.split("Who knows about", 1)[1]
    assert "Follow #kubernetes" in body


def test_expert_search_without_a_topic_explains(login, bob):
    response = login(bob).get(reverse("profiles:experts"), {"topic": "  "})
    assert response.status_code == 400
    assert "This field is required." in response.content.decode() or "Enter a topic." in (
        response.content.decode()
    )


def test_question_pages_load_people_who_may_know(login, alice, bob, guild):
    question = make_post(
        guild,
        author=bob,
        title="Kubernetes upgrade?",
        body="Anyone? #kubernetes",
        kind=Post.Kind.QUESTION,
    )
    client = login(bob)
    page = client.get(reverse("communities:post", args=[question.pk])).content.decode()
    hook = reverse("profiles:post-experts", args=[question.pk])
    assert f'hx-get="{hook}"' in page
    fragment = client.get(hook, HTTP_HX_REQUEST="true").content.decode()
    assert "People who may know" in fragment
    assert "Alice Arnaud" in fragment
    assert "Bob Bernard" not in fragment.split("People who may know", 1)[1]


def test_people_who_may_know_of_a_secret_question_is_404_for_outsiders(login, alice, bob):
    secret = make_community(owner=alice, name="Board Room", visibility=Community.Visibility.SECRET)
    question = make_post(secret, author=alice, title="Hidden?", kind=Post.Kind.QUESTION)
    assert login(bob).get(reverse("profiles:post-experts", args=[question.pk])).status_code == 404


def _busy_community(owner, size: int):
    community = make_community(owner=owner, name="Big Guild")
    members = [make_member(community) for _ in range(size - 1)]
    return community, members


def test_leaderboard_shows_the_top_contributors(login, alice, bob):
    community, members = _busy_community(alice, 6)
    answered_question(community, asker=members[0], answerer=members[1], title="Q1")
    response = login(members[0]).get(reverse("profiles:leaderboard", args=[community.slug]))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Top contributors" in body
    assert str(members[1]) in body.split("Top contributors", 1)[1]
    user_profile_update(user=members[1], show_in_leaderboards=False)
    body = login(members[0]).get(reverse("profiles:leaderboard", args=[community.slug]))
    assert str(members[1]) not in body.content.decode().split("Top contributors", 1)[1]


def test_leaderboard_explains_why_it_is_hidden(settings, login, alice, guild):
    body = login(alice).get(reverse("profiles:leaderboard", args=[guild.slug])).content.decode()
    assert "Top contributors" in body
    assert "Leaderboards appear once a community has 5 members." in body
    community, _members = _busy_community(alice, 6)
    settings.CERCLE_PUBLIC_RECOGNITION = False
    body = login(alice).get(reverse("profiles:leaderboard", args=[community.slug])).content.decode()
    assert "Public recognition is turned off" in body


def test_leaderboard_of_a_private_community_is_refused_to_outsiders(login, alice, bob):
    private = make_community(owner=alice, name="HR Circle", visibility=Community.Visibility.PRIVATE)
    secret = make_community(owner=alice, name="Board Room", visibility=Community.Visibility.SECRET)
    client = login(bob)
    assert client.get(reverse("profiles:leaderboard", args=[private.slug])).status_code == 403
    assert client.get(reverse("profiles:leaderboard", args=[secret.slug])).status_code == 404
    make_member(private, bob, role=Membership.Role.MEMBER)
    assert client.get(reverse("profiles:leaderboard", args=[private.slug])).status_code == 200
