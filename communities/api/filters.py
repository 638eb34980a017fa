"""Query-string filters of the communities API (django-filter).

django-filter parses and validates the query string (a malformed date or an unknown
kind answers 400 with field messages) and documents it in the OpenAPI schema; the
filtering itself is done by the selector, so the one visibility rule and its joins
stay in one place.
"""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field

from communities.models import Community, Post
from communities.selectors.posts import post_list
from communities.selectors.visibility import communities_visible_to


def _communities_visible_to_requester(request):
    # A secret community the member does not belong to is as unknown as a missing slug.
    if request is None:
        return Community.objects.none()
    return communities_visible_to(user=request.user)


@extend_schema_field({"type": "integer", "minimum": 1, "maximum": 2**63 - 1})
class IdFilter(django_filters.NumberFilter):
    """A whole, positive id (``NumberFilter`` would accept decimals)."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", 2**63 - 1)
        super().__init__(*args, **kwargs)


class PostFilter(django_filters.FilterSet):
    """Filters of ``GET /api/v1/posts/``."""

    community = django_filters.ModelChoiceFilter(
        queryset=_communities_visible_to_requester,
        to_field_name="slug",
        help_text=_("Slug of a community."),
    )
    author = IdFilter(help_text=_("Id of the author."))
    kind = django_filters.ChoiceFilter(choices=Post.Kind.choices, help_text=_("Kind of post."))
    topic = django_filters.CharFilter(help_text=_("A #topic, with or without the #."))
    created_after = django_filters.IsoDateTimeFilter(
        help_text=_("Only posts published at or after this moment (ISO 8601).")
    )
    created_before = django_filters.IsoDateTimeFilter(
        help_text=_("Only posts published before this moment (ISO 8601).")
    )

    class Meta:
        model = Post
        fields = ["community", "author", "kind", "topic", "created_after", "created_before"]

    def filter_queryset(self, queryset):
        """Ask the selector for the readable posts matching the validated filters.

        ``queryset`` (the unfiltered readable posts) is deliberately not used: the
        selector builds the filtered, joined queryset itself."""
        data = self.form.cleaned_data
        topic = (data.get("topic") or "").strip().lstrip("#") or None
        return post_list(
            user=self.request.user,
            community=data.get("community"),
            author_id=data.get("author"),
            kind=data.get("kind") or None,
            topic=topic,
            created_after=data.get("created_after"),
            created_before=data.get("created_before"),
        )
