from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers


class KnownValuesCharField(serializers.CharField):
    """Text that must be one of a list of values decided elsewhere (a setting, the time
    zone database). A service checks the value and words the error; the OpenAPI schema
    lists the values, read by ``schema_enum`` when the schema is generated."""

    def __init__(self, *, schema_enum, **kwargs):
        self.schema_enum = schema_enum
        super().__init__(**kwargs)


@extend_schema_field({"type": "string", "minLength": 1, "pattern": r"\S"})
class ServiceCheckedTextField(serializers.CharField):
    """Required text that the service checks and words the error for ("Write something
    first"): the serializer lets a blank value through to it, and the schema says that
    blank is refused."""

    refuses_blank = True

    def __init__(self, **kwargs):
        kwargs.setdefault("allow_blank", True)
        super().__init__(**kwargs)
