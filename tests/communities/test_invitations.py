"""Inviting colleagues (referral and bulk), the invitation email, and answering it."""

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.urls import reverse

from communities import permissions
from communities.models import Community, Invitation, Membership
from communities.services.invitations import (
    invitation_accept,
    invitation_bulk_create_from_csv,
    invitation_create,
    invitation_decline,
    invitations_claim,
)
from config.errors import Conflict, NotFound, PermissionDenied, ValidationError
from metrics.models import Activity
from profiles.models import User
from tests.communities.factories_memberships import make_role_world
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

INVITATION_ONLY = Community.JoinPolicy.INVITATION


@pytest.fixture
def world():
    return make_role_world(visibility="private")


def test_member_invites_a_colleague_and_a_newcomer(world, django_capture_on_commit_callbacks):
    colleague = UserFactory(email="lea.dubois@acme.example", display_name="Léa Dubois")
    community = world["community"]
    with django_capture_on_commit_callbacks(execute=True):
        invitations = invitation_create(
            inviter=world["member"],
            community=community,
            emails=[" Lea.Dubois@ACME.example ", "newcomer@acme.example", "newcomer@acme.example"],
        )
        assert mail.outbox == []
    assert [i.email for i in invitations] == ["lea.dubois@acme.example", "newcomer@acme.example"]
    assert invitations[0].invitee == colleague
    assert invitations[1].invitee is None
    assert {i.invited_by for i in invitations} == {world["member"]}
    assert (
        Activity.objects.filter(
            actor=world["member"], verb=Activity.Verb.MEMBER_INVITED, community=community
        ).count()
        == 2
    )
    by_recipient = {message.to[0]: message for message in mail.outbox}
    assert set(by_recipient) == {"lea.dubois@acme.example", "newcomer@acme.example"}
    community_url = f"https://example.com/communities/{community.slug}/"
    to_colleague = by_recipient["lea.dubois@acme.example"]
    assert community.name in to_colleague.subject
    assert world["member"].display_name in to_colleague.subject
    assert community_url in to_colleague.body
    assert "/accounts/signup/" not in to_colleague.body
    to_newcomer = by_recipient["newcomer@acme.example"]
    assert "https://example.com/accounts/signup/?email=newcomer%40acme.example" in to_newcomer.body
    html, mimetype = to_newcomer.alternatives[0]
    assert mimetype == "text/html"
    assert "https://example.com/accounts/signup/?email=newcomer%40acme.example" in html
    assert "<strong>" in html


def test_links_use_http_when_debugging(world, settings, django_capture_on_commit_callbacks):
    settings.DEBUG = True
    with django_capture_on_commit_callbacks(execute=True):
        invitation_create(
            inviter=world["owner"], community=world["community"], emails=["new@acme.example"]
        )
    assert "http://example.com/accounts/signup/" in mail.outbox[0].body


def test_rolled_back_invitation_sends_nothing(world, django_capture_on_commit_callbacks):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        invitation_create(
            inviter=world["owner"], community=world["community"], emails=["x@acme.example"]
        )
        raise RuntimeError("the request failed after the invitation")
    assert callbacks == []
    assert mail.outbox == []
    assert not Invitation.objects.exists()


def test_invalid_addresses_refuse_the_whole_batch(world, django_capture_on_commit_callbacks):
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(ValidationError) as excinfo,
    ):
        invitation_create(
            inviter=world["owner"],
            community=world["community"],
            emails=["good@acme.example", "not-an-email", "also@bad@acme"],
        )
    assert len(excinfo.value.field_errors["emails"]) == 2
    assert "not-an-email" in excinfo.value.field_errors["emails"][0]
    assert not Invitation.objects.exists()
    assert not Activity.objects.filter(verb=Activity.Verb.MEMBER_INVITED).exists()
    assert mail.outbox == []


def test_empty_list_is_refused(world):
    with pytest.raises(ValidationError) as excinfo:
        invitation_create(inviter=world["owner"], community=world["community"], emails=["  "])
    assert "emails" in excinfo.value.field_errors


def test_members_and_pending_invitations_are_skipped(world):
    community = world["community"]
    invitation_create(inviter=world["owner"], community=community, emails=["first@acme.example"])
    created = invitation_create(
        inviter=world["owner"],
        community=community,
        emails=[
            world["member"].email,
            world["banned"].email,
            "first@acme.example",
            "b@acme.example",
        ],
    )
    assert [i.email for i in created] == ["b@acme.example"]


def test_inviting_only_existing_members_or_invitees_is_a_conflict(world):
    community = world["community"]
    invitation_create(inviter=world["owner"], community=community, emails=["first@acme.example"])
    with pytest.raises(Conflict):
        invitation_create(
            inviter=world["manager"],
            community=community,
            emails=["first@acme.example", world["member"].email],
        )
    assert Invitation.objects.filter(email="first@acme.example").count() == 1


# (inviter, visibility, join policy, expected error or None)
INVITE_TABLE = [
    ("owner", "private", "open", None),
    ("manager", "private", "open", None),
    ("moderator", "private", "request", None),
    ("member", "private", "request", None),
    ("outsider", "public", "open", PermissionDenied),
    ("banned", "public", "open", PermissionDenied),
    ("owner", "secret", INVITATION_ONLY, None),
    ("manager", "secret", INVITATION_ONLY, None),
    ("moderator", "secret", INVITATION_ONLY, PermissionDenied),
    ("member", "secret", INVITATION_ONLY, PermissionDenied),
    ("outsider", "secret", INVITATION_ONLY, NotFound),
    ("banned", "secret", "open", NotFound),
]


@pytest.mark.parametrize("who, visibility, policy, error", INVITE_TABLE)
def test_invite_permission_table(who, visibility, policy, error):
    world = make_role_world(visibility=visibility, join_policy=policy)
    kwargs = {"inviter": world[who], "community": world["community"], "emails": ["a@acme.example"]}
    if error is None:
        assert len(invitation_create(**kwargs)) == 1
    else:
        with pytest.raises(error):
            invitation_create(**kwargs)
        assert not Invitation.objects.exists()


def test_archived_community_takes_no_invitation(world):
    world["community"].is_archived = True
    world["community"].save()
    with pytest.raises(ValidationError):
        invitation_create(
            inviter=world["owner"], community=world["community"], emails=["a@acme.example"]
        )


CSV_TEXT = (
    "name;email\n"
    "Léa Dubois;lea@acme.example\n"
    '"Martin, Camille",camille@acme.example\n'
    "hugo@acme.example hugo2@acme.example\n"
    "\n"
    "<zoe@acme.example>\n"
)


def test_manager_bulk_invites_from_pasted_text(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        created = invitation_bulk_create_from_csv(
            inviter=world["manager"], community=world["community"], file_or_text=CSV_TEXT
        )
    assert sorted(i.email for i in created) == [
        "camille@acme.example",
        "hugo2@acme.example",
        "hugo@acme.example",
        "lea@acme.example",
        "zoe@acme.example",
    ]
    assert len(mail.outbox) == 5


def test_owner_bulk_invites_from_an_uploaded_latin1_csv(world):
    upload = SimpleUploadedFile(
        "people.csv", "nom,courriel\nRaphaël,raphael@acme.example\n".encode("latin-1")
    )
    created = invitation_bulk_create_from_csv(
        inviter=world["owner"], community=world["community"], file_or_text=upload
    )
    assert [i.email for i in created] == ["raphael@acme.example"]


@pytest.mark.parametrize(
    "who, error",
    [("moderator", PermissionDenied), ("member", PermissionDenied), ("outsider", PermissionDenied)],
)
def test_only_managers_bulk_invite(world, who, error):
    with pytest.raises(error):
        invitation_bulk_create_from_csv(
            inviter=world[who], community=world["community"], file_or_text="a@acme.example"
        )
    assert not Invitation.objects.exists()


@pytest.mark.parametrize("text", ["", "name,department\nLéa,Sales\n"])
def test_bulk_list_without_addresses_is_refused(world, text):
    with pytest.raises(ValidationError) as excinfo:
        invitation_bulk_create_from_csv(
            inviter=world["owner"], community=world["community"], file_or_text=text
        )
    assert "emails" in excinfo.value.field_errors


def test_bulk_list_with_an_invalid_address_writes_nothing(world):
    with pytest.raises(ValidationError) as excinfo:
        invitation_bulk_create_from_csv(
            inviter=world["owner"],
            community=world["community"],
            file_or_text="ok@acme.example\nbroken@\n",
        )
    assert excinfo.value.field_errors["emails"]
    assert not Invitation.objects.exists()


def test_oversized_bulk_file_is_refused(world):
    with pytest.raises(ValidationError):
        invitation_bulk_create_from_csv(
            inviter=world["owner"],
            community=world["community"],
            file_or_text=b"a@acme.example\n" * 80_000,
        )


@pytest.fixture
def invited(user):
    world = make_role_world(visibility="secret", join_policy=INVITATION_ONLY)
    (invitation,) = invitation_create(
        inviter=world["manager"], community=world["community"], emails=[user.email]
    )
    world["invitation"] = invitation
    return world


def test_accepting_makes_a_member_who_remembers_the_referrer(invited, user):
    community = invited["community"]
    membership = invitation_accept(user=user, invitation=invited["invitation"])
    assert (membership.status, membership.role) == ("active", "member")
    assert membership.invited_by == invited["manager"]
    assert permissions.can_read(user, community)
    invitation = Invitation.objects.get(pk=invited["invitation"].pk)
    assert invitation.status == "accepted"
    assert invitation.responded_at is not None
    assert Activity.objects.filter(
        actor=user, verb=Activity.Verb.MEMBER_JOINED, community=community
    ).exists()


def test_an_invitation_is_answered_once(invited, user):
    invitation_accept(user=user, invitation=invited["invitation"])
    with pytest.raises(ValidationError):
        invitation_accept(user=user, invitation=invited["invitation"])
    with pytest.raises(ValidationError):
        invitation_decline(user=user, invitation=invited["invitation"])


def test_someone_elses_invitation_does_not_exist_for_you(invited, other_user):
    with pytest.raises(NotFound):
        invitation_accept(user=other_user, invitation=invited["invitation"])
    with pytest.raises(NotFound):
        invitation_decline(user=other_user, invitation=invited["invitation"])
    assert Invitation.objects.get(pk=invited["invitation"].pk).status == "pending"
    assert not permissions.can_see(other_user, invited["community"])


def test_declining_leaves_one_outside(invited, user):
    invitation_decline(user=user, invitation=invited["invitation"])
    assert Invitation.objects.get(pk=invited["invitation"].pk).status == "declined"
    assert not permissions.is_member(user, invited["community"])


def test_banned_person_cannot_accept_an_old_invitation(invited, user):
    Membership.objects.create(community=invited["community"], user=user, status="banned")
    with pytest.raises(PermissionDenied):
        invitation_accept(user=user, invitation=invited["invitation"])
    assert Membership.objects.get(community=invited["community"], user=user).status == "banned"
    assert Invitation.objects.get(pk=invited["invitation"].pk).status == "pending"


def test_signup_claims_invitations_sent_before_the_account_existed(client):
    world = make_role_world(visibility="secret", join_policy=INVITATION_ONLY)
    (invitation,) = invitation_create(
        inviter=world["owner"], community=world["community"], emails=["Newbie@acme.example"]
    )
    assert invitation.invitee is None
    client.post(
        reverse("account_signup"),
        {
            "email": "newbie@acme.example",
            "display_name": "New Colleague",
            "password1": "A-long-pass-phrase-42",
            "password2": "A-long-pass-phrase-42",
        },
    )
    newbie = User.objects.get(email="newbie@acme.example")
    invitation.refresh_from_db()
    assert invitation.invitee == newbie
    membership = invitation_accept(user=newbie, invitation=invitation)
    assert membership.invited_by == world["owner"]


def test_claim_counts_only_unclaimed_pending_invitations():
    world = make_role_world()
    newbie = UserFactory(email="late@acme.example")
    Invitation.objects.create(
        community=world["community"], email="late@acme.example", invited_by=world["owner"]
    )
    Invitation.objects.create(
        community=world["community"],
        email="late@acme.example",
        invited_by=world["owner"],
        status="declined",
    )
    assert invitations_claim(user=newbie) == 1
    assert invitations_claim(user=newbie) == 0
