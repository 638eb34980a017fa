"""The conversations API: thin views that parse, call a selector or a service, serialize.

A conversation exists only for its active participants: anyone else (staff and
superusers included) gets 404, exactly as for an id that does not exist. Reading
(GET) never changes the unread state; ``POST conversations/{id}/read/`` does.
"""

from django.urls import path
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from config.api.pagination import DefaultPagination, StreamPagination
from config.api.strict import validated
from notifications.api import conversation_serializers as s
from notifications.models import Conversation, Message
from notifications.selectors.conversations import (
    conversation_get_for,
    conversations_for,
    messages_for,
)
from notifications.services.conversations import (
    conversation_leave,
    conversation_participants_add,
    conversation_read,
    conversation_start,
    message_send,
)

NOT_FOUND = OpenApiResponse(
    description="Unknown, or a conversation the asking member does not take part in."
)
NO_CONTENT = OpenApiResponse(description="Done.")


def _validated(serializer_class, data) -> dict:
    return validated(serializer_class, data)


def _detail(request, conversation_id: int) -> Conversation:
    return conversation_get_for(user=request.user, conversation_id=conversation_id)


class ConversationListView(GenericAPIView):
    """My conversations, latest activity first (page numbers), and starting one."""

    queryset = Conversation.objects.none()  # for the schema; a selector answers requests
    serializer_class = s.ConversationOutputSerializer
    pagination_class = DefaultPagination

    @extend_schema(
        parameters=[s.ConversationListQuerySerializer],
        responses=s.ConversationOutputSerializer(many=True),
    )
    def get(self, request):
        filters = _validated(s.ConversationListQuerySerializer, request.query_params)
        conversations = conversations_for(user=request.user, search=filters.get("q"))
        page = self.paginate_queryset(conversations)
        return self.get_paginated_response(
            s.ConversationOutputSerializer(page, many=True, context={"request": request}).data
        )

    @extend_schema(
        request=s.ConversationStartInputSerializer,
        responses={
            201: s.ConversationStartOutputSerializer,
            200: OpenApiResponse(
                s.ConversationStartOutputSerializer,
                description="The existing 1:1 conversation, with the message just sent in it.",
            ),
        },
    )
    def post(self, request):
        """Start a conversation with a first message: a 1:1 (reused when it exists, 200)
        or a group (201)."""
        data = _validated(s.ConversationStartInputSerializer, request.data)
        started = conversation_start(
            creator=request.user,
            participant_ids=data["participants"],
            title=data.get("title", ""),
            body=data["body"],
        )
        conversation = _detail(request, started.conversation.pk)
        body = s.ConversationStartOutputSerializer(
            conversation, context={"request": request, "message": started.message}
        ).data
        return Response(
            body, status=status.HTTP_201_CREATED if started.created else status.HTTP_200_OK
        )


class ConversationDetailView(GenericAPIView):
    """One of my conversations, with its participants and who left."""

    serializer_class = s.ConversationDetailOutputSerializer

    @extend_schema(responses={200: s.ConversationDetailOutputSerializer, 404: NOT_FOUND})
    def get(self, request, conversation_id):
        conversation = _detail(request, conversation_id)
        return Response(
            s.ConversationDetailOutputSerializer(conversation, context={"request": request}).data
        )


class ConversationMessageListView(GenericAPIView):
    """The messages of a conversation, NEWEST FIRST (cursor pagination: follow ``next``
    to go back in time; show them reversed), and sending one."""

    queryset = Message.objects.none()  # for the schema; a selector answers requests
    serializer_class = s.MessageOutputSerializer
    pagination_class = StreamPagination

    @extend_schema(responses={200: s.MessageOutputSerializer(many=True), 404: NOT_FOUND})
    def get(self, request, conversation_id):
        conversation = _detail(request, conversation_id)
        page = self.paginate_queryset(messages_for(user=request.user, conversation=conversation))
        return self.get_paginated_response(s.MessageOutputSerializer(page, many=True).data)

    @extend_schema(
        request=s.MessageInputSerializer,
        responses={201: s.MessageOutputSerializer, 404: NOT_FOUND},
    )
    def post(self, request, conversation_id):
        conversation = _detail(request, conversation_id)
        data = _validated(s.MessageInputSerializer, request.data)
        message = message_send(author=request.user, conversation=conversation, body=data["body"])
        return Response(s.MessageOutputSerializer(message).data, status=status.HTTP_201_CREATED)


class ConversationReadView(GenericAPIView):
    """Mark the conversation read up to now (and my message notifications of it)."""

    @extend_schema(request=None, responses={204: NO_CONTENT, 404: NOT_FOUND})
    def post(self, request, conversation_id):
        conversation_read(user=request.user, conversation=_detail(request, conversation_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


class ConversationLeaveView(GenericAPIView):
    """Leave a group conversation (a 1:1 cannot be left: 400)."""

    @extend_schema(request=None, responses={204: NO_CONTENT, 404: NOT_FOUND})
    def post(self, request, conversation_id):
        conversation_leave(user=request.user, conversation=_detail(request, conversation_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


class ConversationParticipantsView(GenericAPIView):
    """Add people to a group conversation (its participants may; still capped)."""

    serializer_class = s.ConversationDetailOutputSerializer

    @extend_schema(
        request=s.ParticipantsAddInputSerializer,
        responses={200: s.ConversationDetailOutputSerializer, 404: NOT_FOUND},
    )
    def post(self, request, conversation_id):
        conversation = _detail(request, conversation_id)
        data = _validated(s.ParticipantsAddInputSerializer, request.data)
        conversation_participants_add(
            actor=request.user, conversation=conversation, participant_ids=data["participants"]
        )
        conversation = _detail(request, conversation_id)
        return Response(
            s.ConversationDetailOutputSerializer(conversation, context={"request": request}).data
        )


urlpatterns = [
    path("conversations/", ConversationListView.as_view(), name="conversation-list"),
    path(
        "conversations/<int:conversation_id>/",
        ConversationDetailView.as_view(),
        name="conversation-detail",
    ),
    path(
        "conversations/<int:conversation_id>/messages/",
        ConversationMessageListView.as_view(),
        name="conversation-messages",
    ),
    path(
        "conversations/<int:conversation_id>/read/",
        ConversationReadView.as_view(),
        name="conversation-read",
    ),
    path(
        "conversations/<int:conversation_id>/leave/",
        ConversationLeaveView.as_view(),
        name="conversation-leave",
    ),
    path(
        "conversations/<int:conversation_id>/participants/",
        ConversationParticipantsView.as_view(),
        name="conversation-participants",
    ),
]
