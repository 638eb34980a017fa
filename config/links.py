"""Absolute links for what leaves the site (emails, feeds): the Sites framework's domain."""

from django.conf import settings
from django.contrib.sites.models import Site


def absolute_url(path: str) -> str:
    """``path`` (e.g. from ``reverse``) as an absolute URL on the current site's domain:
    https, or http when ``DEBUG`` (local development). The domain is cached per process
    by the Sites framework."""
    scheme = "http" if settings.DEBUG else "https"
    domain = Site.objects.get_current().domain
    return f"{scheme}://{domain}{path}"
