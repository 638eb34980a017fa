from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import CursorPagination, PageNumberPagination


class StrictPageSizeMixin:
    """``page_size`` outside 1..max_page_size answers 400 instead of being ignored or
    clamped, and the schema says which sizes are allowed."""

    def get_page_size(self, request):
        for name in (self.page_size_query_param, getattr(self, "page_query_param", None)):
            if name and len(request.query_params.getlist(name)) > 1:
                raise ValidationError({name: [_("Give this parameter once.")]})
        raw = request.query_params.get(self.page_size_query_param)
        if not raw:
            return self.page_size
        try:
            size = int(raw)
        except ValueError:
            size = 0
        if not 1 <= size <= self.max_page_size or not raw.strip().isdigit():
            raise ValidationError(
                {
                    self.page_size_query_param: [
                        _("Enter a whole number from 1 to %(max)d.") % {"max": self.max_page_size}
                    ]
                }
            )
        return size

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"].update({"minimum": 1, "maximum": self.max_page_size})
            elif parameter["name"] == getattr(self, "page_query_param", None):
                parameter["schema"].update({"minimum": 1})
        return parameters


class DefaultPagination(StrictPageSizeMixin, PageNumberPagination):
    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100


class StreamPagination(StrictPageSizeMixin, CursorPagination):
    """Cursor pagination for streams: stable while new items arrive at the top."""

    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100
    ordering = ("-created_at", "-id")
