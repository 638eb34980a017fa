from django.urls import include, path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework.decorators import api_view, permission_classes
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.reverse import reverse

app_name = "api"


@extend_schema(responses=OpenApiTypes.OBJECT)
@api_view(["GET"])
@permission_classes([AllowAny])
def api_root(request, format=None):
    """The entry point of the v1 API: links to its resources and its documentation."""
    return Response(
        {
            "me": reverse("api:me", request=request, format=format),
            "communities": reverse("api:community-list", request=request, format=format),
            "posts": reverse("api:post-list", request=request, format=format),
            "topics": reverse("api:topic-list", request=request, format=format),
            "invitations": reverse("api:invitation-list", request=request, format=format),
            "moderation_flags": reverse("api:moderation-flags", request=request, format=format),
            "profiles": reverse("api:profile-list", request=request, format=format),
            "kudos": reverse("api:kudos-list", request=request, format=format),
            "badges": reverse("api:badge-list", request=request, format=format),
            "experts": reverse("api:experts", request=request, format=format),
            "people_you_may_know": reverse(
                "api:people-you-may-know", request=request, format=format
            ),
            "participation": reverse("api:metrics-participation", request=request, format=format),
            "my_activity": reverse("api:metrics-activity-me", request=request, format=format),
            "schema": reverse("api-schema", request=request),
            "docs": reverse("api-docs", request=request),
            "auth": request.build_absolute_uri("/_allauth/app/v1/auth/login"),
        }
    )


urlpatterns = [
    path("", api_root, name="root"),
    path("", include("profiles.api.urls")),
    path("", include("communities.api.urls")),
    path("", include("notifications.api.urls")),
    path("metrics/", include("metrics.api.urls")),
]
