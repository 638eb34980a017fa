"""Bulk invitations from the admin: pasted addresses or an uploaded CSV go through
invitation_bulk_create_from_csv; bad input is a form error and writes nothing."""

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from communities.models import Invitation
from metrics.models import Activity
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

BULK = "admin:communities_invitation_bulk"


def invitations_of(community):
    return set(
        Invitation.objects.filter(community=community, status=Invitation.Status.PENDING)
        .exclude(email__endswith=".guest@example.org")  # the fixture's own invitation
        .values_list("email", flat=True)
    )


def test_the_add_button_leads_to_the_bulk_page(cm_client):
    response = cm_client.get(reverse("admin:communities_invitation_add"))
    assert response.status_code == 302
    assert response["Location"] == reverse(BULK)
    page = cm_client.get(reverse(BULK)).content.decode()
    assert "Alpha Guild" in page
    assert "Beta Guild" not in page


def test_the_community_list_links_to_the_bulk_page_with_the_community_chosen(cm_client, alpha):
    listing = cm_client.get(reverse("admin:communities_community_changelist")).content.decode()
    link = f"{reverse(BULK)}?community={alpha.community.pk}"
    assert link in listing
    page = cm_client.get(link).content.decode()
    assert f'<option value="{alpha.community.pk}" selected>' in page


def test_pasted_addresses_are_invited_and_unknown_ones_get_an_email_on_commit(
    cm_client, cm, alpha, django_capture_on_commit_callbacks
):
    colleague = UserFactory(email="known.colleague@acme.example")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks() as callbacks:
        response = cm_client.post(
            reverse(BULK),
            {
                "community": alpha.community.pk,
                "emails": "stranger.one@example.org\nknown.colleague@acme.example; "
                "Stranger.Two@example.org",
            },
        )
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:communities_invitation_changelist")
    assert mail.outbox == [], "the emails wait for the commit"
    for callback in callbacks:
        callback()
    assert invitations_of(alpha.community) == {
        "stranger.one@example.org",
        "known.colleague@acme.example",
        "stranger.two@example.org",
    }
    linked = Invitation.objects.get(email="known.colleague@acme.example")
    assert linked.invitee == colleague
    assert linked.invited_by == cm
    recipients = {message.to[0] for message in mail.outbox}
    assert {"stranger.one@example.org", "stranger.two@example.org"} <= recipients
    stranger_mail = next(m for m in mail.outbox if m.to == ["stranger.one@example.org"])
    assert "Alpha Guild" in stranger_mail.subject
    assert "signup" in stranger_mail.body
    assert (
        Activity.objects.filter(
            verb=Activity.Verb.MEMBER_INVITED, actor=cm, community=alpha.community
        ).count()
        == 3
    )
    followed = cm_client.get(response["Location"]).content.decode()
    assert "3 invitations sent to Alpha Guild." in followed


def test_a_csv_upload_invites_every_address_in_it(
    cm_client, alpha, django_capture_on_commit_callbacks
):
    csv_file = SimpleUploadedFile(
        "team.csv",
        "name,email\nJeanne Dupont,jeanne.dupont@example.org\n"
        "Émile Zola,emile.zola@example.org\n".encode(),
        content_type="text/csv",
    )
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = cm_client.post(
            reverse(BULK), {"community": alpha.community.pk, "csv_file": csv_file}
        )
    assert response.status_code == 302
    assert invitations_of(alpha.community) == {
        "jeanne.dupont@example.org",
        "emile.zola@example.org",
    }
    assert {m.to[0] for m in mail.outbox} == {
        "jeanne.dupont@example.org",
        "emile.zola@example.org",
    }


def test_an_invalid_line_in_a_csv_is_a_form_error_and_nothing_is_written(
    cm_client, alpha, django_capture_on_commit_callbacks
):
    csv_file = SimpleUploadedFile(
        "team.csv", b"email\ngood.person@example.org\njean@@example\n", content_type="text/csv"
    )
    activities_before = Activity.objects.exclude(verb=Activity.Verb.VISITED).count()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = cm_client.post(
            reverse(BULK), {"community": alpha.community.pk, "csv_file": csv_file}
        )
    assert response.status_code == 200
    page = response.content.decode()
    assert "errorlist" in page
    assert "jean@@example" in page
    assert "is not a valid email address" in page
    assert invitations_of(alpha.community) == set()
    assert Activity.objects.exclude(verb=Activity.Verb.VISITED).count() == activities_before
    assert mail.outbox == []


def test_an_invalid_pasted_address_is_a_form_error_on_the_paste(cm_client, alpha):
    response = cm_client.post(
        reverse(BULK),
        {"community": alpha.community.pk, "emails": "ok.person@example.org\nbroken@"},
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert any("broken@" in error for error in form.errors["emails"])
    assert invitations_of(alpha.community) == set()


@pytest.mark.parametrize(
    "data, message",
    [
        ({}, "Paste some email addresses or upload a CSV file."),
        ({"emails": "   "}, "Paste some email addresses or upload a CSV file."),
        ({"emails": "just some words"}, "No email address was found"),
    ],
)
def test_an_empty_paste_is_a_form_error(cm_client, alpha, data, message):
    response = cm_client.post(reverse(BULK), {"community": alpha.community.pk, **data})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert invitations_of(alpha.community) == set()


def test_a_spreadsheet_instead_of_a_csv_is_a_form_error(cm_client, alpha):
    xlsx = SimpleUploadedFile("team.xlsx", b"PK\x03\x04\x00\x00binary", content_type="x")
    response = cm_client.post(reverse(BULK), {"community": alpha.community.pk, "csv_file": xlsx})
    assert response.status_code == 200
    assert "export the sheet as CSV" in response.content.decode()
    assert invitations_of(alpha.community) == set()


def test_pasting_and_uploading_at_once_is_a_form_error(cm_client, alpha):
    csv_file = SimpleUploadedFile("team.csv", b"a.person@example.org\n")
    response = cm_client.post(
        reverse(BULK),
        {"community": alpha.community.pk, "emails": "b.person@example.org", "csv_file": csv_file},
    )
    assert response.status_code == 200
    assert "not both" in response.content.decode()
    assert invitations_of(alpha.community) == set()


def test_only_people_who_manage_a_community_reach_the_bulk_page(client, alpha):
    client.force_login(UserFactory(is_staff=True))
    assert client.get(reverse(BULK)).status_code == 403


def test_inviting_only_current_members_is_a_form_error(cm_client, alpha):
    response = cm_client.post(
        reverse(BULK), {"community": alpha.community.pk, "emails": alpha.member.email}
    )
    assert response.status_code == 200
    assert "Everyone on the list is already a member or already invited." in (
        response.content.decode()
    )
    assert invitations_of(alpha.community) == set()


def test_a_latin1_csv_export_is_read(cm_client, alpha, django_capture_on_commit_callbacks):
    csv_file = SimpleUploadedFile(
        "export.csv", "nom;email\nHélène;helene.roux@example.org\n".encode("latin-1")
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = cm_client.post(
            reverse(BULK), {"community": alpha.community.pk, "csv_file": csv_file}
        )
    assert response.status_code == 302
    assert invitations_of(alpha.community) == {"helene.roux@example.org"}
