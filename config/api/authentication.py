from allauth.headless.contrib.rest_framework.authentication import XSessionTokenAuthentication
from drf_spectacular.extensions import OpenApiAuthenticationExtension


class SessionTokenAuthentication(XSessionTokenAuthentication):
    """The allauth headless session token (``X-Session-Token``) that mobile apps send.

    Declaring an authentication header makes unauthenticated API calls answer
    401 rather than 403, which tells a mobile client to log in again.
    """

    def authenticate_header(self, request) -> str:
        return 'Session-Token realm="api"'


class SessionTokenScheme(OpenApiAuthenticationExtension):
    """Documents the session token in the OpenAPI schema."""

    target_class = SessionTokenAuthentication
    name = "sessionToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "X-Session-Token",
            "description": "The session token returned by /_allauth/app/v1/auth/login.",
        }
