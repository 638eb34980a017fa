"""/healthz reports the state of the database, the channel layer and the Celery broker,
and warns of participation rollups that fall behind."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from metrics.rollups import rollups_update
from metrics.services import visit_record
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

CLOSED_PORT_REDIS = "redis://127.0.0.1:1/0"


def test_healthz_is_200_when_everything_is_up(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "checks": {"database": "ok", "channel_layer": "ok", "broker": "ok"},
        "down": [],
        "lagging": [],
    }


def test_healthz_is_503_naming_the_broker_when_it_is_down(client, settings):
    settings.CELERY_BROKER_URL = CLOSED_PORT_REDIS
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "down"
    assert body["down"] == ["broker"]
    assert body["checks"]["database"] == "ok"


def test_healthz_is_503_naming_the_channel_layer_when_it_is_down(client, settings):
    from channels.layers import channel_layers

    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "config.channel_layers.RedisPubSubChannelLayer",
            "CONFIG": {"hosts": [CLOSED_PORT_REDIS]},
        }
    }
    channel_layers.backends.clear()
    try:
        response = client.get("/healthz")
    finally:
        channel_layers.backends.clear()
    assert response.status_code == 503
    assert response.json()["down"] == ["channel_layer"]


def test_healthz_needs_no_login_and_accepts_only_get(client):
    assert client.post("/healthz").status_code == 405


@pytest.mark.asyncio
async def test_the_channel_layer_check_leaves_no_channel_behind():
    """Served by a long-lived process, /healthz runs in the server's event loop: a check
    that left its channel (a Redis subscription) behind would leak one per probe."""
    from channels.layers import get_channel_layer

    from config.health import _round_trip_channel_layer

    for _ in range(3):
        await _round_trip_channel_layer()

    assert get_channel_layer().channels == {}


def test_healthz_names_the_rollups_more_than_a_day_behind_and_stays_200(client):
    with time_machine.travel(timezone.now() - timedelta(hours=30), tick=False):
        visit_record(user=UserFactory())
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["lagging"] == ["member_days", "community_days"]

    rollups_update()
    assert client.get("/healthz").json()["lagging"] == []


def test_healthz_names_a_rollup_whose_fill_stopped_a_day_ago(client, settings):
    rollups_update(now=timezone.now() - timedelta(hours=26))
    assert client.get("/healthz").json()["lagging"] == ["member_days", "community_days"]
    settings.CERCLE_ROLLUP_MAX_LAG_HOURS = 48
    assert client.get("/healthz").json()["lagging"] == []
