"""Websocket handshake: origin check and authentication.

Authentication: the browser's session cookie, or a mobile app's session token.

Mobile apps send the allauth headless session token in the ``X-Session-Token``
header of the handshake; browsers send their session cookie. The user ends up
in ``scope["user"]`` either way (AnonymousUser when neither is valid).
"""

from functools import cache
from importlib import import_module

from channels.auth import AuthMiddlewareStack, get_user
from channels.db import database_sync_to_async
from channels.security.websocket import OriginValidator
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.utils.module_loading import import_string

SESSION_TOKEN_HEADER = b"x-session-token"


@cache
def _token_strategy():
    """The configured allauth headless token strategy (``HEADLESS_TOKEN_STRATEGY``), whose
    documented ``lookup_session(token)`` returns the token's Django session, or None when
    it does not or no longer exists."""
    return import_string(settings.HEADLESS_TOKEN_STRATEGY)()


@database_sync_to_async
def _session_for_token(token: str):
    return _token_strategy().lookup_session(token)


async def _user_for_session_token(token: str):
    """The member a session token stands for, checked as Django checks a session cookie
    (expiry, session hash after a password change, active account); None otherwise."""
    if not token.isascii() or not token.isprintable():
        return None  # no session key looks like that; some databases refuse such text
    session = await _session_for_token(token)
    if session is None:
        return None
    user = await get_user({"session": session})
    return user if user.is_authenticated else None


def handshake_header(scope, name: bytes) -> str | None:
    """The value of header ``name`` (lowercase bytes) in the handshake, if any."""
    for key, value in scope.get("headers", []):
        if key.lower() == name:
            return value.decode("latin-1")
    return None


async def credentials_user(scope):
    """The member the handshake's credentials stand for *now* (None when they ended):
    the session token's session, or the cookie's, loaded afresh from the session store
    and checked as at the handshake (expiry, session hash after a password change,
    active account)."""
    token = handshake_header(scope, SESSION_TOKEN_HEADER)
    if token:
        return await _user_for_session_token(token)
    session_key = getattr(scope.get("session"), "session_key", None)
    if not session_key:
        return None
    store = import_module(settings.SESSION_ENGINE).SessionStore(session_key)
    user = await get_user({"session": store})
    return user if user.is_authenticated else None


class SessionTokenMiddleware:
    """Authenticates by ``X-Session-Token`` when the handshake carries one."""

    def __init__(self, inner):
        self.inner = inner

    async def __call__(self, scope, receive, send):
        token = handshake_header(scope, SESSION_TOKEN_HEADER)
        if token:
            user = await _user_for_session_token(token)
            scope = dict(scope, user=user or AnonymousUser())
        return await self.inner(scope, receive, send)


def SessionOrTokenAuthMiddleware(inner):
    return AuthMiddlewareStack(SessionTokenMiddleware(inner))


class BrowserOriginValidator(OriginValidator):
    """Refuses cross-site browser handshakes; lets native apps (no Origin header) through.

    Browsers always send ``Origin``, so a page on another site cannot ride the
    member's cookie. Native apps send no Origin and authenticate with their
    session token, which no other site can read.
    """

    def __init__(self, application):
        allowed = list(settings.ALLOWED_HOSTS)
        if settings.DEBUG and not allowed:
            allowed = ["localhost", "127.0.0.1", "[::1]"]
        super().__init__(application, allowed)

    def valid_origin(self, parsed_origin) -> bool:
        if parsed_origin is None:
            return True
        return self.validate_origin(parsed_origin)
