"""Acknowledging an announcement reaches the member's other open pages and devices live:
``announcement.acknowledged`` on their personal stream, after the commit, to them only."""

import pytest
from asgiref.sync import sync_to_async
from django.db import transaction
from django.test import Client
from django.urls import reverse

from notifications.models import Acknowledgement, StreamEvent
from notifications.services.announcements import announcement_acknowledge
from tests.communities.api.conftest import client_for
from tests.notifications.test_announcements import make_world
from tests.notifications.test_stream_socket import connect_as, drain

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]


def _acknowledged(frames: list[dict]) -> list[dict]:
    return [frame for frame in frames if frame.get("type") == "announcement.acknowledged"]


@sync_to_async
def _acknowledge_through(path: str, world) -> int:
    """The member acknowledges as their app (the API) or their browser (the page's form)
    does; returns the HTTP status."""
    post = world.announcement
    if path == "api":
        return client_for(world.member).post(f"/api/v1/announcements/{post.pk}/acknowledge/")
    browser = Client()
    browser.force_login(world.member)
    return browser.post(reverse("notifications:announcement-acknowledge", args=[post.pk]))


@pytest.mark.parametrize(("path", "status"), [("api", 201), ("browser", 302)])
async def test_acknowledging_tells_every_socket_of_the_member_and_nobody_else(path, status):
    world = await sync_to_async(make_world)()
    # Two tabs (or a laptop and a phone) of the member; a colleague of the same community.
    tab, other_tab = await connect_as(world.member), await connect_as(world.member)
    colleague = await connect_as(world.colleague)

    response = await _acknowledge_through(path, world)

    assert response.status_code == status
    stored = await sync_to_async(StreamEvent.objects.get)(
        user=world.member, type="announcement.acknowledged"
    )
    acknowledgement = await sync_to_async(Acknowledgement.objects.get)(user=world.member)
    for socket in (tab, other_tab):
        assert _acknowledged(await drain(socket)) == [
            {
                "id": stored.pk,
                "type": "announcement.acknowledged",
                "data": {
                    "post_id": world.announcement.pk,
                    "community_id": world.community.pk,
                    "acknowledged_at": acknowledgement.created_at.isoformat(),
                },
                "created_at": stored.created_at.isoformat(),
            }
        ]
    # The colleague still has to acknowledge: nothing tells their pages otherwise.
    assert _acknowledged(await drain(colleague)) == []
    for socket in (tab, other_tab, colleague):
        await socket.disconnect()


async def test_a_device_that_was_offline_hears_of_it_when_it_resumes():
    world = await sync_to_async(make_world)()
    before = await sync_to_async(
        lambda: StreamEvent.objects.filter(user=world.member).order_by("-id").first()
    )()
    await sync_to_async(announcement_acknowledge)(user=world.member, post=world.announcement)

    phone = await connect_as(world.member, f"last_event_id={before.pk if before else 0}")

    [replayed] = _acknowledged(await drain(phone))
    assert replayed["data"]["post_id"] == world.announcement.pk
    await phone.disconnect()


async def test_a_rolled_back_acknowledgement_sends_and_stores_nothing():
    world = await sync_to_async(make_world)()
    tab = await connect_as(world.member)

    @sync_to_async
    def acknowledge_then_fail():
        with pytest.raises(RuntimeError), transaction.atomic():
            announcement_acknowledge(user=world.member, post=world.announcement)
            raise RuntimeError("the request failed after acknowledging")

    await acknowledge_then_fail()

    assert await drain(tab) == []
    assert not await sync_to_async(
        StreamEvent.objects.filter(user=world.member, type="announcement.acknowledged").exists
    )()
    assert not await sync_to_async(Acknowledgement.objects.exists)()
    await tab.disconnect()
