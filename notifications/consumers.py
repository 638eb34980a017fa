"""``/ws/stream/``: one websocket per client for everything live.

Handshake: the browser's session cookie or a mobile app's ``X-Session-Token`` header
(config.websocket). Anonymous, expired or forged credentials: the connection is closed
with code 4401 (:data:`CLOSE_UNAUTHENTICATED`), the only close code the server chooses;
everything else is answered with frames and the connection stays open. An open socket is
closed with 4401 as soon as its credentials end: at once when the member logs out of the
session it was opened with (that session's sockets only, through the session's group), or
when their account is deactivated or deleted (all their sockets); otherwise within
``CERCLE_STREAM_REVALIDATE_SECONDS``, when the socket checks its credentials again (an
expired session, one a password change ended, an account deactivated in bulk). Clients
must not reconnect with the same credentials.

On connect the socket joins the member's personal group and the group of every
community they are an active member of and may read. Events arrive as
``{"id", "type", "data", "created_at"}``: personal events (notifications, read state,
messages, ...) carry their stored integer id, community and post events a uuid.

Resuming: ``/ws/stream/?last_event_id=N`` first sends, in order, every personal event
after N, then live events, with no duplicates. Live events are only handled once the
replay is sent (a consumer handles one message at a time: live events wait in its
channel meanwhile), and the live copy of a replayed event is dropped. A live event with
an id below N is still sent: its transaction committed after the one of N (ids are
taken when rows are written, not when they commit), so the client cannot have it.
When the events cannot all be replayed (N before the retention window, or more than
``CERCLE_STREAM_REPLAY_LIMIT`` missing) the client gets
``{"id": null, "type": "resync", "data": {"reason", "last_event_id"}, ...}``: reload the
state, then continue from ``data.last_event_id`` (live personal events up to it are not
sent after a resync: the reloaded state has them). A ``last_event_id`` that is not a
non-negative integer gets an ``invalid_last_event_id`` error frame followed by
``resync`` (reason ``invalid_last_event_id``); the socket stays open, without replay.
The socket also gets ``resync`` (reason ``interrupted``) when the channel layer lost
events on their way to it (config.channel_layers: a socket too slow to read, or the
server's Redis subscription reconnecting): never a silent gap.

Frames the client may send (JSON objects):

- ``{"type": "ping"}`` -> ``{"type": "pong"}``;
- ``{"type": "subscribe", "post_id": N}`` -> ``{"type": "subscribed", "post_id": N}``
  and the post's live events (comments) follow, when the member may read the post;
  ``{"type": "subscribe", "community_id": N}`` does the same for a community whose
  content the member may read (a public one they have not joined);
- ``{"type": "unsubscribe", "post_id" | "community_id": N}`` ->
  ``{"type": "unsubscribed", ...}``;
- anything else -> ``{"type": "error", "code", "detail"}`` with code
  ``malformed_json``, ``unknown_type``, ``invalid`` (missing or non-integer id),
  ``not_found`` (no such post/community, or one the member may not read) or
  ``too_many_subscriptions``.

The server sends ``{"type": "heartbeat"}`` every ``CERCLE_STREAM_HEARTBEAT_SECONDS``
so that idle proxies keep the connection. Membership changes reach the socket as an
internal message (notifications.events.membership_changed_on_commit): it joins or
leaves the community's group at once and tells the client ``membership.changed``.
"""

import asyncio
import json
import logging
import uuid
from collections import deque
from urllib.parse import parse_qs

from channels.db import database_sync_to_async
from channels.exceptions import StopConsumer
from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from config.websocket import SESSION_TOKEN_HEADER, credentials_user, handshake_header
from notifications.events import (
    ACCOUNT_CLOSED_MESSAGE,
    EVENT_MESSAGE,
    community_group,
    post_group,
    session_group,
    user_group,
)
from notifications.services.stream import (
    stream_community_ids,
    stream_community_is_readable,
    stream_latest_event_id,
    stream_post_community_id,
    stream_replay,
)

logger = logging.getLogger(__name__)

CLOSE_UNAUTHENTICATED = 4401
# Shared (community, post) events one socket remembers to drop the copy that reaches
# it through a second group.
RECENT_SHARED_EVENTS = 64
# How long replayed ids are kept to drop their live copy, which may arrive late.
REPLAY_MEMORY_SECONDS = 120
LARGEST_EVENT_ID = 2**63 - 1


def _event(event_type: str, data: dict, *, event_id=None) -> dict:
    return {
        "id": event_id,
        "type": event_type,
        "data": data,
        "created_at": timezone.now().isoformat(),
    }


def _last_event_id(query_string: bytes) -> tuple[bool, int | None]:
    """``(valid, N)`` from the handshake's query string; ``(True, None)`` when absent."""
    values = parse_qs(query_string.decode("latin-1")).get("last_event_id")
    if not values:
        return True, None
    value = values[-1].strip()
    if not value.isascii() or not value.isdigit() or int(value) > LARGEST_EVENT_ID:
        return False, None
    return True, int(value)


def _object_id(value) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int) and 0 < value <= LARGEST_EVENT_ID:
        return value
    if isinstance(value, str) and value.isascii() and value.isdigit():
        return _object_id(int(value))
    return None


class StreamConsumer(AsyncWebsocketConsumer):
    user = None
    heartbeat: asyncio.Task | None = None

    async def connect(self):
        user = self.scope.get("user")
        self.groups_joined: set[str] = set()
        if user is None or not user.is_authenticated:
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        self.user = user
        self.member_communities: set[int] = set()
        self.requested_communities: set[int] = set()
        self.posts: dict[int, int] = {}  # post id -> its community id
        self.recent_shared: deque[str] = deque(maxlen=RECENT_SHARED_EVENTS)
        self.resync_floor: int | None = None
        self.replayed_ids: frozenset[int] = frozenset()
        self.replayed_at = 0.0
        valid, last_event_id = _last_event_id(self.scope.get("query_string", b""))

        community_ids = await database_sync_to_async(stream_community_ids)(user=user)
        # Join before reading what was missed: an event committed meanwhile is either
        # in the replay or waiting in this socket's channel (then dropped as a copy).
        await self._join(user_group(user.pk))
        await self._join_session_group()
        for community_id in community_ids:
            await self._join(community_group(community_id))
        self.member_communities = set(community_ids)
        await self.accept()

        if not valid:
            await self._error(
                "invalid_last_event_id", _("last_event_id must be a non-negative integer.")
            )
            await self._resync("invalid_last_event_id", None)
        elif last_event_id is not None:
            await self._replay(last_event_id)
        self.loop = asyncio.get_running_loop()
        self.groups_refreshed_at = self.validated_at = self.loop.time()
        self.heartbeat = asyncio.create_task(self._beat())

    async def disconnect(self, code):
        if self.heartbeat is not None:
            self.heartbeat.cancel()
            self.heartbeat = None
        for group in list(self.groups_joined):
            await self.channel_layer.group_discard(group, self.channel_name)
        self.groups_joined.clear()

    # --- Resuming -------------------------------------------------------------------

    async def _replay(self, last_event_id: int) -> None:
        replay = await database_sync_to_async(stream_replay)(
            user_id=self.user.pk, last_event_id=last_event_id
        )
        if replay.resync is not None:
            await self._resync(replay.resync, replay.latest_id)
            return
        for event in replay.events:
            await self.send(text_data=json.dumps(event))
        self.replayed_ids = frozenset(event["id"] for event in replay.events)
        self.replayed_at = asyncio.get_running_loop().time()

    async def _resync(self, reason: str, latest_id: int | None) -> None:
        if latest_id is None and reason == "invalid_last_event_id":
            latest_id = await database_sync_to_async(stream_latest_event_id)(user_id=self.user.pk)
        if latest_id is not None:
            self.resync_floor = latest_id
        await self._send_json(
            _event("resync", {"reason": reason, "last_event_id": latest_id}),
        )

    def _is_copy(self, event: dict) -> bool:
        event_id = event.get("id")
        if isinstance(event_id, int):
            if self.resync_floor is not None and event_id <= self.resync_floor:
                return True
            return event_id in self.replayed_ids
        if event_id in self.recent_shared:
            return True
        self.recent_shared.append(event_id)
        return False

    # --- Channel layer messages ------------------------------------------------------

    async def dispatch(self, message):
        """Live events touch no database: they go straight to :meth:`stream_event`,
        without the thread hop Channels makes before every handler to close old database
        connections (the other handlers query through database_sync_to_async, which
        closes them). Half the server's CPU per broadcast (docs/benchmarks.md)."""
        if message.get("type") == EVENT_MESSAGE:
            await self.stream_event(message)
        else:
            await super().dispatch(message)

    async def stream_event(self, message):
        event = message["event"]
        if not self._is_copy(event):
            await self.send(text_data=json.dumps(event))

    async def layer_messages_lost(self, message):
        """Events on their way to this socket were lost (config.channel_layers): the
        client reloads its state and continues from the newest stored event."""
        latest_id = await database_sync_to_async(stream_latest_event_id)(user_id=self.user.pk)
        await self._resync("interrupted", latest_id)

    async def stream_membership(self, message):
        """One of the member's memberships changed: the database says what it is now."""
        community_id = message["community_id"]
        is_member = bool(
            await database_sync_to_async(stream_community_ids)(
                user=self.user, community_id=community_id
            )
        )
        if is_member:
            self.member_communities.add(community_id)
        else:
            self.member_communities.discard(community_id)
        await self._recheck_community(community_id)
        await self._send_json(
            _event(
                "membership.changed",
                {"community_id": community_id, "active": is_member},
                event_id=str(uuid.uuid4()),
            )
        )

    async def _recheck_community(self, community_id: int) -> None:
        """Follow ``community_id``'s group and its posts' groups only as far as the
        member may still read them."""
        group = community_group(community_id)
        wanted = community_id in self.member_communities
        readable = None
        if not wanted and community_id in self.requested_communities:
            readable = await database_sync_to_async(stream_community_is_readable)(
                user=self.user, community_id=community_id
            )
            if not readable:
                self.requested_communities.discard(community_id)
            wanted = readable
        if wanted:
            await self._join(group)
        else:
            await self._leave(group)
        for post_id, post_community_id in list(self.posts.items()):
            if post_community_id != community_id:
                continue
            if await database_sync_to_async(stream_post_community_id)(
                user=self.user, post_id=post_id
            ):
                continue
            del self.posts[post_id]
            await self._leave(post_group(post_id))
            await self._send_json({"type": "unsubscribed", "post_id": post_id})

    # --- Client frames ---------------------------------------------------------------

    async def receive(self, text_data=None, bytes_data=None):
        try:
            message = json.loads(text_data or "")
        except (TypeError, ValueError):
            message = None
        if not isinstance(message, dict):
            await self._error("malformed_json", _("Frames must be JSON objects."))
            return
        kind = message.get("type")
        if kind == "ping":
            await self._send_json({"type": "pong"})
        elif kind == "subscribe":
            await self._subscribe(message)
        elif kind == "unsubscribe":
            await self._unsubscribe(message)
        else:
            await self._error(
                "unknown_type", _("Unknown message type: %(type)s.") % {"type": repr(kind)[:80]}
            )

    def _target(self, message: dict) -> tuple[str, int] | None:
        for key in ("post_id", "community_id"):
            if key in message:
                object_id = _object_id(message[key])
                return (key, object_id) if object_id is not None else None
        return None

    async def _subscribe(self, message: dict) -> None:
        target = self._target(message)
        if target is None:
            await self._error("invalid", _("Subscribe takes a post_id or a community_id."))
            return
        key, object_id = target
        subscriptions = len(self.posts) + len(self.requested_communities)
        already = object_id in (self.posts if key == "post_id" else self.requested_communities)
        if not already and subscriptions >= settings.CERCLE_STREAM_MAX_SUBSCRIPTIONS:
            await self._error(
                "too_many_subscriptions",
                _("Unsubscribe from something before subscribing to more."),
                **{key: object_id},
            )
            return
        if key == "post_id":
            community_id = await database_sync_to_async(stream_post_community_id)(
                user=self.user, post_id=object_id
            )
            if community_id is None:
                await self._error("not_found", _("This post does not exist."), post_id=object_id)
                return
            self.posts[object_id] = community_id
            await self._join(post_group(object_id))
        else:
            if not await database_sync_to_async(stream_community_is_readable)(
                user=self.user, community_id=object_id
            ):
                await self._error(
                    "not_found", _("This community does not exist."), community_id=object_id
                )
                return
            self.requested_communities.add(object_id)
            await self._join(community_group(object_id))
        await self._send_json({"type": "subscribed", key: object_id})

    async def _unsubscribe(self, message: dict) -> None:
        target = self._target(message)
        if target is None:
            await self._error("invalid", _("Unsubscribe takes a post_id or a community_id."))
            return
        key, object_id = target
        if key == "post_id":
            if self.posts.pop(object_id, None) is not None:
                await self._leave(post_group(object_id))
        else:
            self.requested_communities.discard(object_id)
            if object_id not in self.member_communities:
                await self._leave(community_group(object_id))
        await self._send_json({"type": "unsubscribed", key: object_id})

    # --- Heartbeat -------------------------------------------------------------------

    async def _beat(self) -> None:
        interval = settings.CERCLE_STREAM_HEARTBEAT_SECONDS
        group_expiry = getattr(self.channel_layer, "group_expiry", 86400)
        while True:
            await asyncio.sleep(interval)
            try:
                await self._send_json({"type": "heartbeat"})
            except Exception:
                return  # the connection is going away; disconnect() cleans up
            now = self.loop.time()
            if now - self.validated_at >= settings.CERCLE_STREAM_REVALIDATE_SECONDS:
                self.validated_at = now
                if not await self._credentials_hold():
                    # Handled in the consumer's own loop, as when logging out elsewhere.
                    await self.channel_layer.send(
                        self.channel_name, {"type": ACCOUNT_CLOSED_MESSAGE}
                    )
                    return
            if self.replayed_ids and now - self.replayed_at > REPLAY_MEMORY_SECONDS:
                self.replayed_ids = frozenset()
            # Groups forget a channel after group_expiry: a socket open for days renews.
            if now - self.groups_refreshed_at > group_expiry / 2:
                try:
                    for group in list(self.groups_joined):
                        await self.channel_layer.group_add(group, self.channel_name)
                except Exception:
                    logger.exception("stream socket could not renew its groups")
                else:
                    self.groups_refreshed_at = now

    # --- Credentials ending ----------------------------------------------------------

    async def _join_session_group(self) -> None:
        """Join the group of the login session this socket authenticated with, so that
        logging out of it ends this socket (notifications.events.session_ended_on_commit).
        The app's session token is the session key (allauth's session token strategy,
        config.websocket); a browser's session comes from its cookie."""
        session_key = handshake_header(self.scope, SESSION_TOKEN_HEADER)
        if not session_key:
            session_key = getattr(self.scope.get("session"), "session_key", None)
        if session_key:
            await self._join(session_group(session_key))

    async def _credentials_hold(self) -> bool:
        """Whether the handshake's credentials still stand for this member (the session
        did not expire, no password change ended it, the account is active)."""
        try:
            user = await credentials_user(self.scope)
        except Exception:
            logger.exception("stream socket could not check its credentials")
            return True  # a database hiccup does not log everyone out
        return user is not None and user.pk == self.user.pk

    async def stream_session_ended(self, message):
        """The member logged out of the session this socket was opened with."""
        await self._end_unauthenticated()

    async def stream_account_closed(self, message):
        """The member's account was deactivated or deleted."""
        await self._end_unauthenticated()

    async def _end_unauthenticated(self) -> None:
        """Leave every group first, so that no event is sent after the close, then close
        with 4401 and stop the consumer: nothing more is handled for this socket."""
        await self.disconnect(CLOSE_UNAUTHENTICATED)
        await self.close(code=CLOSE_UNAUTHENTICATED)
        raise StopConsumer

    # --- Helpers ---------------------------------------------------------------------

    async def _join(self, group: str) -> None:
        if group not in self.groups_joined:
            await self.channel_layer.group_add(group, self.channel_name)
            self.groups_joined.add(group)

    async def _leave(self, group: str) -> None:
        if group in self.groups_joined:
            await self.channel_layer.group_discard(group, self.channel_name)
            self.groups_joined.discard(group)

    async def _send_json(self, payload: dict) -> None:
        await self.send(text_data=json.dumps(payload))

    async def _error(self, code: str, detail: str, **about) -> None:
        await self._send_json({"type": "error", "code": code, "detail": str(detail), **about})
