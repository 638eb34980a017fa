"""The JSON parser of the API: malformed or absurdly nested bodies answer 400.

DRF's own parser turns invalid JSON into a 400 but lets a deeply nested document
through (or dies in the decoder with RecursionError, a 500). No request of this API
needs more than a few levels, so anything deeper than :data:`MAX_DEPTH` is refused
before a serializer sees it.
"""

import io

from django.utils.http import parse_header_parameters
from django.utils.translation import gettext as _
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser, MultiPartParser

# Objects and arrays inside one another, the outermost one counting as 1.
MAX_DEPTH = 32


def json_depth_exceeds(document, limit: int) -> bool:
    """Whether ``document`` nests objects/arrays more than ``limit`` levels deep.

    Iterative, so that it cannot itself run out of stack."""
    stack = [(document, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict):
            children = value.values()
        elif isinstance(value, list):
            children = value
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children)
    return False


class DepthLimitedJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        try:
            document = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError(too_deep_message()) from None
        if json_depth_exceeds(document, MAX_DEPTH):
            raise ParseError(too_deep_message())
        return document


def too_deep_message() -> str:
    return _("JSON parse error - the document is nested more than %(limit)d levels deep.") % {
        "limit": MAX_DEPTH
    }


class StrictMultiPartParser(MultiPartParser):
    """A multipart body in which no part can be read answers 400.

    Django reads a body with broken parts as an empty form, so a PATCH with such a
    body would "succeed" without changing anything. A well-formed empty form (only the
    closing boundary) stays an empty form. Only small bodies are checked: a body that
    carries a file has a part to read."""

    checked_size = 64 * 1024

    def parse(self, stream, media_type=None, parser_context=None):
        request = (parser_context or {}).get("request")
        length = int(request.META.get("CONTENT_LENGTH") or 0) if request is not None else 0
        body = None
        if stream is not None and 0 < length <= self.checked_size:
            body = stream.read()
            stream = io.BytesIO(body)
        parsed = super().parse(stream, media_type, parser_context)
        if body is not None and not parsed.data and not parsed.files:
            _content_type, parameters = parse_header_parameters(media_type or "")
            closing = b"--" + parameters.get("boundary", "").encode("latin-1") + b"--"
            if body.strip() != closing:
                raise ParseError(_("Multipart form parse error - no part could be read."))
        return parsed
