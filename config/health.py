"""``/healthz``: is each service Cercle depends on reachable?

Answers 200 with every check "ok", or 503 naming what is down. Used by load
balancers and orchestrators, so it needs no authentication and reveals no detail
beyond the state of each dependency.

``lagging`` names the participation rollups filled less recently than
``CERCLE_ROLLUP_MAX_LAG_HOURS``: a warning for monitoring (the beat task is not
running, or fails), not an outage, so it leaves the status at 200.
"""

import asyncio
import contextlib
import logging

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from kombu import Connection

from metrics.selectors import rollups_lagging

logger = logging.getLogger(__name__)

CHECK_TIMEOUT_SECONDS = 3


def check_database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


async def _round_trip_channel_layer() -> None:
    layer = get_channel_layer()
    if layer is None:
        raise RuntimeError("no channel layer configured")
    channel = await layer.new_channel("healthz.")
    await layer.send(channel, {"type": "healthz.ping"})
    message = await asyncio.wait_for(layer.receive(channel), timeout=CHECK_TIMEOUT_SECONDS)
    # Layers forget a channel whose receive is cancelled (a consumer going away): without
    # this, each check would leave a channel (and a Redis subscription) behind.
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(layer.receive(channel), timeout=0.01)
    if message.get("type") != "healthz.ping":
        raise RuntimeError("the channel layer returned another message")


def check_channel_layer() -> None:
    async_to_sync(_round_trip_channel_layer)()


def check_broker() -> None:
    with Connection(settings.CELERY_BROKER_URL, connect_timeout=CHECK_TIMEOUT_SECONDS) as conn:
        conn.ensure_connection(max_retries=1, timeout=CHECK_TIMEOUT_SECONDS)


CHECKS = {
    "database": check_database,
    "channel_layer": check_channel_layer,
    "broker": check_broker,
}


@never_cache
@require_GET
def healthz(request):
    results = {}
    for name, check in CHECKS.items():
        try:
            check()
        except Exception as exc:  # any failure means "down"; the log keeps the reason
            logger.warning("healthz: %s is down: %s", name, exc)
            results[name] = "down"
        else:
            results[name] = "ok"
    down = [name for name, state in results.items() if state != "ok"]
    lagging = []
    if results["database"] == "ok":
        try:
            lagging = rollups_lagging()
        except Exception as exc:  # a warning must never turn the probe into an error
            logger.warning("healthz: could not read the rollups' lag: %s", exc)
    body = {
        "status": "ok" if not down else "down",
        "checks": results,
        "down": down,
        "lagging": lagging,
    }
    return JsonResponse(body, status=503 if down else 200)
