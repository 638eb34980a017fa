"""The announcements API: what the asking member still has to acknowledge (the mobile
banner), acknowledging, and the managers' acknowledgement report and reminders.

Thin views: a selector reads, a service writes; their domain errors become HTTP answers
in :mod:`config.api.exceptions` (400 not an announcement to acknowledge, 403 not a
member or not a manager, 404 unreadable, 409 already acknowledged, 429 reminded too
recently).
"""

from datetime import timedelta

from django.conf import settings
from django.urls import path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response

from communities.api.serializers import CommunityReferenceSerializer, MemberSummarySerializer
from communities.api.views import CommunitiesAPIView
from communities.models import Post
from config.api.pagination import DefaultPagination, StreamPagination
from notifications.models import AnnouncementReminder
from notifications.selectors.announcements import (
    acknowledgement_report,
    announcement_get_for,
    announcements_pending_for,
)
from notifications.services.announcements import announcement_acknowledge, announcement_remind

NOT_FOUND = OpenApiResponse(description="Unknown, or not readable by the asking member.")
REFUSED = OpenApiResponse(description="Refused: the message says why.")

# Serializers ----------------------------------------------------------------------------


class PendingAnnouncementSerializer(serializers.ModelSerializer):
    """An announcement the asking member has not acknowledged yet."""

    community = CommunityReferenceSerializer(read_only=True)
    author = MemberSummarySerializer(read_only=True)

    class Meta:
        model = Post
        fields = ["id", "community", "author", "title", "created_at"]
        read_only_fields = fields


class AcknowledgementOutputSerializer(serializers.Serializer):
    post_id = serializers.IntegerField(read_only=True, help_text=_("The announcement."))
    acknowledged_at = serializers.DateTimeField(
        read_only=True, source="created_at", help_text=_("When the member acknowledged it.")
    )


class ReminderOutputSerializer(serializers.ModelSerializer):
    sent_by = MemberSummarySerializer(
        read_only=True, allow_null=True, help_text=_("The manager who sent it (null if gone).")
    )
    recipient_count = serializers.IntegerField(
        read_only=True, help_text=_("Members notified by this reminder.")
    )

    class Meta:
        model = AnnouncementReminder
        fields = ["id", "sent_at", "sent_by", "recipient_count"]
        read_only_fields = fields


class AcknowledgementReportSerializer(serializers.Serializer):
    """Where an announcement stands; ``pending`` is one page of the members who have not
    acknowledged (``page``, ``page_size``; ``next`` and ``previous`` link the pages)."""

    post_id = serializers.IntegerField(read_only=True)
    member_count = serializers.IntegerField(
        read_only=True, help_text=_("Members to reach: active members but the author.")
    )
    acknowledged_count = serializers.IntegerField(
        read_only=True, help_text=_("Of them, how many acknowledged.")
    )
    pending_count = serializers.IntegerField(
        read_only=True, help_text=_("Of them, how many have not acknowledged yet.")
    )
    rate = serializers.IntegerField(
        read_only=True, help_text=_("Percentage who acknowledged, 0 to 100 (rounded down).")
    )
    next_reminder_at = serializers.DateTimeField(
        read_only=True,
        allow_null=True,
        help_text=_("When the next reminder is possible; null when it is possible now."),
    )
    reminders = ReminderOutputSerializer(
        many=True, read_only=True, help_text=_("Reminders sent, newest first.")
    )
    pending = MemberSummarySerializer(
        many=True, read_only=True, help_text=_("This page of the members who have not.")
    )
    next = serializers.URLField(
        read_only=True, allow_null=True, help_text=_("The next page of pending members.")
    )
    previous = serializers.URLField(
        read_only=True, allow_null=True, help_text=_("The previous page of pending members.")
    )


class ReminderResultSerializer(serializers.Serializer):
    reminded = serializers.IntegerField(
        read_only=True, help_text=_("Members notified (their preferences and mutes apply).")
    )
    sent_at = serializers.DateTimeField(read_only=True)
    next_reminder_at = serializers.DateTimeField(
        read_only=True, help_text=_("When the next reminder is possible.")
    )


# Views --------------------------------------------------------------------------------


class PendingAnnouncementListView(CommunitiesAPIView):
    """The announcements the asking member has not acknowledged yet, newest first."""

    queryset = Post.objects.none()  # for the schema; a selector answers requests
    serializer_class = PendingAnnouncementSerializer
    pagination_class = StreamPagination

    @extend_schema(responses=PendingAnnouncementSerializer(many=True))
    def get(self, request):
        page = self.paginate_queryset(announcements_pending_for(request.user))
        return self.get_paginated_response(PendingAnnouncementSerializer(page, many=True).data)


class AnnouncementAcknowledgeView(CommunitiesAPIView):
    """The asking member acknowledges an announcement (once)."""

    serializer_class = AcknowledgementOutputSerializer

    @extend_schema(
        request=None,
        responses={
            201: AcknowledgementOutputSerializer,
            400: REFUSED,
            403: REFUSED,
            404: NOT_FOUND,
            409: OpenApiResponse(description="Already acknowledged."),
        },
    )
    def post(self, request, post_id):
        post = announcement_get_for(user=request.user, post_id=post_id)
        acknowledgement = announcement_acknowledge(user=request.user, post=post)
        return Response(
            AcknowledgementOutputSerializer(acknowledgement).data, status=status.HTTP_201_CREATED
        )


class AcknowledgementReportView(CommunitiesAPIView):
    """Managers: who acknowledged an announcement, who has not, and the reminders."""

    serializer_class = AcknowledgementReportSerializer
    pagination_class = DefaultPagination

    @extend_schema(
        parameters=[
            OpenApiParameter("page", OpenApiTypes.INT, description="Page of pending members."),
            OpenApiParameter(
                "page_size", OpenApiTypes.INT, description="Pending members per page (<= 100)."
            ),
        ],
        responses={
            200: AcknowledgementReportSerializer,
            400: REFUSED,
            403: REFUSED,
            404: NOT_FOUND,
        },
    )
    def get(self, request, post_id):
        post = announcement_get_for(user=request.user, post_id=post_id)
        report = acknowledgement_report(user=request.user, post=post)
        paginator = self.paginator
        pending = paginator.paginate_queryset(report.pending, request, view=self)
        data = {
            "post_id": post.pk,
            "member_count": report.member_count,
            "acknowledged_count": report.acknowledged_count,
            "pending_count": report.pending_count,
            "rate": report.rate,
            "next_reminder_at": report.next_reminder_at,
            "reminders": list(report.reminders),
            "pending": pending,
            "next": paginator.get_next_link(),
            "previous": paginator.get_previous_link(),
        }
        return Response(AcknowledgementReportSerializer(data).data)


class AnnouncementRemindView(CommunitiesAPIView):
    """Managers: remind the members who have not acknowledged (at most once per period)."""

    serializer_class = ReminderResultSerializer

    @extend_schema(
        request=None,
        responses={
            201: ReminderResultSerializer,
            400: REFUSED,
            403: REFUSED,
            404: NOT_FOUND,
            429: OpenApiResponse(description="Reminded too recently: the message says when."),
        },
    )
    def post(self, request, post_id):
        post = announcement_get_for(user=request.user, post_id=post_id)
        reminder = announcement_remind(actor=request.user, post=post)
        data = {
            "reminded": reminder.recipient_count,
            "sent_at": reminder.sent_at,
            "next_reminder_at": reminder.sent_at
            + timedelta(hours=settings.CERCLE_ANNOUNCEMENT_REMINDER_HOURS),
        }
        return Response(ReminderResultSerializer(data).data, status=status.HTTP_201_CREATED)


urlpatterns = [
    path("announcements/", PendingAnnouncementListView.as_view(), name="announcement-list"),
    path(
        "announcements/<int:post_id>/acknowledge/",
        AnnouncementAcknowledgeView.as_view(),
        name="announcement-acknowledge",
    ),
    path(
        "announcements/<int:post_id>/acknowledgements/",
        AcknowledgementReportView.as_view(),
        name="announcement-acknowledgements",
    ),
    path(
        "announcements/<int:post_id>/remind/",
        AnnouncementRemindView.as_view(),
        name="announcement-remind",
    ),
]
