import re

import pytest

pytestmark = pytest.mark.django_db


def test_openapi_schema_describes_the_api_and_its_token(client):
    response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert "/api/v1/me/" in schema["paths"]
    assert schema["components"]["securitySchemes"]["sessionToken"] == {
        "type": "apiKey",
        "in": "header",
        "name": "X-Session-Token",
        "description": "The session token returned by /_allauth/app/v1/auth/login.",
    }


def test_interactive_docs_load_their_assets_locally(client):
    page = client.get("/api/docs/").content.decode()
    assets = re.findall(r'(?:src|href)="([^"]+\.(?:js|css))"', page)
    assert assets, "the docs page should load Swagger UI"
    assert all(asset.startswith("/static/") for asset in assets), assets
    assert "cdn" not in page.lower()
