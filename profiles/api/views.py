"""The profiles and recognition API: thin views that parse, call a selector or a service,
serialize.

Every authenticated member sees the people directory; what a profile reveals of a
member's contributions is filtered by the ASKING member's visibility (the selectors do
it). Domain errors of the services (kudos to yourself, over the daily cap, an avatar
that is not an image) become HTTP answers in :mod:`config.api.exceptions`.
"""

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.response import Response

from communities.api.views import ID_MAX, CommunitiesAPIView, _validated
from communities.files import stored_file_response
from communities.parsing import TOPIC_MAX_LENGTH
from communities.selectors.communities import community_get_for
from communities.selectors.posts import post_get_for
from config.api.pagination import StreamPagination
from config.api.parsers import StrictMultiPartParser
from config.errors import NotFound
from profiles import selectors
from profiles.api import serializers as s
from profiles.models import Badge, BadgeAward, Kudos, User
from profiles.recognition.kudos import kudos_give
from profiles.recognition.reputation import leaderboard, reputation_for
from profiles.recognition.selectors import (
    badge_get,
    badge_holders,
    badge_list,
    badges_held,
    kudos_list,
    kudos_received_summary,
    kudos_visible_to,
)
from profiles.recognition.timeline import contribution_timeline
from profiles.services import (
    follow_create,
    follow_delete,
    topic_follow,
    topic_unfollow,
    user_avatar_remove,
    user_avatar_set,
    user_profile_update,
)

NOT_FOUND = OpenApiResponse(description="Unknown member, badge, topic or post.")
FILE_RESPONSE = OpenApiResponse(
    response=OpenApiTypes.BINARY, description="The avatar image, with its content type."
)


def _profile(request, user_id: int) -> User:
    if user_id > ID_MAX:
        raise NotFound(_("This member does not exist."))
    return selectors.profile_get(viewer=request.user, user_id=user_id)


def _public_recognition() -> bool:
    return bool(settings.CERCLE_PUBLIC_RECOGNITION)


# Me -----------------------------------------------------------------------------------


def _me(user: User) -> User:
    return User.objects.prefetch_related("skills", "interests").get(pk=user.pk)


class MeView(CommunitiesAPIView):
    """The member making the request: read it, or update their own profile."""

    serializer_class = s.MeSerializer

    @extend_schema(responses=s.MeSerializer)
    def get(self, request):
        return Response(s.MeSerializer(_me(request.user), context={"request": request}).data)

    @extend_schema(request=s.MeUpdateSerializer, responses={200: s.MeSerializer})
    def patch(self, request):
        data = _validated(s.MeUpdateSerializer, request.data)
        user = user_profile_update(user=request.user, **data)
        return Response(s.MeSerializer(_me(user), context={"request": request}).data)


class MeAvatarView(CommunitiesAPIView):
    """Upload a new avatar (multipart; checked and resized) or remove it."""

    parser_classes = [StrictMultiPartParser]
    serializer_class = s.MeSerializer

    @extend_schema(
        request={"multipart/form-data": s.AvatarInputSerializer}, responses=s.MeSerializer
    )
    def put(self, request):
        data = _validated(s.AvatarInputSerializer, request.data)
        user = user_avatar_set(user=request.user, upload=data["avatar"])
        return Response(s.MeSerializer(_me(user), context={"request": request}).data)

    # 204 No Content, like every other removal in the API: the client drops the avatar it
    # shows (the profile's avatar is then null) without reading a body.
    @extend_schema(request=None, responses={204: OpenApiResponse(description="Removed.")})
    def delete(self, request):
        user_avatar_remove(user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


# The directory and profiles -----------------------------------------------------------


class ProfileListView(CommunitiesAPIView):
    """The people directory: search by name and filter by department, skill, interest
    or location."""

    queryset = User.objects.none()  # for the schema; a selector answers requests
    serializer_class = s.ProfileListItemSerializer

    @extend_schema(
        parameters=[s.ProfileListQuerySerializer],
        responses=s.ProfileListItemSerializer(many=True),
    )
    def get(self, request):
        filters = _validated(s.ProfileListQuerySerializer, request.query_params)
        filters = {name: value for name, value in filters.items() if value}
        people = selectors.profile_list(viewer=request.user, **filters)
        page = self.paginate_queryset(people)
        return self.get_paginated_response(
            s.ProfileListItemSerializer(page, many=True, context={"request": request}).data
        )


class ProfileDetailView(CommunitiesAPIView):
    """A member's profile: skills, interests, badges, kudos received and, when public
    recognition is on, their reputation with its breakdown."""

    serializer_class = s.ProfileDetailSerializer

    @extend_schema(responses={200: s.ProfileDetailSerializer, 404: NOT_FOUND})
    def get(self, request, user_id):
        user = _profile(request, user_id)
        shows_reputation = _public_recognition() or user.pk == request.user.pk
        context = {
            "request": request,
            "badges": badges_held(user=user),
            "kudos_received": kudos_received_summary(viewer=request.user, user=user),
            "reputation": reputation_for(user=user) if shows_reputation else None,
            "communities": selectors.profile_communities(viewer=request.user, user=user),
            "topics_followed": selectors.topics_followed(user=user, viewer=request.user),
            "contributions": selectors.profile_contributions(viewer=request.user, user=user),
        }
        return Response(s.ProfileDetailSerializer(user, context=context).data)


class ProfileAvatarView(CommunitiesAPIView):
    """Download a member's avatar (authenticated members only)."""

    @extend_schema(responses={(200, "*/*"): FILE_RESPONSE, 404: NOT_FOUND})
    def get(self, request, user_id):
        user = _profile(request, user_id)
        return stored_file_response(
            user.avatar, content_type=None, download_name=f"avatar-{user.pk}"
        )


# Follows ------------------------------------------------------------------------------


class ProfileFollowView(CommunitiesAPIView):
    """Follow a member (POST) or stop following them (DELETE). Both are idempotent."""

    serializer_class = s.FollowOutputSerializer

    @extend_schema(request=None, responses={200: s.FollowOutputSerializer, 404: NOT_FOUND})
    def post(self, request, user_id):
        user = _profile(request, user_id)
        follow_create(follower=request.user, followed=user)
        detail = _("You follow %(name)s.") % {"name": user.display_name}
        return Response({"following": True, "detail": detail})

    @extend_schema(request=None, responses={200: s.FollowOutputSerializer, 404: NOT_FOUND})
    def delete(self, request, user_id):
        user = _profile(request, user_id)
        follow_delete(follower=request.user, followed=user)
        detail = _("You no longer follow %(name)s.") % {"name": user.display_name}
        return Response({"following": False, "detail": detail})


class ProfileFollowersView(CommunitiesAPIView):
    """Who follows this member."""

    queryset = User.objects.none()  # for the schema; a selector answers requests
    serializer_class = s.ProfileSummarySerializer

    @extend_schema(responses=s.ProfileSummarySerializer(many=True))
    def get(self, request, user_id):
        people = selectors.followers_of(user=_profile(request, user_id))
        page = self.paginate_queryset(people)
        return self.get_paginated_response(
            s.ProfileSummarySerializer(page, many=True, context={"request": request}).data
        )


class ProfileFollowingView(CommunitiesAPIView):
    """Whom this member follows."""

    queryset = User.objects.none()  # for the schema; a selector answers requests
    serializer_class = s.ProfileSummarySerializer

    @extend_schema(responses=s.ProfileSummarySerializer(many=True))
    def get(self, request, user_id):
        people = selectors.following_of(user=_profile(request, user_id))
        page = self.paginate_queryset(people)
        return self.get_paginated_response(
            s.ProfileSummarySerializer(page, many=True, context={"request": request}).data
        )


TOPIC_NAME_PARAMETER = OpenApiParameter(
    "name",
    location=OpenApiParameter.PATH,
    description=_lazy(
        "The topic, with or without its #: a letter, then letters, digits and dashes "
        "(at most %(n)d characters)."
    )
    % {"n": TOPIC_MAX_LENGTH},
)


class TopicFollowView(CommunitiesAPIView):
    """Follow a #topic (POST) or stop following it (DELETE)."""

    serializer_class = s.TopicFollowOutputSerializer

    @extend_schema(
        request=None,
        parameters=[TOPIC_NAME_PARAMETER],
        responses={200: s.TopicFollowOutputSerializer, 404: NOT_FOUND},
    )
    def post(self, request, name):
        follow = topic_follow(user=request.user, topic_name=name)
        return Response({"topic": follow.topic.name, "following": True})

    @extend_schema(
        request=None,
        parameters=[TOPIC_NAME_PARAMETER],
        responses={200: s.TopicFollowOutputSerializer, 404: NOT_FOUND},
    )
    def delete(self, request, name):
        topic_unfollow(user=request.user, topic_name=name)
        return Response({"topic": name.strip().lstrip("#").lower(), "following": False})


# Kudos --------------------------------------------------------------------------------


class KudosListView(CommunitiesAPIView):
    """Kudos, newest first, by giver or recipient; and giving kudos."""

    queryset = Kudos.objects.none()  # for the schema; the filters below answer requests
    serializer_class = s.KudosOutputSerializer
    pagination_class = StreamPagination

    @extend_schema(
        parameters=[s.KudosListQuerySerializer],
        responses=s.KudosOutputSerializer(many=True),
    )
    def get(self, request):
        filters = _validated(s.KudosListQuerySerializer, request.query_params)
        kudos = kudos_list(
            viewer=request.user,
            giver_id=filters.get("giver"),
            recipient_id=filters.get("recipient"),
        )
        page = self.paginate_queryset(kudos)
        return self.get_paginated_response(
            s.KudosOutputSerializer(page, many=True, context={"request": request}).data
        )

    @extend_schema(
        request=s.KudosCreateInputSerializer,
        responses={
            201: s.KudosOutputSerializer,
            400: OpenApiResponse(description="Malformed, or kudos to yourself."),
            429: OpenApiResponse(description="Over the daily cap of kudos; the reason says so."),
        },
    )
    def post(self, request):
        data = _validated(s.KudosCreateInputSerializer, request.data, request=request)
        kudos = kudos_give(
            giver=request.user,
            recipients=data["recipients"],
            value=data["value"],
            message=data["message"],
            community=data.get("community"),
        )
        kudos = kudos_visible_to(viewer=request.user).get(pk=kudos.pk)
        return Response(
            s.KudosOutputSerializer(kudos, context={"request": request}).data,
            status=status.HTTP_201_CREATED,
        )


# Badges -------------------------------------------------------------------------------


class BadgeListView(CommunitiesAPIView):
    """Badge definitions, with how many members hold each."""

    queryset = Badge.objects.none()  # for the schema
    serializer_class = s.BadgeOutputSerializer

    @extend_schema(responses=s.BadgeOutputSerializer(many=True))
    def get(self, request):
        page = self.paginate_queryset(badge_list())
        return self.get_paginated_response(s.BadgeOutputSerializer(page, many=True).data)


class BadgeHoldersView(CommunitiesAPIView):
    """Members holding a badge, latest first, with the level they reached."""

    queryset = BadgeAward.objects.none()  # for the schema
    serializer_class = s.BadgeHolderSerializer

    @extend_schema(responses=s.BadgeHolderSerializer(many=True))
    def get(self, request, code):
        page = self.paginate_queryset(badge_holders(badge=badge_get(code=code)))
        return self.get_paginated_response(
            s.BadgeHolderSerializer(page, many=True, context={"request": request}).data
        )


# Discovery ----------------------------------------------------------------------------


class ExpertsView(CommunitiesAPIView):
    """People who may know: for a #topic, or for a question (its topics and title)."""

    queryset = User.objects.none()  # for the schema; a selector answers requests
    pagination_class = None  # a short ranked list, not pages
    serializer_class = s.ExpertSerializer

    @extend_schema(
        parameters=[s.ExpertsQuerySerializer],
        responses={200: s.ExpertSerializer(many=True), 404: NOT_FOUND},
    )
    def get(self, request):
        query = _validated(s.ExpertsQuerySerializer, request.query_params)
        post = post_get_for(user=request.user, post_id=query["post"]) if query.get("post") else None
        experts = selectors.experts_for(viewer=request.user, topic=query.get("topic"), post=post)
        return Response(s.ExpertSerializer(experts, many=True, context={"request": request}).data)


class PeopleYouMayKnowView(CommunitiesAPIView):
    """Colleagues you may want to know: shared interests, skills and communities."""

    queryset = User.objects.none()  # for the schema; a selector answers requests
    pagination_class = None  # a short ranked list, not pages
    serializer_class = s.SuggestionSerializer

    @extend_schema(responses=s.SuggestionSerializer(many=True))
    def get(self, request):
        people = selectors.people_you_may_know(viewer=request.user)
        return Response(
            s.SuggestionSerializer(people, many=True, context={"request": request}).data
        )


class ConnectionView(CommunitiesAPIView):
    """How you are connected to a member: the shortest path through follows or shared
    communities, up to 3 steps."""

    serializer_class = s.ConnectionSerializer

    @extend_schema(responses={200: s.ConnectionSerializer, 404: NOT_FOUND})
    def get(self, request, user_id):
        target = _profile(request, user_id)
        path = selectors.connection_path(viewer=request.user, target=target)
        if not path:
            body = {
                "path": [],
                "steps": None,
                "detail": _("No connection within 3 steps."),
            }
        else:
            body = {
                "path": path,
                "steps": len(path) - 1,
                "detail": " → ".join(
                    _("you") if person.pk == request.user.pk else person.display_name
                    for person in path
                ),
            }
        return Response(s.ConnectionSerializer(body, context={"request": request}).data)


class TimelineView(CommunitiesAPIView):
    """A member's contribution history: posts, answers, kudos and badges, newest first,
    limited to what the asking member may see."""

    queryset = Kudos.objects.none()  # for the schema; a selector answers requests
    pagination_class = None  # a short ranked list, not pages
    serializer_class = s.TimelineItemSerializer

    @extend_schema(responses={200: s.TimelineItemSerializer(many=True), 404: NOT_FOUND})
    def get(self, request, user_id):
        user = _profile(request, user_id)
        items = contribution_timeline(viewer=request.user, user=user)
        return Response(
            s.TimelineItemSerializer(items, many=True, context={"request": request}).data
        )


class LeaderboardView(CommunitiesAPIView):
    """The top members of a community by reputation, when leaderboards are shown there."""

    serializer_class = s.LeaderboardSerializer

    @extend_schema(responses={200: s.LeaderboardSerializer, 404: NOT_FOUND})
    def get(self, request, slug):
        community = community_get_for(user=request.user, slug=slug)
        board = leaderboard(viewer=request.user, community=community)
        return Response(s.LeaderboardSerializer(board, context={"request": request}).data)
