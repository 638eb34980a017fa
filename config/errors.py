"""Domain exceptions raised by services, mapped to HTTP once in config.api.exceptions."""


class DomainError(Exception):
    """A rule of the domain refused the operation. ``message`` is shown to the user."""

    status_code = 400
    code = "invalid"

    def __init__(self, message: str, *, code: str | None = None, field_errors=None):
        super().__init__(message)
        self.message = str(message)
        if code:
            self.code = code
        self.field_errors = field_errors or {}


class ValidationError(DomainError):
    status_code = 400
    code = "invalid"


class PermissionDenied(DomainError):
    status_code = 403
    code = "permission_denied"


class NotFound(DomainError):
    status_code = 404
    code = "not_found"


class Conflict(DomainError):
    status_code = 409
    code = "conflict"


class RateLimited(DomainError):
    """Too many of one action in a period (e.g. the daily kudos cap): HTTP 429."""

    status_code = 429
    code = "rate_limited"
