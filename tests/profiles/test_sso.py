"""Single sign-on providers come from the environment (or the admin), with no code."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]

OIDC = [
    {
        "id": "acme-oidc",
        "name": "Acme login",
        "client_id": "cercle",
        "secret": "s3cret",
        "server_url": "https://idp.acme.example/realms/acme",
    }
]
SAML = [
    {
        "provider_id": "saml",
        "name": "Acme SAML",
        "client_id": "acme",
        "settings": {
            "attribute_mapping": {"uid": "uid", "email": "email"},
            "idp": {
                "entity_id": "https://idp.acme.example/saml",
                "sso_url": "https://idp.acme.example/saml/sso",
                "slo_url": "https://idp.acme.example/saml/slo",
                "x509cert": "MIIC",
            },
        },
    }
]


def test_sso_providers_are_read_from_the_environment():
    env = dict(
        os.environ, CERCLE_OIDC_PROVIDERS=json.dumps(OIDC), CERCLE_SAML_PROVIDERS=json.dumps(SAML)
    )
    env.pop("DATABASE_URL", None)
    code = (
        "import django, json; django.setup(); from django.conf import settings; "
        "p = settings.SOCIALACCOUNT_PROVIDERS; "
        "print(json.dumps([p['openid_connect']['APPS'], p['saml']['APPS']]))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    oidc_apps, saml_apps = json.loads(result.stdout)
    assert oidc_apps == [
        {
            "provider_id": "acme-oidc",
            "name": "Acme login",
            "client_id": "cercle",
            "secret": "s3cret",
            "settings": {"server_url": "https://idp.acme.example/realms/acme"},
        }
    ]
    assert saml_apps == SAML


@pytest.fixture
def sso_configured(settings):
    settings.SOCIALACCOUNT_PROVIDERS = {
        "openid_connect": {
            "APPS": [
                {
                    "provider_id": "acme-oidc",
                    "name": "Acme login",
                    "client_id": "cercle",
                    "secret": "s3cret",
                    "settings": {"server_url": "https://idp.acme.example/realms/acme"},
                }
            ]
        },
        "saml": {"APPS": SAML},
    }


def test_login_page_offers_the_configured_providers(client, sso_configured):
    page = client.get("/accounts/login/").content.decode()
    assert "Acme login" in page
    assert "/accounts/oidc/acme-oidc/login/" in page
    assert "Acme SAML" in page


def test_saml_service_provider_metadata_is_served(client, sso_configured, settings):
    settings.ALLOWED_HOSTS = ["cercle.acme.example"]
    response = client.get("/accounts/saml/acme/metadata/", HTTP_HOST="cercle.acme.example")
    assert response.status_code == 200
    assert b"EntityDescriptor" in response.content
    assert b"/accounts/saml/acme/acs/" in response.content
