"""The expert finder: who may know about a topic or a question, and why."""

import pytest

from communities.models import Community, Post
from config.errors import NotFound
from profiles.models import Kudos
from profiles.selectors import experts_for
from profiles.services import user_profile_update
from tests.factories import UserFactory, make_community, make_member, make_post
from tests.profiles.factories_profiles import answered_question

pytestmark = pytest.mark.django_db


def kudos(giver, recipient, message, *, community=None, is_hidden=False):
    given = Kudos.objects.create(
        giver=giver, value="helpful", message=message, community=community, is_hidden=is_hidden
    )
    given.recipients.add(recipient)
    return given


@pytest.fixture
def world():
    asker = UserFactory(display_name="Asker")
    viewer = UserFactory(display_name="Viewer")
    helper = UserFactory(display_name="Helper")
    claimer = UserFactory(display_name="Claimer")
    praised = UserFactory(display_name="Praised")
    public = make_community(owner=asker, name="Dev")
    for person in (viewer, helper, claimer, praised):
        make_member(public, person)
    return locals()


def _ranking(experts):
    return [(expert.user.display_name, expert.score) for expert in experts]


def test_accepted_answers_outrank_declared_skills_and_kudos_count_distinct_colleagues(world):
    answered_question(world["public"], asker=world["asker"], answerer=world["helper"])
    answered_question(world["public"], asker=world["asker"], answerer=world["helper"])
    user_profile_update(user=world["claimer"], skills=["Python", "Advanced Python scripting"])
    kudos(world["asker"], world["praised"], "Thanks for the Python help!")
    kudos(world["asker"], world["praised"], "Python again, thanks")  # same colleague
    kudos(world["helper"], world["praised"], "Great #python tips")
    kudos(world["asker"], world["claimer"], "Pythonic code")  # not the word: no match

    experts = experts_for(viewer=world["viewer"], topic="#Python")

    assert _ranking(experts) == [("Helper", 6), ("Claimer", 4), ("Praised", 4)]
    helper, claimer, praised = experts
    assert helper.reasons == ["2 accepted answers on #python."]
    assert claimer.reasons == ["Declares the skill Advanced Python scripting, Python."]
    assert praised.reasons == ["Kudos from 2 colleagues about it."]
    user, score, reasons = helper  # a plain tuple too
    assert (user, score, reasons) == (world["helper"], 6, helper.reasons)


def test_answers_and_kudos_in_a_secret_community_count_only_for_its_members(world):
    secret = make_community(
        owner=world["asker"], visibility=Community.Visibility.SECRET, name="Board"
    )
    make_member(secret, world["helper"])
    make_member(secret, world["praised"])
    answered_question(secret, asker=world["asker"], answerer=world["helper"])
    kudos(world["asker"], world["praised"], "python wizard", community=secret)

    assert experts_for(viewer=world["viewer"], topic="python") == []

    insider = make_member(secret, UserFactory(display_name="Insider"))
    assert _ranking(experts_for(viewer=insider, topic="python")) == [
        ("Helper", 3),
        ("Praised", 2),
    ]


def test_hidden_kudos_and_deactivated_members_do_not_count(world):
    kudos(world["asker"], world["praised"], "python", is_hidden=True)
    user_profile_update(user=world["claimer"], skills=["Python"])
    world["claimer"].is_active = False
    world["claimer"].save()
    assert experts_for(viewer=world["viewer"], topic="python") == []


def test_the_viewer_is_not_their_own_expert(world):
    user_profile_update(user=world["viewer"], skills=["Python"])
    assert experts_for(viewer=world["viewer"], topic="python") == []


def test_for_a_question_its_topics_and_title_words_count_and_the_asker_is_left_out(world):
    user_profile_update(user=world["claimer"], skills=["Kubernetes"])
    user_profile_update(user=world["asker"], skills=["Kubernetes"])
    answered_question(
        world["public"], asker=world["viewer"], answerer=world["helper"], body="About #helm"
    )
    question = make_post(
        world["public"],
        author=world["asker"],
        title="How should we deploy Kubernetes?",
        body="Any #helm experience?",
        kind=Post.Kind.QUESTION,
    )
    experts = experts_for(viewer=world["viewer"], post=question)
    assert _ranking(experts) == [("Helper", 3), ("Claimer", 2)]
    assert experts[0].reasons == ["1 accepted answer on #helm."]


def test_a_question_the_viewer_may_not_read_is_not_found(world):
    secret = make_community(owner=world["asker"], visibility=Community.Visibility.SECRET)
    question = make_post(secret, author=world["asker"], kind=Post.Kind.QUESTION)
    with pytest.raises(NotFound):
        experts_for(viewer=world["viewer"], post=question)


def test_nothing_known_and_no_kudos_at_all_is_an_empty_list(world):
    assert Kudos.objects.count() == 0
    assert experts_for(viewer=world["viewer"], topic="cobol") == []
    assert experts_for(viewer=world["viewer"], topic="") == []


def test_limit_and_constant_queries(world, django_assert_num_queries):
    for _ in range(12):
        user_profile_update(user=UserFactory(), skills=["Rust"])
    with django_assert_num_queries(4):
        experts = experts_for(viewer=world["viewer"], topic="rust", limit=5)
    assert len(experts) == 5
