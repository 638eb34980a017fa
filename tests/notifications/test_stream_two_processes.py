"""Two ASGI server processes sharing one Redis: a client connected to process A receives
the events caused by a request to process B.

Runs on PostgreSQL + Redis only (CI's second pass). A is a uvicorn process (production's
server), B a daphne process (development's); each serves ``config.asgi:application`` on
the test database, with the test run's Redis and channel layer prefix. A member listens
on A's ``/ws/stream/`` with a mobile session token; another member publishes a post
mentioning them through B's REST API.
"""

import asyncio
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection

from tests.factories import UserFactory, app_session_token, make_community, make_member

ROOT = Path(__file__).resolve().parents[2]
STARTUP_SECONDS = 60
EVENT_SECONDS = 10
APP = "config.asgi:application"

pytestmark = [
    pytest.mark.skipif(
        not settings.REDIS_URL,
        reason="two server processes need a shared Redis channel layer: set REDIS_URL",
    ),
    pytest.mark.skipif(
        settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
        reason=(
            "two server processes need a database they can share with the tests: "
            "set DATABASE_URL to PostgreSQL"
        ),
    ),
    pytest.mark.django_db(transaction=True),
]


@dataclass
class Server:
    name: str
    process: subprocess.Popen
    port: int
    log: Path

    @property
    def http(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws(self) -> str:
        return f"ws://127.0.0.1:{self.port}"

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""


def _test_database_url() -> str:
    """The database pytest-django created for this run, as a DATABASE_URL."""
    db = connection.settings_dict
    user = quote(db.get("USER") or "", safe="")
    password = quote(db.get("PASSWORD") or "", safe="")
    credentials = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host = db.get("HOST") or "127.0.0.1"
    port = f":{db['PORT']}" if db.get("PORT") else ""
    return f"postgres://{credentials}{host}{port}/{quote(db['NAME'], safe='')}"


def _server_environment() -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.test",
        DATABASE_URL=_test_database_url(),
        REDIS_URL=settings.REDIS_URL,
        CHANNEL_LAYER_PREFIX=settings.CHANNEL_LAYERS["default"]["CONFIG"]["prefix"],
        PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")])),
        PYTHONUNBUFFERED="1",
        LOG_LEVEL="WARNING",
    )
    return env


SERVERS = {
    "uvicorn": ["-m", "uvicorn", "--log-level", "warning", "--lifespan", "off", "--fd"],
    "daphne": ["-m", "daphne", "-v", "1", "--fd"],
}


def _start(name: str, kind: str, log_dir: Path) -> Server:
    """A ``kind`` server process listening on a socket bound here on a free port (no race
    for it)."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(128)
    port = listener.getsockname()[1]
    log = log_dir / f"{name}.log"
    with listener, log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, *SERVERS[kind], str(listener.fileno()), APP],
            cwd=ROOT,
            env=_server_environment(),
            stdout=out,
            stderr=subprocess.STDOUT,
            pass_fds=[listener.fileno()],
        )
    return Server(name=name, process=process, port=port, log=log)


def _wait_until_healthy(server: Server) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    last = "no answer"
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            pytest.fail(
                f"server {server.name} exited with {server.process.returncode}:\n{server.output()}"
            )
        try:
            with urllib.request.urlopen(f"{server.http}/healthz", timeout=5) as response:
                if response.status == 200:
                    return
                last = f"{response.status} {response.read()[:500]!r}"
        except urllib.error.HTTPError as error:
            last = f"{error.code} {error.read()[:500]!r}"
        except OSError as error:
            last = repr(error)
        time.sleep(0.2)
    pytest.fail(
        f"server {server.name} not healthy after {STARTUP_SECONDS} s ({last}):\n{server.output()}"
    )


def _stop(server: Server) -> None:
    if server.process.poll() is None:
        server.process.terminate()
        try:
            server.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.process.kill()
            server.process.wait(timeout=10)


@pytest.fixture
def servers(transactional_db):
    """Processes A and B, healthy; stopped (and their logs printed, which pytest shows
    when the test fails) before the test database is emptied."""
    with tempfile.TemporaryDirectory(prefix="cercle-two-processes-") as log_dir:
        started: list[Server] = []
        try:
            for name, kind in (("A", "uvicorn"), ("B", "daphne")):
                started.append(_start(name, kind, Path(log_dir)))
            for server in started:
                _wait_until_healthy(server)
            yield started
        finally:
            for server in started:
                _stop(server)
            for server in started:
                print(f"--- server {server.name} (port {server.port}) log ---")
                print(server.output())


def _post_json(url: str, token: str, payload: dict) -> tuple[int, dict]:
    request = urllib.request.Request(
        url,
        data=json.dumps(payload).encode(),
        method="POST",
        headers={"Content-Type": "application/json", "X-Session-Token": token},
    )
    try:
        with urllib.request.urlopen(request, timeout=EVENT_SECONDS) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, {"error": error.read().decode(errors="replace")}


async def _events_until(socket_, wanted, seconds: float) -> list[dict]:
    """Frames received until ``wanted(frames)`` holds (heartbeats left out), or the time
    runs out."""
    frames: list[dict] = []
    deadline = asyncio.get_running_loop().time() + seconds
    while not wanted(frames):
        remaining = deadline - asyncio.get_running_loop().time()
        if remaining <= 0:
            break
        try:
            frame = json.loads(await asyncio.wait_for(socket_.recv(), timeout=remaining))
        except TimeoutError:
            break
        if frame.get("type") != "heartbeat":
            frames.append(frame)
    return frames


def test_a_client_on_process_a_receives_events_caused_by_a_request_to_process_b(servers):
    from websockets.asyncio.client import connect

    a, b = servers
    poster = UserFactory(email="gabriel.durand@acme.example")
    listener = UserFactory(email="camille.martin@acme.example")
    community = make_community(owner=poster, name="Platform team")
    make_member(community, listener)
    listener_token, poster_token = app_session_token(listener), app_session_token(poster)

    def post_created(frame, post_id):
        return frame["type"] == "post.created" and frame["data"]["post_id"] == post_id

    def mentioned(frame, post_id):
        return (
            frame["type"] == "notification.created"
            and frame["data"]["kind"] == "mention"
            and frame["data"]["post_id"] == post_id
        )

    async def scenario():
        async with connect(
            f"{a.ws}/ws/stream/",
            additional_headers={"X-Session-Token": listener_token},
            proxy=None,
            open_timeout=EVENT_SECONDS,
        ) as stream:
            status, body = await asyncio.to_thread(
                _post_json,
                f"{b.http}/api/v1/posts/",
                poster_token,
                {
                    "community": community.slug,
                    "title": "Release train",
                    "body": "@camille.martin the release train leaves at noon.",
                },
            )
            assert status == 201, body
            post_id = body["id"]
            frames = await _events_until(
                stream,
                lambda frames: (
                    any(post_created(f, post_id) for f in frames)
                    and any(mentioned(f, post_id) for f in frames)
                ),
                EVENT_SECONDS,
            )
            return post_id, frames

    post_id, frames = asyncio.run(scenario())

    received = f"frames received on A within {EVENT_SECONDS} s: {frames}"
    created = [f for f in frames if post_created(f, post_id)]
    assert len(created) == 1, received
    [created] = created
    assert created["data"]["community_id"] == community.pk
    assert created["data"]["author_id"] == poster.pk
    assert created["data"]["title"] == "Release train"
    notifications = [f for f in frames if mentioned(f, post_id)]
    assert len(notifications) == 1, received
    [notification] = notifications
    assert isinstance(notification["id"], int)  # a stored personal event, replayable
    assert notification["data"]["community_id"] == community.pk
    assert notification["data"]["new"] is True
    assert {"id", "type", "data", "created_at"} <= set(notification)
    # Neither server logged an error while serving them.
    for server in servers:
        assert "Traceback" not in server.output(), server.output()
