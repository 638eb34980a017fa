"""The OpenAPI schema generator of the API.

drf-spectacular documents the answers each view declares. Every operation may also
answer with one of the errors below, produced the same way everywhere (DRF's
validation, authentication, permissions, pagination and throttling, and
:mod:`config.api.exceptions` for domain errors): they are documented on every
operation where they can happen, so that a client (or a fuzzer) finds each status
code it can receive in the schema.
"""

import copy

from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.relations import SlugRelatedField

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


class ErrorSerializer(serializers.Serializer):
    """An error answer. Validation errors also carry one list of messages per field."""

    detail = serializers.CharField(required=False, help_text="What went wrong, for people.")
    code = serializers.CharField(required=False, help_text="What went wrong, for programs.")

    class Meta:
        ref_name = "Error"


ERROR_DESCRIPTIONS = {
    "400": "Invalid input: `detail`, or one list of messages per field.",
    "401": "Not logged in, or the session token has expired.",
    "403": "The asking member may not do this.",
    "404": "Unknown, or secret to the asking member.",
    "409": "The request conflicts with the current state.",
    "413": "The request is too large.",
    "415": "Unsupported request content type.",
    "429": "Too many requests: try again later.",
}


class AutoSchema(SpectacularAutoSchema):
    """Also: a serializer field with a ``schema_enum`` callable is documented with that
    enum (for values a setting decides); upload fields are binary; a required list may
    not be empty, a required text not blank."""

    def resolve_serializer(self, serializer, direction, bypass_extensions=False):
        # drf-spectacular documents every PATCH body as partial (all fields optional),
        # like DRF's UpdateModelMixin; an input serializer that a PATCH view validates
        # whole says so with ``patch_is_partial = False``.
        if getattr(serializer, "partial", False) and not getattr(
            serializer, "patch_is_partial", True
        ):
            serializer = copy.copy(serializer)
            serializer.partial = False
        return super().resolve_serializer(serializer, direction, bypass_extensions)

    def _map_serializer_field(self, field, direction, bypass_extensions=False):
        schema = super()._map_serializer_field(field, direction, bypass_extensions)
        if schema is None:
            return schema
        schema_enum = getattr(field, "schema_enum", None)
        if schema_enum is not None:
            # Values that come from settings, read when the schema is generated.
            schema["enum"] = list(schema_enum())
        if getattr(field, "refuses_blank", False) and "oneOf" in schema:
            # drf-spectacular admits "" for a field with allow_blank; the service refuses it.
            branches = schema.pop("oneOf")
            schema.update(next(branch for branch in branches if branch.get("minLength")))
        if direction != "request" or field.read_only:
            return schema
        if isinstance(field, serializers.FileField):
            # An upload is the file's bytes, not the address the answer shows.
            if not field.allow_null:
                schema.pop("nullable", None)
            schema.update({"type": "string", "format": "binary"})
        elif isinstance(field, serializers.ListField) and not field.allow_empty:
            schema.setdefault("minItems", 1)
        elif (
            isinstance(field, SlugRelatedField)
            and not field.allow_null
            and schema.get("type") == "string"
        ):
            # DRF reads an empty slug as null, which this field refuses.
            schema.setdefault("minLength", 1)
        elif (
            isinstance(field, serializers.CharField)
            and not field.allow_blank
            and field.trim_whitespace
            and schema.get("type") == "string"
            and "pattern" not in schema
            and "enum" not in schema
            and "format" not in schema
        ):
            # Surrounding spaces are trimmed: "   " is as blank as "".
            schema["pattern"] = r"\S"
        return schema

    def get_operation(self, path, path_regex, path_prefix, method, registry):
        operation = super().get_operation(path, path_regex, path_prefix, method, registry)
        if operation is None:
            return None
        for parameter in operation.get("parameters", []):
            if parameter["in"] == "query" and not parameter.get("required"):
                # An optional filter given empty (?kind=) is read as not given.
                parameter["allowEmptyValue"] = True
        responses = operation["responses"]
        for code in self._error_codes(operation):
            if code not in responses:
                response = self._get_response_for_code(
                    ErrorSerializer, code, media_types=["application/json"]
                )
                response["description"] = ERROR_DESCRIPTIONS[code]
                responses[code] = response
        return operation

    def _error_codes(self, operation) -> list[str]:
        locations = {parameter["in"] for parameter in operation.get("parameters", [])}
        has_body = "requestBody" in operation
        unsafe = self.method not in SAFE_METHODS
        authenticators = self.view.get_authenticators()
        authenticated = any(
            not isinstance(permission, AllowAny) for permission in self.view.get_permissions()
        )
        codes = []
        if has_body or unsafe or locations & {"query", "path"}:
            codes.append("400")
        if authenticators:
            # A stale or forged session token answers 401 even where no login is needed.
            codes.append("401")
        if authenticated:
            codes.append("403")
        if locations & {"query", "path"}:
            # Unknown ids in the path or in filters, and pages past the last one.
            codes.append("404")
        if unsafe:
            codes.append("409")
        if has_body:
            codes.append("415")
            if "multipart/form-data" in operation["requestBody"].get("content", {}):
                codes.append("413")
        if self.view.get_throttles():
            codes.append("429")
        return sorted(codes)
