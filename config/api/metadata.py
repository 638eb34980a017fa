"""Answers to ``OPTIONS`` requests.

DRF describes the body a view accepts from the view's serializer, after looking the
object up with ``get_object()`` for PUT. The views here look their objects up
themselves (through selectors, in the handler), and action views (leave, decline,
read...) take no body and have no serializer. So the answer names the view and its
formats, and describes the fields only of the views that declare a serializer,
instead of failing.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from rest_framework import exceptions
from rest_framework.metadata import SimpleMetadata
from rest_framework.request import clone_request


class APIMetadata(SimpleMetadata):
    def determine_actions(self, request, view):
        if getattr(view, "serializer_class", None) is None:
            return {}
        actions = {}
        for method in sorted({"PUT", "POST"} & set(view.allowed_methods)):
            view.request = clone_request(request, method)
            try:
                view.check_permissions(view.request)
            except (exceptions.APIException, PermissionDenied, Http404):
                continue
            else:
                actions[method] = self.get_serializer_info(view.get_serializer())
            finally:
                view.request = request
        return actions
