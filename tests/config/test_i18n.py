import pytest
from django.conf import settings

pytestmark = pytest.mark.django_db


def test_language_switcher_turns_the_interface_french(client, user):
    client.force_login(user)
    assert "Latest in your communities" in client.get("/").content.decode()
    response = client.post("/i18n/setlang/", {"language": "fr", "next": "/"})
    assert response.status_code == 302
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "fr"
    page = client.get("/").content.decode()
    assert '<html lang="fr"' in page
    assert "Dernières nouvelles de vos communautés" in page
    assert "Bonjour, Camille Martin" in page


def test_browser_language_is_honoured_for_anonymous_visitors(client):
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="fr-FR,fr;q=0.9").content.decode()
    assert "Bienvenue sur Cercle" in page
    assert "Se connecter" in page


def test_api_errors_are_translated_too(api_client):
    response = api_client.get("/api/v1/me/", HTTP_ACCEPT_LANGUAGE="fr")
    assert response.status_code == 401
    assert response.json()["detail"] == "Informations d'authentification non fournies."
