"""Live stream: 1,000 websocket clients of one community on one ASGI process.

Measures, in one run:
- Cercle: one uvicorn process (as production runs it; ``--server daphne`` for the
  development server) serving ``config.asgi:application``; ``--clients`` (default
  1,000) websocket clients on ``/ws/stream/``, each a member of one community
  authenticated with its own session token (``X-Session-Token``). Each broadcast
  publishes a post through the service layer here (``post_create`` in a transaction);
  on commit ``post.created`` goes to the community group over the configured Redis
  channel layer. Latency per client = the moment the client receives the event - the
  moment just before the commit. A client told to ``resync`` (events lost on their way)
  is counted.
- baseline: raw Redis pub/sub (redis.asyncio), ``--clients`` subscriber connections,
  a payload of the same size, the same latency measure from just before PUBLISH.
- lost: deliveries missing ``--timeout`` seconds after each broadcast (expected:
  clients x broadcasts).
- memory per idle connection: the server's resident memory (VmRSS) after the clients
  connected and settled, minus before they connected (after one warm-up connection),
  divided by the number of clients.

Each run is ``--broadcasts`` (default 20) broadcasts of each kind, after one warm-up
broadcast of each; prints p50/p99 per run and the median over ``--runs`` (default 5), the
ratio p99 / raw p99 (goal <= 3) and lost (goal 0). Clients, subscribers and the publisher
share this process (one event loop; the publisher in a thread), on the same machine as
the server and Redis, so latencies are wall-clock differences of one monotonic clock.

The default measures the project as production runs it: uvicorn (the ``server`` extra)
and the configured layer (config.channel_layers.RedisPubSubChannelLayer). To compare,
``--server daphne`` and ``--layer core`` (channels_redis' RedisChannelLayer, tuned as
FIELD-NOTES-style measurements advise) change one thing each.

Usage (PostgreSQL and Redis, as production):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cercle_bench \
    REDIS_URL=redis://127.0.0.1:6379/0 \
        .venv/bin/python bench/stream.py [--clients 1000] [--broadcasts 20] [--runs 5]
"""

import argparse
import asyncio
import contextlib
import gc
import importlib.util
import itertools
import json
import math
import os
import resource
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
os.environ.setdefault("DJANGO_DEBUG", "false")
# The tasks post_create queues on commit (notifications, badges) run in Celery workers in
# production: here they are queued to an in-memory broker, the enqueueing measured with
# the rest, and never run (the members' "mentions" level makes the post notify nobody).
os.environ.setdefault("CELERY_TASK_ALWAYS_EAGER", "false")
os.environ.setdefault("CELERY_BROKER_URL", "memory://localhost/")
os.environ.setdefault("LOG_LEVEL", "WARNING")
os.environ.setdefault("CHANNEL_LAYER_PREFIX", f"bench-stream-{os.getpid()}")

import django

django.setup()

from asgiref.sync import sync_to_async  # noqa: E402
from channels.layers import channel_layers  # noqa: E402
from django.conf import settings  # noqa: E402
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY  # noqa: E402
from django.contrib.sessions.backends.db import SessionStore  # noqa: E402
from django.contrib.sessions.models import Session  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402
from django.utils.crypto import get_random_string  # noqa: E402

from communities.models import Community, Membership  # noqa: E402
from communities.services.posts import post_create  # noqa: E402
from profiles.models import User  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
SLUG = "bench-stream"
EMAIL_DOMAIN = "stream.bench"
AUTH_BACKEND = "django.contrib.auth.backends.ModelBackend"
KEY_CHARS = "abcdefghijklmnopqrstuvwxyz0123456789"
CONNECT_CONCURRENCY = 50
STARTUP_SECONDS = 60
SETTLE_SECONDS = 5.0
APP = "config.asgi:application"


# --- The community and its members ------------------------------------------------


def world(members: int) -> tuple[Community, User, list[User]]:
    """A community of ``members`` members (plus its owner, who posts). Members keep the
    community's default notification level ("mentions"): a post notifies nobody, so the
    broadcast measured is the stream's ``post.created`` alone."""
    Community.objects.filter(slug=SLUG).delete()
    User.objects.filter(email__endswith=f"@{EMAIL_DOMAIN}").delete()
    owner = User.objects.create(email=f"owner@{EMAIL_DOMAIN}", display_name="Owner")
    community = Community.objects.create(name="Live stream", slug=SLUG, created_by=owner)
    users = User.objects.bulk_create(
        User(email=f"m{i}@{EMAIL_DOMAIN}", display_name=f"Member {i}", password="!")
        for i in range(members)
    )
    Membership.objects.bulk_create(
        [Membership(community=community, user=owner, role=Membership.Role.OWNER)]
        + [Membership(community=community, user=u) for u in users],
        batch_size=5000,
    )
    return community, owner, users


def session_tokens(users: list[User]) -> list[str]:
    """One logged-in session per member, created in one INSERT, and its key: what
    ``login()`` stores (user id, backend, session auth hash), and with the project's
    token strategy (allauth's SessionTokenStrategy) the key is the app session token."""
    expire = timezone.now() + timedelta(seconds=settings.SESSION_COOKIE_AGE)
    store = SessionStore()
    sessions = [
        Session(
            session_key=get_random_string(32, KEY_CHARS),
            session_data=store.encode(
                {
                    SESSION_KEY: str(user.pk),
                    BACKEND_SESSION_KEY: AUTH_BACKEND,
                    HASH_SESSION_KEY: user.get_session_auth_hash(),
                }
            ),
            expire_date=expire,
        )
        for user in users
    ]
    Session.objects.bulk_create(sessions, batch_size=5000)
    return [s.session_key for s in sessions]


# --- The server process -----------------------------------------------------------


def raise_open_files(wanted: int) -> int:
    """Raise this process's open-files limit (the server inherits it) to ``wanted``."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
    if soft < target:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


CORE_LAYER = """
CHANNEL_LAYERS = {"default": {
    "BACKEND": "channels_redis.core.RedisChannelLayer",
    "CONFIG": {
        "hosts": [{"address": REDIS_URL, "max_connections": 5000, "socket_timeout": 15}],
        "capacity": CHANNEL_LAYERS["default"]["CONFIG"]["capacity"],
        "expiry": 60,
        "prefix": CHANNEL_LAYERS["default"]["CONFIG"]["prefix"],
    },
}}
"""


def core_layer_settings_module(directory: Path, base: str) -> str:
    """A settings module for the server: ``base`` with channels_redis' RedisChannelLayer."""
    text = f"from {base} import *  # noqa: F403\nfrom {base} import CHANNEL_LAYERS, REDIS_URL\n"
    (directory / "bench_stream_settings.py").write_text(text + CORE_LAYER)
    return "bench_stream_settings"


class Server:
    """``python -m daphne`` (or uvicorn) on a socket bound here (free port, no race)."""

    def __init__(self, log_dir: Path, settings_module: str, kind: str = "uvicorn"):
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.bind(("127.0.0.1", 0))
        listener.listen(4096)
        self.port = listener.getsockname()[1]
        self.log = log_dir / "server.log"
        env = dict(os.environ)
        env.update(
            DJANGO_SETTINGS_MODULE=settings_module,
            PYTHONPATH=os.pathsep.join(
                filter(None, [str(ROOT), str(log_dir), os.environ.get("PYTHONPATH")])
            ),
            PYTHONUNBUFFERED="1",
            LOG_LEVEL="WARNING",
        )
        fd = str(listener.fileno())
        if kind == "uvicorn":
            # As production runs it (README), one worker: uvloop, httptools, websockets.
            options = ["--log-level", "warning", "--no-access-log", "--lifespan", "off"]
            command = [sys.executable, "-m", "uvicorn", "--fd", fd, *options, APP]
        else:
            command = [sys.executable, "-m", "daphne", "--fd", fd, "-v", "0", APP]
        with listener, self.log.open("wb") as out:
            self.process = subprocess.Popen(
                command,
                cwd=ROOT,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                pass_fds=[listener.fileno()],
            )

    def wait_healthy(self) -> None:
        deadline = time.monotonic() + STARTUP_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                sys.exit(f"server exited with {self.process.returncode}:\n{self.output()}")
            with contextlib.suppress(OSError):
                url = f"http://127.0.0.1:{self.port}/healthz"
                with urllib.request.urlopen(url, timeout=5) as response:
                    if response.status == 200:
                        return
            time.sleep(0.2)
        sys.exit(f"server not healthy after {STARTUP_SECONDS} s:\n{self.output()}")

    def rss_kib(self) -> int:
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
        raise RuntimeError("no VmRSS")

    def cpu_seconds(self) -> float:
        """User + system CPU time the server process has used."""
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def forget_layer_keys(prefix: str) -> None:
    """Delete this run's channel layer keys from Redis: the group memberships of sockets
    the server had no time to discard before it stopped."""
    import redis

    client = redis.Redis.from_url(settings.REDIS_URL)
    try:
        for pattern in (f"{prefix}:*", f"{prefix}specific.*"):
            keys = list(client.scan_iter(match=pattern, count=1000))
            for start in range(0, len(keys), 500):
                client.delete(*keys[start : start + 500])
    finally:
        client.close()


# --- Measuring --------------------------------------------------------------------


class Arrivals:
    """Receipt times per broadcast key and client; wakes the waiter when all arrived."""

    def __init__(self, clients: int):
        self.clients = clients
        self.times: dict[object, dict[int, float]] = {}
        self.complete: dict[object, asyncio.Event] = {}

    def expect(self, key) -> asyncio.Event:
        """The event set once every client received ``key`` (perhaps already)."""
        complete = self.complete.setdefault(key, asyncio.Event())
        if len(self.times.setdefault(key, {})) >= self.clients:
            complete.set()
        return complete

    def record(self, key, client: int, at: float) -> None:
        received = self.times.setdefault(key, {})
        received.setdefault(client, at)
        if len(received) >= self.clients and key in self.complete:
            self.complete[key].set()


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (nan when nothing arrived)."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * q // 100))
    return ordered[int(rank) - 1]


async def wait_for(event: asyncio.Event, timeout: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(event.wait(), timeout)


def load() -> str:
    return "/".join(f"{value:.2f}" for value in os.getloadavg())


class StreamClients:
    """``/ws/stream/`` clients recording when each ``post.created`` arrives."""

    def __init__(self, url: str, tokens: list[str], arrivals: Arrivals):
        self.url, self.tokens, self.arrivals = url, tokens, arrivals
        self.sockets: list = []
        self.readers: list[asyncio.Task] = []
        self.frame_sizes: list[int] = []
        self.closed_early = 0
        self.resyncs = 0

    async def _open(self, token: str):
        from websockets.asyncio.client import connect

        return await connect(
            self.url,
            additional_headers={"X-Session-Token": token},
            proxy=None,
            compression=None,
            ping_interval=None,
            open_timeout=60,
            close_timeout=5,
        )

    async def connect_all(self) -> None:
        limit = asyncio.Semaphore(CONNECT_CONCURRENCY)

        async def one(token: str):
            async with limit:
                return await self._open(token)

        self.sockets = await asyncio.gather(*(one(t) for t in self.tokens))
        self.readers = [
            asyncio.create_task(self._read(index, ws)) for index, ws in enumerate(self.sockets)
        ]

    async def _read(self, index: int, ws) -> None:
        from websockets.exceptions import ConnectionClosed

        try:
            async for raw in ws:
                at = time.monotonic()
                event = json.loads(raw)
                if event.get("type") == "post.created":
                    self.arrivals.record(event["data"]["post_id"], index, at)
                    if index == 0:
                        self.frame_sizes.append(len(raw))
                elif event.get("type") == "resync":
                    self.resyncs += 1
        except ConnectionClosed:
            self.closed_early += 1

    async def close(self) -> None:
        for reader in self.readers:
            reader.cancel()
        await asyncio.gather(*(ws.close() for ws in self.sockets), return_exceptions=True)


class RawSubscribers:
    """Raw Redis pub/sub: one connection per subscriber, all on one channel."""

    def __init__(self, redis_url: str, clients: int, arrivals: Arrivals):
        self.redis_url, self.clients, self.arrivals = redis_url, clients, arrivals
        self.channel = f"bench-stream-raw-{uuid.uuid4().hex}"
        self.connections: list = []
        self.pubsubs: list = []
        self.readers: list[asyncio.Task] = []

    async def connect_all(self) -> None:
        import redis.asyncio as redis

        limit = asyncio.Semaphore(CONNECT_CONCURRENCY)

        async def one():
            async with limit:
                client = redis.Redis.from_url(self.redis_url)
                pubsub = client.pubsub(ignore_subscribe_messages=True)
                await pubsub.subscribe(self.channel)
                return client, pubsub

        pairs = await asyncio.gather(*(one() for _ in range(self.clients)))
        self.connections = [client for client, _ in pairs]
        self.pubsubs = [pubsub for _, pubsub in pairs]
        self.publisher = redis.Redis.from_url(self.redis_url)
        self.readers = [
            asyncio.create_task(self._read(index, pubsub))
            for index, pubsub in enumerate(self.pubsubs)
        ]
        # Every subscription is registered once PUBSUB NUMSUB says so.
        while (await self.publisher.pubsub_numsub(self.channel))[0][1] < self.clients:
            await asyncio.sleep(0.05)

    async def _read(self, index: int, pubsub) -> None:
        while True:
            message = await pubsub.get_message(timeout=None)
            if message is None or message.get("type") != "message":
                continue
            at = time.monotonic()
            event = json.loads(message["data"])
            self.arrivals.record(event["data"]["post_id"], index, at)

    async def publish(self, payload: str) -> float:
        sent = time.monotonic()
        await self.publisher.publish(self.channel, payload)
        return sent

    async def close(self) -> None:
        for reader in self.readers:
            reader.cancel()
        await asyncio.gather(*(p.aclose() for p in self.pubsubs), return_exceptions=True)
        await asyncio.gather(*(c.aclose() for c in self.connections), return_exceptions=True)
        await self.publisher.aclose()


def publish_post(community: Community, author: User, title: str) -> tuple[int, float, float]:
    """A post through the service layer; returns its id, the moment just before the
    commit and the moment the commit's callbacks (the live push among them) returned."""
    with transaction.atomic():
        post = post_create(author=author, community=community, title=title, body=title)
        sent = time.monotonic()
    return post.pk, sent, time.monotonic()


def raw_payload(sequence: int, size: int) -> str:
    """A ``post.created``-shaped event of ``size`` bytes, as the Cercle clients got it."""
    event = {
        "id": str(uuid.uuid4()),
        "type": "post.created",
        "data": {"post_id": sequence, "community_id": 1, "author_id": 1, "kind": "discussion"},
        "created_at": timezone.now().isoformat(),
    }
    event["data"]["title"] = ""
    padding = max(0, size - len(json.dumps(event)))
    event["data"]["title"] = "x" * padding
    return json.dumps(event)


async def broadcast(arrivals: Arrivals, send, timeout: float) -> tuple[list[float], int, float]:
    """One broadcast by ``send()`` (which returns its key, the moment it was sent and the
    moment it returned): the latencies of the clients that received it within ``timeout``
    seconds, how many did not, and how long sending took."""
    key, sent, returned = await send()
    await wait_for(arrivals.expect(key), timeout)
    received = arrivals.times[key]
    latencies = [at - sent for at in received.values()]
    return latencies, arrivals.clients - len(received), returned - sent


async def measure(args, community, owner, tokens, server: Server) -> dict:
    arrivals = Arrivals(args.clients)
    url = f"ws://127.0.0.1:{server.port}/ws/stream/"
    publish = sync_to_async(publish_post)

    # One connection first: what the first socket loads is not per-connection memory.
    warm = StreamClients(url, tokens[:1], Arrivals(1))
    await warm.connect_all()
    await warm.close()
    await asyncio.sleep(1)
    rss_before = server.rss_kib()

    clients = StreamClients(url, tokens, arrivals)
    started = time.monotonic()
    await clients.connect_all()
    connect_seconds = time.monotonic() - started
    await asyncio.sleep(SETTLE_SECONDS)
    gc.collect()
    rss_after = server.rss_kib()
    print(
        f"{args.clients} clients connected in {connect_seconds:.1f} s; server RSS "
        f"{rss_before / 1024:.1f} MiB before, {rss_after / 1024:.1f} MiB after: "
        f"{(rss_after - rss_before) / args.clients:.1f} KiB per idle connection",
        flush=True,
    )

    raw = RawSubscribers(settings.REDIS_URL, args.clients, arrivals)
    await raw.connect_all()

    titles = (f"Broadcast {n}" for n in itertools.count())
    keys = itertools.count(10**12)  # raw broadcast keys, apart from post ids

    async def cercle_send():
        return await publish(community, owner, next(titles))

    async def raw_send():
        key = next(keys)
        payload = raw_payload(key, size)
        sent = await raw.publish(payload)
        return key, sent, time.monotonic()

    # Warm-up broadcasts (not counted); the raw payload takes the size of Cercle's event.
    await broadcast(arrivals, cercle_send, args.timeout)
    size = clients.frame_sizes[-1] if clients.frame_sizes else 200
    await broadcast(arrivals, raw_send, args.timeout)

    results = {"cercle": [], "raw": []}
    # This process holds 2,000 connections: its own garbage collections (a full one
    # pauses every client here for a few hundred ms) happen between broadcasts, untimed.
    gc.disable()
    for run in range(1, args.runs + 1):
        load_before = load()
        per_kind = {}
        for kind in ("cercle", "raw"):
            latencies, lost, send_seconds = [], 0, []
            cpu_before = server.cpu_seconds()
            send = cercle_send if kind == "cercle" else raw_send
            for _ in range(args.broadcasts):
                got, missing, send_time = await broadcast(arrivals, send, args.timeout)
                latencies += got
                lost += missing
                send_seconds.append(send_time)
                gc.collect()
                await asyncio.sleep(args.pause)
            per_kind[kind] = {
                "p50": percentile(latencies, 50) * 1000,
                "p99": percentile(latencies, 99) * 1000,
                "lost": lost,
                "send": statistics.median(send_seconds) * 1000,
                "server_cpu": (server.cpu_seconds() - cpu_before) / args.broadcasts * 1000,
            }
            results[kind].append(per_kind[kind])
        c, r = per_kind["cercle"], per_kind["raw"]
        print(
            f"run {run}: Cercle p50 {c['p50']:.0f} ms p99 {c['p99']:.0f} ms lost {c['lost']} "
            f"(commit + on-commit push {c['send']:.0f} ms, server CPU {c['server_cpu']:.0f} ms "
            f"per broadcast); raw pub/sub p50 {r['p50']:.0f} ms "
            f"p99 {r['p99']:.0f} ms lost {r['lost']}; ratio p99 {c['p99'] / r['p99']:.1f}x; "
            f"load {load_before} -> {load()}",
            flush=True,
        )
    gc.enable()
    await raw.close()
    await clients.close()
    return {
        "results": results,
        "memory_kib": (rss_after - rss_before) / args.clients,
        "frame_bytes": size,
        "closed_early": clients.closed_early,
        "resyncs": clients.resyncs,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clients", type=int, default=1000)
    parser.add_argument("--broadcasts", type=int, default=20)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--timeout", type=float, default=10.0, help="seconds before lost")
    parser.add_argument("--pause", type=float, default=0.2, help="seconds between broadcasts")
    parser.add_argument(
        "--layer",
        choices=["settings", "core"],
        default="settings",
        help="the configured channel layer, or channels_redis' RedisChannelLayer",
    )
    parser.add_argument(
        "--server",
        choices=["daphne", "uvicorn"],
        default="uvicorn",
        help="daphne (development's runserver) or uvicorn (production; the server extra)",
    )
    args = parser.parse_args()
    if not settings.REDIS_URL:
        sys.exit("Set REDIS_URL (and DATABASE_URL to PostgreSQL): this measures Redis.")
    if importlib.util.find_spec("websockets") is None:
        sys.exit("The websockets client is not installed: .venv/bin/pip install -e '.[dev]'")
    if args.server == "uvicorn" and importlib.util.find_spec("uvicorn") is None:
        sys.exit("uvicorn is not installed: .venv/bin/pip install -e '.[server]'")
    open_files = raise_open_files(4 * args.clients + 1024)
    call_command("migrate", verbosity=0)
    community, owner, users = world(args.clients)
    tokens = session_tokens(users)
    print(
        f"database: {connection.vendor}, clients: {args.clients}, broadcasts: "
        f"{args.broadcasts}, runs: {args.runs}, layer: {args.layer}, server: {args.server}, "
        f"open files: {open_files}, cores: {os.cpu_count()}, load: {load()}",
        flush=True,
    )
    with tempfile.TemporaryDirectory(prefix="cercle-bench-stream-") as directory:
        settings_module = os.environ["DJANGO_SETTINGS_MODULE"]
        if args.layer == "core":
            settings_module = core_layer_settings_module(Path(directory), settings_module)
            settings.CHANNEL_LAYERS = {
                "default": {
                    "BACKEND": "channels_redis.core.RedisChannelLayer",
                    "CONFIG": {
                        "hosts": [settings.REDIS_URL],
                        "prefix": settings.CHANNEL_LAYERS["default"]["CONFIG"]["prefix"],
                    },
                }
            }
            channel_layers.backends.clear()  # publish with it too
        server = Server(Path(directory), settings_module, args.server)
        try:
            server.wait_healthy()
            outcome = asyncio.run(measure(args, community, owner, tokens, server))
        finally:
            server.stop()
            Session.objects.filter(session_key__in=tokens).delete()
            prefix = os.environ["CHANNEL_LAYER_PREFIX"]
            if prefix == f"bench-stream-{os.getpid()}":  # this run's own prefix
                forget_layer_keys(prefix)
            problems = [
                line
                for line in server.output().splitlines()
                if "Error" in line or "Traceback" in line or "WARNING" in line
            ]
            if problems:
                print(f"server log ({len(problems)} warning/error lines, first 10):")
                print("\n".join(problems[:10]))
    results = outcome["results"]
    median = {
        kind: {m: statistics.median(run[m] for run in runs) for m in ("p50", "p99")}
        for kind, runs in results.items()
    }
    lost = sum(run["lost"] for run in results["cercle"])
    raw_lost = sum(run["lost"] for run in results["raw"])
    expected = args.clients * args.broadcasts * args.runs
    c, r = median["cercle"], median["raw"]
    print(
        f"median of {args.runs} runs ({args.broadcasts} broadcasts to {args.clients} clients "
        f"each, {outcome['frame_bytes']} byte events): Cercle p50 {c['p50']:.0f} ms, p99 "
        f"{c['p99']:.0f} ms; raw Redis pub/sub p50 {r['p50']:.0f} ms, p99 {r['p99']:.0f} ms; "
        f"ratio p99 {c['p99'] / r['p99']:.1f}x (goal <= 3x); lost {lost} of {expected} "
        f"(raw {raw_lost}) (goal 0); memory {outcome['memory_kib']:.0f} KiB per idle "
        f"connection (goal <= 200 KiB); sockets closed by the server: "
        f"{outcome['closed_early']}; resync frames: {outcome['resyncs']}; load {load()}"
    )


if __name__ == "__main__":
    main()
