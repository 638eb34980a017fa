import pytest

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_admin_is_branded_and_lists_members(client):
    admin = UserFactory(is_staff=True, is_superuser=True)
    UserFactory(email="zoe@acme.example", display_name="Zoé Morel")
    client.force_login(admin)
    index = client.get("/admin/")
    assert index.status_code == 200
    assert "Cercle administration" in index.content.decode()
    users = client.get("/admin/profiles/user/?q=zoe")
    assert users.status_code == 200
    assert "Zoé Morel" in users.content.decode()


def test_admin_creates_a_member_with_email_and_display_name(client):
    admin = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(admin)
    response = client.post(
        "/admin/profiles/user/add/",
        {
            "email": "new.hire@acme.example",
            "display_name": "New Hire",
            "password1": "A-long-pass-phrase-42",
            "password2": "A-long-pass-phrase-42",
            "usable_password": "true",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    from profiles.models import User

    assert User.objects.get(email="new.hire@acme.example").display_name == "New Hire"


@pytest.mark.parametrize("is_staff, status", [(False, 302), (True, 200)])
def test_only_staff_reach_the_admin(client, is_staff, status):
    client.force_login(UserFactory(is_staff=is_staff))
    assert client.get("/admin/").status_code == status
