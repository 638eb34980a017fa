"""/ws/stream/ ends when its credentials end: logging out closes that session's sockets
with 4401 (and no other), deactivating or deleting an account closes all of its sockets,
after the commit only."""

import asyncio
import json

import pytest
from asgiref.sync import sync_to_async
from channels.layers import BaseChannelLayer
from channels.testing import WebsocketCommunicator
from django.db import transaction
from django.test import Client
from django.urls import reverse

from config.asgi import application
from notifications.events import session_group
from tests.factories import UserFactory, app_session_token

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]

ORIGIN = (b"origin", b"http://testserver")
CLOSE_UNAUTHENTICATED = 4401


# --- Sessions and sockets -----------------------------------------------------------------


@sync_to_async
def _browser_session(user) -> Client:
    """A browser logged in as ``user``: its own session cookie."""
    client = Client()
    client.force_login(user)
    return client


def _cookie_headers(client: Client) -> list[tuple[bytes, bytes]]:
    return [ORIGIN, (b"cookie", f"sessionid={client.cookies['sessionid'].value}".encode())]


# A mobile app logged in as a member through allauth headless: its session token.
_app_session = sync_to_async(app_session_token)


async def _socket(headers) -> WebsocketCommunicator:
    communicator = WebsocketCommunicator(application, "/ws/stream/", headers=headers)
    connected, code = await communicator.connect()
    assert connected, code
    return communicator


async def _browser_socket(client: Client) -> WebsocketCommunicator:
    return await _socket(_cookie_headers(client))


async def _app_socket(token: str) -> WebsocketCommunicator:
    return await _socket([(b"x-session-token", token.encode())])


async def _close_code(communicator, timeout: float = 2) -> int | None:
    """The code the server closed ``communicator`` with (heartbeats skipped); None when
    it stays open for ``timeout`` seconds."""
    while True:
        if await communicator.receive_nothing(timeout=timeout):
            return None
        output = await communicator.receive_output()
        if output["type"] == "websocket.close":
            return output.get("code")
        assert json.loads(output["text"]) == {"type": "heartbeat"}, output


async def _still_serves(communicator) -> bool:
    """Nothing arrived (no close), and the socket answers a ping."""
    if not await communicator.receive_nothing(timeout=0.3):
        return False
    await communicator.send_json_to({"type": "ping"})
    return await communicator.receive_json_from(timeout=2) == {"type": "pong"}


# --- Ending credentials, as members and staff do it ---------------------------------------


@sync_to_async
def _browser_logout(client: Client) -> None:
    response = client.post(reverse("account_logout"))
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


@sync_to_async
def _app_logout(token: str) -> None:
    response = Client().delete("/_allauth/app/v1/auth/session", HTTP_X_SESSION_TOKEN=token)
    assert response.status_code == 401  # allauth: "logged out", no session any more
    assert response.json()["meta"]["is_authenticated"] is False


@sync_to_async
def _deactivate(user, *, rollback: bool = False) -> None:
    class Rollback(Exception):
        pass

    try:
        with transaction.atomic():
            user.is_active = False
            user.save()
            if rollback:
                raise Rollback
    except Rollback:
        user.is_active = True


@sync_to_async
def _delete(user) -> None:
    user.delete()


@sync_to_async
def _deactivate_in_the_admin(user) -> None:
    """A staff member unticks "active" on the member's admin page."""
    staff = UserFactory(is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(staff)
    response = client.post(
        reverse("admin:profiles_user_change", args=[user.pk]),
        {
            "email": user.email,
            "display_name": user.display_name,
            "time_zone": user.time_zone,
            "languages": "[]",
            "show_in_leaderboards": "on",
            "date_joined_0": user.date_joined.strftime("%Y-%m-%d"),
            "date_joined_1": user.date_joined.strftime("%H:%M:%S"),
            # "is_active" left out: the box is unticked.
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    user.refresh_from_db()
    assert not user.is_active


# --- Logging out: that session only --------------------------------------------------------


async def test_browser_logout_closes_that_sessions_socket_and_not_the_members_other_sessions():
    member = await sync_to_async(UserFactory)()
    laptop, desktop = await _browser_session(member), await _browser_session(member)
    phone_token = await _app_session(member)
    laptop_socket = await _browser_socket(laptop)
    desktop_socket = await _browser_socket(desktop)
    phone_socket = await _app_socket(phone_token)

    await _browser_logout(laptop)

    assert await _close_code(laptop_socket) == CLOSE_UNAUTHENTICATED
    assert await _still_serves(desktop_socket)
    assert await _still_serves(phone_socket)
    await desktop_socket.disconnect()
    await phone_socket.disconnect()


async def test_app_logout_with_the_session_token_closes_the_token_socket_only():
    member = await sync_to_async(UserFactory)()
    phone_token, tablet_token = await _app_session(member), await _app_session(member)
    browser = await _browser_session(member)
    phone_socket = await _app_socket(phone_token)
    tablet_socket = await _app_socket(tablet_token)
    browser_socket = await _browser_socket(browser)

    await _app_logout(phone_token)

    assert await _close_code(phone_socket) == CLOSE_UNAUTHENTICATED
    assert await _still_serves(tablet_socket)
    assert await _still_serves(browser_socket)
    # The app must not reconnect with the dead token: it would be refused.
    retry = WebsocketCommunicator(
        application, "/ws/stream/", headers=[(b"x-session-token", phone_token.encode())]
    )
    assert await retry.connect() == (False, CLOSE_UNAUTHENTICATED)
    await tablet_socket.disconnect()
    await browser_socket.disconnect()


# --- Deactivation and deletion: every socket of the member -------------------------------


async def test_deactivation_closes_every_socket_of_the_member():
    member = await sync_to_async(UserFactory)()
    sockets = [
        await _browser_socket(await _browser_session(member)),
        await _browser_socket(await _browser_session(member)),
        await _app_socket(await _app_session(member)),
    ]

    await _deactivate(member)

    assert [await _close_code(socket) for socket in sockets] == [CLOSE_UNAUTHENTICATED] * 3


async def test_deactivation_by_staff_in_the_admin_closes_the_members_sockets():
    member = await sync_to_async(UserFactory)()
    browser_socket = await _browser_socket(await _browser_session(member))
    app_socket = await _app_socket(await _app_session(member))

    await _deactivate_in_the_admin(member)

    assert await _close_code(browser_socket) == CLOSE_UNAUTHENTICATED
    assert await _close_code(app_socket) == CLOSE_UNAUTHENTICATED


async def test_deleting_an_account_closes_every_socket_of_the_member():
    member = await sync_to_async(UserFactory)()
    browser_socket = await _browser_socket(await _browser_session(member))
    app_socket = await _app_socket(await _app_session(member))

    await _delete(member)

    assert await _close_code(browser_socket) == CLOSE_UNAUTHENTICATED
    assert await _close_code(app_socket) == CLOSE_UNAUTHENTICATED


async def test_a_rolled_back_deactivation_closes_nothing():
    member = await sync_to_async(UserFactory)()
    browser_socket = await _browser_socket(await _browser_session(member))
    app_socket = await _app_socket(await _app_session(member))

    await _deactivate(member, rollback=True)

    assert await _close_code(browser_socket, timeout=0.5) is None
    assert await _still_serves(browser_socket)
    assert await _still_serves(app_socket)
    await browser_socket.disconnect()
    await app_socket.disconnect()


# --- Whose sockets close: the member's (closed) x another member's (stays open) -----------


async def _end_by_browser_logout(member, client, token):
    await _browser_logout(client)


async def _end_by_app_logout(member, client, token):
    await _app_logout(token)


async def _end_by_deactivation(member, client, token):
    await _deactivate(member)


async def _end_by_deletion(member, client, token):
    await _delete(member)


@pytest.mark.parametrize(
    "end_credentials, closed_socket",
    [
        (_end_by_browser_logout, "browser"),
        (_end_by_app_logout, "app"),
        (_end_by_deactivation, "browser"),
        (_end_by_deactivation, "app"),
        (_end_by_deletion, "browser"),
        (_end_by_deletion, "app"),
    ],
)
async def test_ending_a_members_credentials_closes_their_socket_and_not_another_members(
    end_credentials, closed_socket
):
    member, colleague = await sync_to_async(UserFactory)(), await sync_to_async(UserFactory)()
    client, token = await _browser_session(member), await _app_session(member)
    member_sockets = {"browser": await _browser_socket(client), "app": await _app_socket(token)}
    colleague_sockets = [
        await _browser_socket(await _browser_session(colleague)),
        await _app_socket(await _app_session(colleague)),
    ]

    await end_credentials(member, client, token)

    assert await _close_code(member_sockets[closed_socket]) == CLOSE_UNAUTHENTICATED  # denied
    for socket in colleague_sockets:  # allowed
        assert await _still_serves(socket)
        await socket.disconnect()


# --- The session group's name ---------------------------------------------------------------


async def test_the_session_group_is_named_after_a_hash_never_the_session_key():
    session_key = "k" * 32 + "SeCrEt"
    group = session_group(session_key)
    assert session_key not in group
    assert group == session_group(session_key) != session_group(session_key + "x")
    assert BaseChannelLayer().require_valid_group_name(group)
    assert len(group) < 100


# --- Credentials that end without a signal: the socket checks again -----------------------


@sync_to_async
def _expire_sessions(user) -> None:
    from django.contrib.sessions.models import Session
    from django.utils import timezone

    for session in Session.objects.all():
        if session.get_decoded().get("_auth_user_id") == str(user.pk):
            session.expire_date = timezone.now()
            session.save()


@sync_to_async
def _change_password_elsewhere(user) -> None:
    """The member changes their password on another device: every other session ends."""
    user.set_password("A new passphrase 2026!")
    user.save()


@sync_to_async
def _deactivate_in_bulk(user) -> None:
    type(user).objects.filter(pk=user.pk).update(is_active=False)


async def _closed_within(communicator, seconds: float) -> int | None:
    """The code the server closed ``communicator`` with within ``seconds`` (heartbeats,
    which never stop here, skipped); None when it was still open then."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while loop.time() < deadline:
        # receive_nothing only looks (a timed-out receive_output would stop the socket).
        if await communicator.receive_nothing(timeout=0.02):
            continue
        output = await communicator.receive_output()
        if output["type"] == "websocket.close":
            return output.get("code")
        assert json.loads(output["text"]) == {"type": "heartbeat"}, output
    return None


@pytest.mark.parametrize("end", [_expire_sessions, _change_password_elsewhere, _deactivate_in_bulk])
async def test_credentials_that_end_silently_close_the_sockets_at_the_next_check(settings, end):
    settings.CERCLE_STREAM_HEARTBEAT_SECONDS = 0.05
    settings.CERCLE_STREAM_REVALIDATE_SECONDS = 0.1
    member, colleague = await sync_to_async(UserFactory)(), await sync_to_async(UserFactory)()
    browser = await _browser_socket(await _browser_session(member))
    app = await _app_socket(await _app_session(member))
    other = await _app_socket(await _app_session(colleague))
    assert await _closed_within(browser, 0.4) is None  # checked, still valid

    await end(member)

    assert await _closed_within(browser, 3) == CLOSE_UNAUTHENTICATED
    assert await _closed_within(app, 3) == CLOSE_UNAUTHENTICATED
    assert await _closed_within(other, 0.4) is None
    await other.send_json_to({"type": "ping"})
    while (frame := await other.receive_json_from(timeout=2)) == {"type": "heartbeat"}:
        pass
    assert frame == {"type": "pong"}
    await other.disconnect()


async def test_sockets_are_not_checked_more_often_than_the_setting(settings):
    settings.CERCLE_STREAM_HEARTBEAT_SECONDS = 0.05
    settings.CERCLE_STREAM_REVALIDATE_SECONDS = 60
    member = await sync_to_async(UserFactory)()
    browser = await _browser_socket(await _browser_session(member))

    await _deactivate_in_bulk(member)

    assert await _closed_within(browser, 0.5) is None  # next check in a minute
    await browser.disconnect()
