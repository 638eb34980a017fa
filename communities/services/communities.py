"""Writes for communities themselves: create, update, archive."""

from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from communities.models import Community, Membership
from config.errors import Conflict, ValidationError
from metrics.models import Activity
from metrics.services import activity_record


def _unique_slug(name: str) -> str:
    base = slugify(name)[:120] or "community"
    slug, suffix = base, 2
    while Community.objects.filter(slug=slug).exists():
        slug = f"{base}-{suffix}"
        suffix += 1
    return slug


@transaction.atomic
def community_create(
    *,
    creator,
    name: str,
    description: str = "",
    visibility: str = Community.Visibility.PUBLIC,
    join_policy: str = Community.JoinPolicy.OPEN,
    slug: str | None = None,
    parent: Community | None = None,
) -> Community:
    """Create a community with ``creator`` as its owner.

    Raises Conflict when ``slug`` is taken; without a slug one is derived from the name.
    """
    name = (name or "").strip()
    if not name:
        raise ValidationError(
            _("A community needs a name."), field_errors={"name": [_("Required.")]}
        )
    if slug and Community.objects.filter(slug=slug).exists():
        raise Conflict(
            _("A community with the address “%(slug)s” already exists.") % {"slug": slug},
            field_errors={"slug": [_("Already taken.")]},
        )
    community = Community.objects.create(
        name=name,
        slug=slug or _unique_slug(name),
        description=description,
        visibility=visibility,
        join_policy=join_policy,
        parent=parent,
        created_by=creator,
    )
    Membership.objects.create(community=community, user=creator, role=Membership.Role.OWNER)
    activity_record(
        actor=creator, verb=Activity.Verb.COMMUNITY_CREATED, community=community, target=community
    )
    return community
