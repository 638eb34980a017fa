"""One-click unsubscribe pages: the link in every notification email and digest.

No login: the signed token in the address is the credential, and only its owner's
settings change, whoever is logged in. GET only shows what the link will do (mail
security scanners open links, and must not unsubscribe anyone); POST applies it, which
is also what mail clients send for RFC 8058 one-click unsubscribe
(``List-Unsubscribe=One-Click``), without a CSRF token: hence ``csrf_exempt``. A
token that was altered answers 400 with a clear message, and changes nothing.
"""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from config.errors import ValidationError
from notifications.unsubscribe import unsubscribe, unsubscribe_request_read


@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe_page(request: HttpRequest, token: str) -> HttpResponse:
    try:
        if request.method == "POST":
            done = unsubscribe(token=token)
            return render(
                request,
                "notifications/unsubscribe_done.html",
                {"scope": done.scope, "email": done.user.email},
            )
        asked = unsubscribe_request_read(token=token)
    except ValidationError as error:
        return render(
            request, "notifications/unsubscribe_invalid.html", {"error": error.message}, status=400
        )
    return render(
        request,
        "notifications/unsubscribe.html",
        {"scope": asked.scope, "email": asked.user.email, "token": token},
    )


urlpatterns = [
    path("notifications/unsubscribe/<str:token>/", unsubscribe_page, name="unsubscribe"),
]
