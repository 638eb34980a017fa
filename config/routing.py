"""Websocket routes."""

from django.urls import path

from notifications.consumers import StreamConsumer

websocket_urlpatterns = [
    path("ws/stream/", StreamConsumer.as_asgi()),
]
