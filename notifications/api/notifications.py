"""The notification centre and a member's notification controls, in the API.

Thin views: a serializer parses, a selector reads (a member only ever reads their own
notifications and settings), a service writes. Domain errors become HTTP answers in
:mod:`config.api.exceptions`: 400 with field messages, 403, 404 (a secret community or
an unreadable post is answered like a missing one).
"""

from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from communities.models import Community, Post
from config.api.pagination import StreamPagination
from config.api.strict import validated
from config.errors import NotFound
from notifications.api import notification_serializers as s
from notifications.models import Notification, ThreadSubscription
from notifications.quiet_hours import member_is_quiet
from notifications.selectors.notifications import (
    ID_MAX,
    NotificationPreferences,
    community_level_for,
    notification_list_for,
    notification_preferences_for,
    unread_count,
)
from notifications.services.centre import notifications_mark_read
from notifications.services.preferences import (
    notification_preferences_update,
    thread_state_set,
    thread_state_withdraw,
)
from notifications.services.subscriptions import community_notification_level_set

NOT_FOUND = OpenApiResponse(description="Unknown, or secret to the asking member.")
NOT_A_MEMBER = OpenApiResponse(description="The asking member does not belong to the community.")
TAGS = ["notifications"]


def _validated(serializer_class, data, **kwargs) -> dict:
    return validated(serializer_class, data, **kwargs)


class NotificationPagination(StreamPagination):
    """Latest activity first: a grouped notification that gains people moves up."""

    ordering = ("-updated_at", "-id")


# Notifications ---------------------------------------------------------------------------


class NotificationListView(GenericAPIView):
    """The asking member's notifications, latest activity first (cursor pagination)."""

    queryset = Notification.objects.none()  # for the schema; a selector answers requests
    serializer_class = s.NotificationOutputSerializer
    pagination_class = NotificationPagination

    @extend_schema(
        tags=TAGS,
        parameters=[s.NotificationListQuerySerializer],
        responses=s.NotificationOutputSerializer(many=True),
    )
    def get(self, request):
        filters = _validated(s.NotificationListQuerySerializer, request.query_params)
        notifications = notification_list_for(
            user=request.user, unread=filters.get("unread"), kind=filters.get("kind") or None
        )
        page = self.paginate_queryset(notifications)
        serializer = s.NotificationOutputSerializer(
            page, many=True, context={"time_zone": request.user.time_zone}
        )
        return self.get_paginated_response(serializer.data)


class NotificationReadView(GenericAPIView):
    """Mark some (``ids``) or all (``all``: true) of your notifications read. Your other
    devices hear of it live (``notification.read`` and ``unread_count``)."""

    serializer_class = s.MarkReadInputSerializer

    @extend_schema(
        tags=TAGS, request=s.MarkReadInputSerializer, responses=s.MarkReadOutputSerializer
    )
    def post(self, request):
        data = _validated(s.MarkReadInputSerializer, request.data)
        if data["all"]:
            marked = notifications_mark_read(user=request.user, all_unread=True)
        else:
            marked = notifications_mark_read(user=request.user, ids=data["ids"])
        return Response({"marked": marked, "unread_count": unread_count(user=request.user)})


class UnreadCountView(GenericAPIView):
    """How many of your notifications are unread (the badge of the bell)."""

    serializer_class = s.UnreadCountSerializer

    @extend_schema(tags=TAGS, responses=s.UnreadCountSerializer)
    def get(self, request):
        return Response({"count": unread_count(user=request.user)})


# Preferences ------------------------------------------------------------------------------


def _preferences_body(user, preferences: NotificationPreferences) -> dict:
    settings = preferences.settings
    data = {
        "kinds": [
            {
                "kind": preference.kind,
                "label": preference.label,
                "delivery": preference.delivery,
                "default": preference.default,
            }
            for preference in preferences.kinds
        ],
        "quiet_hours_start": settings.quiet_hours_start,
        "quiet_hours_end": settings.quiet_hours_end,
        "quiet_weekends": settings.quiet_weekends,
        "digest_frequency": settings.digest_frequency,
        "email_enabled": settings.email_enabled,
        "time_zone": user.time_zone,
        "quiet_now": member_is_quiet(user=user, settings=settings, at=timezone.now()),
    }
    return s.NotificationPreferencesOutputSerializer(data).data


class NotificationPreferencesView(GenericAPIView):
    """How each kind of notification reaches you, your quiet hours, digest and email."""

    serializer_class = s.NotificationPreferencesOutputSerializer

    @extend_schema(tags=TAGS, responses=s.NotificationPreferencesOutputSerializer)
    def get(self, request):
        preferences = notification_preferences_for(user=request.user)
        return Response(_preferences_body(request.user, preferences))

    @extend_schema(
        tags=TAGS,
        request=s.NotificationPreferencesInputSerializer,
        responses=s.NotificationPreferencesOutputSerializer,
    )
    def patch(self, request):
        data = dict(_validated(s.NotificationPreferencesInputSerializer, request.data))
        if "kinds" in data:
            data["deliveries"] = data.pop("kinds")
        preferences = notification_preferences_update(user=request.user, **data)
        return Response(_preferences_body(request.user, preferences))


# Communities and threads ---------------------------------------------------------------------


def _level_body(membership) -> dict:
    return {
        "level": membership.notification_level,
        "effective_level": membership.effective_level,
        "default_level": membership.community.default_notification_level,
    }


def _my_level(request, slug: str):
    community = Community.objects.filter(slug=slug).first()
    if community is None:
        raise NotFound(_("This community does not exist."))
    return community_level_for(user=request.user, community=community)


class CommunityLevelView(GenericAPIView):
    """What you hear from a community you belong to: all posts, mentions and replies
    only, or muted (empty: the community's default)."""

    serializer_class = s.CommunityLevelOutputSerializer

    @extend_schema(
        tags=TAGS,
        responses={200: s.CommunityLevelOutputSerializer, 403: NOT_A_MEMBER, 404: NOT_FOUND},
    )
    def get(self, request, slug):
        return Response(_level_body(_my_level(request, slug)))

    @extend_schema(
        tags=TAGS,
        request=s.CommunityLevelInputSerializer,
        responses={200: s.CommunityLevelOutputSerializer, 403: NOT_A_MEMBER, 404: NOT_FOUND},
    )
    def put(self, request, slug):
        membership = _my_level(request, slug)
        level = _validated(s.CommunityLevelInputSerializer, request.data)["level"]
        community_notification_level_set(
            user=request.user, community=membership.community, level=level
        )
        return Response(_level_body(_my_level(request, slug)))


def _post(post_id: int) -> Post:
    """The post, for the subscription services, which check that the member may read
    it (NotFound otherwise, like an id that does not exist)."""
    post = None
    if post_id <= ID_MAX:
        post = Post.objects.filter(pk=post_id).only("id", "community_id", "author_id").first()
    if post is None:
        raise NotFound(_("This post does not exist."))
    return post


class _ThreadChoiceView(GenericAPIView):
    serializer_class = s.ThreadStateOutputSerializer
    state: str = ""

    def post(self, request, post_id):
        state = thread_state_set(user=request.user, post=_post(post_id), state=self.state)
        return Response({"state": state})

    def delete(self, request, post_id):
        state = thread_state_withdraw(user=request.user, post=_post(post_id), state=self.state)
        return Response({"state": state})


class ThreadFollowView(_ThreadChoiceView):
    """Follow a thread (POST): hear of every new comment. DELETE: back to the default
    (replies to your own posts and comments only); a mute is kept."""

    state = ThreadSubscription.State.FOLLOWING

    @extend_schema(
        tags=TAGS, request=None, responses={200: s.ThreadStateOutputSerializer, 404: NOT_FOUND}
    )
    def post(self, request, post_id):
        return super().post(request, post_id)

    @extend_schema(
        tags=TAGS, request=None, responses={200: s.ThreadStateOutputSerializer, 404: NOT_FOUND}
    )
    def delete(self, request, post_id):
        return super().delete(request, post_id)


class ThreadMuteView(_ThreadChoiceView):
    """Mute a thread (POST): nothing more from it but direct mentions. DELETE: unmute,
    back to the default; following is kept."""

    state = ThreadSubscription.State.MUTED

    @extend_schema(
        tags=TAGS, request=None, responses={200: s.ThreadStateOutputSerializer, 404: NOT_FOUND}
    )
    def post(self, request, post_id):
        return super().post(request, post_id)

    @extend_schema(
        tags=TAGS, request=None, responses={200: s.ThreadStateOutputSerializer, 404: NOT_FOUND}
    )
    def delete(self, request, post_id):
        return super().delete(request, post_id)


urlpatterns = [
    path("notifications/", NotificationListView.as_view(), name="notification-list"),
    path("notifications/read/", NotificationReadView.as_view(), name="notification-read"),
    path(
        "notifications/unread-count/",
        UnreadCountView.as_view(),
        name="notification-unread-count",
    ),
    path(
        "notification-preferences/",
        NotificationPreferencesView.as_view(),
        name="notification-preferences",
    ),
    path(
        "communities/<slug:slug>/notification-level/",
        CommunityLevelView.as_view(),
        name="community-notification-level",
    ),
    path("posts/<int:post_id>/follow/", ThreadFollowView.as_view(), name="post-follow"),
    path("posts/<int:post_id>/mute/", ThreadMuteView.as_view(), name="post-mute"),
]
