"""The mobile login endpoints (allauth headless, under /_allauth/) read JSON with
``json.loads`` themselves: a body nested thousands of levels deep made the decoder
raise RecursionError, a 500. This middleware answers such bodies 400 first, in
allauth's own error format, with the same limit as the API's JSON parser."""

import json

from django.http import JsonResponse

from config.api.parsers import MAX_DEPTH, json_depth_exceeds, too_deep_message

HEADLESS_PREFIX = "/_allauth/"


class HeadlessJSONDepthMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (
            request.path.startswith(HEADLESS_PREFIX)
            and request.method not in {"GET", "HEAD", "OPTIONS"}
            and request.content_type == "application/json"
            and self._too_deep(request.body)
        ):
            return JsonResponse(
                {"status": 400, "errors": [{"message": too_deep_message(), "code": "invalid"}]},
                status=400,
            )
        return self.get_response(request)

    @staticmethod
    def _too_deep(body: bytes) -> bool:
        try:
            document = json.loads(body)
        except RecursionError:
            return True
        except ValueError:
            return False  # not JSON at all: allauth answers that itself
        return json_depth_exceeds(document, MAX_DEPTH)
