"""JSON bodies must use JSON's own types.

DRF coerces on input: ``0`` is accepted where the schema says boolean, ``5`` where it
says string, ``"5"`` where it says integer. A client that sends the wrong type has a
bug; answering 200 hides it (and the documented schema would then lie). So every value of a
JSON body is also checked against the JSON type its field documents, and a mismatch
answers 400 with a message per field.

Query strings and multipart forms carry only text: there a boolean must read ``true``
or ``false``, a field that takes one value may be given only once, and an object
(which DRF would drop) cannot be given at all.
"""

from collections.abc import Mapping

from django.utils.translation import gettext as _
from rest_framework import serializers
from rest_framework.relations import ManyRelatedField, PrimaryKeyRelatedField, SlugRelatedField


def _expected(field) -> tuple[tuple[type, ...], str] | None:
    """The Python types a JSON value for ``field`` may have, and their JSON name."""
    if isinstance(field, serializers.BooleanField):
        return (bool,), "boolean"
    if isinstance(field, serializers.IntegerField | PrimaryKeyRelatedField):
        return (int,), "integer"
    if isinstance(field, serializers.FloatField):
        return (int, float), "number"
    if isinstance(field, serializers.MultipleChoiceField | serializers.ListSerializer):
        return (list,), "array"
    if isinstance(field, serializers.ChoiceField):
        if all(isinstance(choice, str) for choice in field.choices):
            return (str,), "string"
        return None
    if isinstance(field, serializers.CharField | SlugRelatedField):
        return (str,), "string"
    if isinstance(field, serializers.ListField | ManyRelatedField):
        return (list,), "array"
    if isinstance(field, serializers.Serializer):
        return (Mapping,), "object"
    return None


def _type_error(field, value):
    """The errors of ``value`` for ``field`` (a message, a dict per item, or None)."""
    if value is None:
        return None  # the field itself says whether null is allowed
    expected = _expected(field)
    if expected is not None:
        types, name = expected
        if isinstance(value, bool) and bool not in types:
            return [_("Expected a %(type)s, not true or false.") % {"type": name}]
        if not isinstance(value, types):
            return [_("Expected a %(type)s.") % {"type": name}]
    if isinstance(field, serializers.ListField) and isinstance(value, list):
        errors = {
            index: error
            for index, item in enumerate(value)
            if (error := _type_error(field.child, item)) is not None
        }
        return errors or None
    if isinstance(field, ManyRelatedField) and isinstance(value, list):
        errors = {
            index: error
            for index, item in enumerate(value)
            if (error := _type_error(field.child_relation, item)) is not None
        }
        return errors or None
    if isinstance(field, serializers.Serializer) and isinstance(value, Mapping):
        return json_type_errors(field, value) or None
    return None


def text_form_errors(serializer: serializers.Serializer, data) -> dict:
    """The same for a query string or a multipart form, where every value is text: a
    boolean is ``true`` or ``false`` (how OpenAPI writes it there), and a field that takes
    one value is given once."""
    errors = {}
    for name, field in serializer.fields.items():
        if field.read_only or name not in data:
            continue
        values = data.getlist(name)
        if isinstance(field, serializers.BaseSerializer):
            # DRF reads a nested object from a form only as dotted keys (poll.options),
            # and silently drops a value given whole under its name.
            errors[name] = [_("An object cannot be sent in a form: send a JSON body.")]
        elif len(values) > 1 and not isinstance(
            field, serializers.ListField | serializers.MultipleChoiceField | ManyRelatedField
        ):
            errors[name] = [_("Give this parameter once.")]
        elif isinstance(field, serializers.BooleanField) and values[-1].lower() not in {
            "true",
            "false",
            "",  # empty: DRF reads it as not given, or refuses it itself
        }:
            errors[name] = [_("Expected true or false.")]
    return errors


def json_type_errors(serializer: serializers.Serializer, data) -> dict:
    """Per writable field of ``serializer``, what in the JSON ``data`` has the wrong type."""
    if hasattr(data, "getlist"):
        return text_form_errors(serializer, data)
    if not isinstance(data, Mapping):
        return {}  # not a JSON object: DRF says so itself
    errors = {}
    for name, field in serializer.fields.items():
        if field.read_only or field.source == "*" or name not in data:
            continue
        error = _type_error(field, data[name])
        if error is not None:
            errors[name] = error
    return errors


def validated(serializer_class, data, **kwargs) -> dict:
    """Validate ``data`` with ``serializer_class(data=data, **kwargs)``, then refuse what
    DRF accepted only by coercing its JSON type.

    Raises DRF's ValidationError (400 with field messages). The serializer runs first,
    so that the messages it words itself stay the answer to what it refuses."""
    serializer = serializer_class(data=data, **kwargs)
    serializer.is_valid(raise_exception=True)
    errors = json_type_errors(serializer, data)
    if errors:
        raise serializers.ValidationError(errors)
    return serializer.validated_data
