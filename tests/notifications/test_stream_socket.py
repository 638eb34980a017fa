"""/ws/stream/: who may connect, and events arriving only after the commit."""

import asyncio

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.contrib.sessions.models import Session
from django.db import transaction
from django.test import Client

from config.asgi import application
from notifications.events import send_event_on_commit, user_group
from tests.factories import UserFactory, app_session_token

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]

ORIGIN = (b"origin", b"http://testserver")


@sync_to_async
def _member_with_cookie():
    user = UserFactory()
    client = Client()
    client.force_login(user)
    return user, f"sessionid={client.cookies['sessionid'].value}".encode()


@sync_to_async
def _member_with_token():
    user = UserFactory()
    return user, app_session_token(user).encode()


def _connect(headers, path="/ws/stream/"):
    return WebsocketCommunicator(application, path, headers=headers)


# --- Helpers shared by the tests/notifications/test_stream_*.py modules ------------------


@sync_to_async
def cookie_for(user) -> bytes:
    """The session cookie of ``user``, logged in through a browser session."""
    client = Client()
    client.force_login(user)
    return f"sessionid={client.cookies['sessionid'].value}".encode()


async def connect_as(user, query: str = "") -> WebsocketCommunicator:
    """A connected /ws/stream/ socket of ``user`` (browser cookie), ``?query`` appended."""
    cookie = await cookie_for(user)
    path = "/ws/stream/" + (f"?{query}" if query else "")
    communicator = _connect([ORIGIN, (b"cookie", cookie)], path)
    connected, code = await communicator.connect()
    assert connected, code
    return communicator


async def drain(communicator, timeout: float = 0.4, at_most: float = 5.0) -> list[dict]:
    """Every frame but heartbeats received until nothing more arrives for ``timeout``
    seconds (or for ``at_most`` seconds in all, as heartbeats may never stop)."""
    frames = []
    deadline = asyncio.get_running_loop().time() + at_most
    while asyncio.get_running_loop().time() < deadline:
        if await communicator.receive_nothing(timeout=timeout):
            break
        frame = await communicator.receive_json_from()
        if frame != {"type": "heartbeat"}:
            frames.append(frame)
    return frames


@sync_to_async
def _publish(user_id, *, rollback=False):
    class Rollback(Exception):
        pass

    try:
        with transaction.atomic():
            send_event_on_commit(
                groups=[user_group(user_id)], event_type="unread_count", data={"count": 3}
            )
            if rollback:
                raise Rollback
    except Rollback:
        pass


async def test_anonymous_connection_is_closed_with_4401():
    communicator = _connect([ORIGIN])
    connected, code = await communicator.connect()
    await communicator.disconnect()
    assert (connected, code) == (False, 4401)


async def test_browser_session_cookie_connects_and_receives_personal_events():
    user, cookie = await _member_with_cookie()
    communicator = _connect([ORIGIN, (b"cookie", cookie)])
    connected, _ = await communicator.connect()
    assert connected
    await _publish(user.pk)
    event = await communicator.receive_json_from(timeout=2)
    assert event["type"] == "unread_count"
    assert event["data"] == {"count": 3}
    assert {"id", "type", "data", "created_at"} <= set(event)
    await communicator.disconnect()


async def test_mobile_session_token_connects_without_an_origin_header():
    user, token = await _member_with_token()
    communicator = _connect([(b"x-session-token", token)])
    connected, _ = await communicator.connect()
    assert connected
    await _publish(user.pk)
    assert (await communicator.receive_json_from(timeout=2))["type"] == "unread_count"
    await communicator.disconnect()


@pytest.mark.parametrize(
    "token",
    [b"forged", b"a" * 32, b"\x00" * 32, "jeton-é".encode("latin-1"), b"x" * 5000],
    ids=["short", "well-formed-unknown", "nul-bytes", "non-ascii", "huge"],
)
async def test_forged_token_is_closed_with_4401(token):
    communicator = _connect([(b"x-session-token", token)])
    result = await communicator.connect()
    await communicator.disconnect()
    assert result == (False, 4401)


async def test_token_of_an_ended_session_is_closed_with_4401():
    _, token = await _member_with_token()
    await sync_to_async(Session.objects.all().delete)()  # logged out, or expired and purged
    communicator = _connect([(b"x-session-token", token)])
    result = await communicator.connect()
    await communicator.disconnect()
    assert result == (False, 4401)


async def test_cookie_of_an_ended_session_is_closed_with_4401():
    _, cookie = await _member_with_cookie()
    await sync_to_async(Session.objects.all().delete)()
    communicator = _connect([ORIGIN, (b"cookie", cookie)])
    result = await communicator.connect()
    await communicator.disconnect()
    assert result == (False, 4401)


async def test_cross_site_browser_handshake_is_refused():
    _, cookie = await _member_with_cookie()
    communicator = _connect([(b"origin", b"https://evil.example"), (b"cookie", cookie)])
    connected, _ = await communicator.connect()
    await communicator.disconnect()
    assert not connected


async def test_rolled_back_transaction_sends_nothing():
    user, cookie = await _member_with_cookie()
    communicator = _connect([ORIGIN, (b"cookie", cookie)])
    await communicator.connect()
    await _publish(user.pk, rollback=True)
    assert await communicator.receive_nothing(timeout=0.3)
    await communicator.disconnect()


async def test_other_members_do_not_receive_personal_events():
    _, cookie = await _member_with_cookie()
    other, _ = await _member_with_cookie()
    communicator = _connect([ORIGIN, (b"cookie", cookie)])
    await communicator.connect()
    await _publish(other.pk)
    assert await communicator.receive_nothing(timeout=0.3)
    await communicator.disconnect()


async def test_malformed_frames_get_an_error_and_the_socket_keeps_serving():
    _, cookie = await _member_with_cookie()
    communicator = _connect([ORIGIN, (b"cookie", cookie)])
    await communicator.connect()
    await communicator.send_to(text_data="{not json")
    assert await communicator.receive_json_from() == {
        "type": "error",
        "code": "malformed_json",
        "detail": "Frames must be JSON objects.",
    }
    await communicator.send_json_to({"type": "launch-missiles"})
    assert (await communicator.receive_json_from())["code"] == "unknown_type"
    await communicator.send_json_to({"type": "ping"})
    assert await communicator.receive_json_from() == {"type": "pong"}
    await communicator.disconnect()
