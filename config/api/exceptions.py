"""One place that turns domain errors into HTTP answers.

Services raise :class:`config.errors.DomainError` subclasses; the API maps them
to 400/403/404/409 with a clear message, the same way for every endpoint.
"""

from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from config.errors import DomainError


def exception_handler(exc, context):
    if isinstance(exc, DomainError):
        body = {"detail": exc.message, "code": exc.code}
        if exc.field_errors:
            body.update(exc.field_errors)
        return Response(body, status=exc.status_code)
    return drf_exception_handler(exc, context)


__all__ = ["exception_handler", "status"]
