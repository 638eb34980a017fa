"""Error pages that speak JSON under /api/.

A URL that matches no route (``/api/v1/communities/not a slug/``) never reaches DRF,
so Django answers it. Its HTML page means nothing to a mobile client: under the API
prefix the answer is the same JSON body as every other API error. Elsewhere Django's
own pages are kept.
"""

from django.http import JsonResponse
from django.utils.translation import gettext as _
from django.views import defaults

API_PREFIX = "/api/"


def _is_api(request) -> bool:
    return request.path.startswith(API_PREFIX)


def page_not_found(request, exception):
    if _is_api(request):
        return JsonResponse({"detail": _("Not found."), "code": "not_found"}, status=404)
    return defaults.page_not_found(request, exception)


def server_error(request):
    if _is_api(request):
        return JsonResponse(
            {"detail": _("A server error occurred."), "code": "server_error"}, status=500
        )
    return defaults.server_error(request)
