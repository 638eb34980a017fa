"""Writes for communities themselves: create, update (settings, cover, archive)."""

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_slug
from django.db import IntegrityError, transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from communities import permissions
from communities.models import Community, Membership, NotificationLevel
from communities.selectors.communities import community_require_visible
from config.errors import Conflict, PermissionDenied, ValidationError
from metrics.models import Activity
from metrics.services import activity_record

# Formats Pillow must recognise in the bytes of a cover image (never trust the name).
COVER_IMAGE_FORMATS = {"JPEG", "PNG", "GIF", "WEBP"}
UPDATABLE_FIELDS = (
    "name",
    "slug",
    "description",
    "visibility",
    "join_policy",
    "parent",
    "cover_image",
    "is_archived",
    "default_notification_level",
)
NAME_MAX_LENGTH = Community._meta.get_field("name").max_length
SLUG_MAX_LENGTH = Community._meta.get_field("slug").max_length


def _unique_slug(name: str) -> str:
    base = slugify(name)[:120] or "community"
    slug, suffix = base, 2
    while Community.objects.filter(slug=slug).exists():
        slug = f"{base}-{suffix}"
        suffix += 1
    return slug


def _clean_name(name) -> str:
    name = (name or "").strip()
    if not name:
        raise ValidationError(
            _("A community needs a name."), field_errors={"name": [_("Required.")]}
        )
    if len(name) > NAME_MAX_LENGTH:
        raise ValidationError(
            _("The name is too long."),
            field_errors={"name": [_("At most %(max)d characters.") % {"max": NAME_MAX_LENGTH}]},
        )
    return name


def _clean_slug(slug: str, *, exclude_pk: int | None = None) -> str:
    slug = (slug or "").strip().lower()
    try:
        validate_slug(slug)
    except DjangoValidationError:
        raise ValidationError(
            _("The address may only hold letters, digits, hyphens and underscores."),
            field_errors={"slug": [_("Use letters, digits, hyphens and underscores.")]},
        ) from None
    if len(slug) > SLUG_MAX_LENGTH:
        raise ValidationError(
            _("The address is too long."),
            field_errors={"slug": [_("At most %(max)d characters.") % {"max": SLUG_MAX_LENGTH}]},
        )
    if Community.objects.filter(slug=slug).exclude(pk=exclude_pk).exists():
        raise _slug_taken(slug)
    return slug


def _slug_taken(slug: str) -> Conflict:
    return Conflict(
        _("A community with the address “%(slug)s” already exists.") % {"slug": slug},
        field_errors={"slug": [_("Already taken.")]},
    )


def _clean_choice(field: str, value, choices) -> str:
    if value not in choices.values:
        raise ValidationError(
            _("“%(value)s” is not a valid choice.") % {"value": value},
            field_errors={
                field: [_("Choose one of: %(choices)s.") % {"choices": ", ".join(choices.values)}]
            },
        )
    return value


def _clean_cover_image(upload):
    """Check that ``upload`` really is a JPEG, PNG, GIF or WebP image of a sane size, by
    reading its content with Pillow (the file name and declared type are ignored)."""
    error = ValidationError(
        _("The cover image must be a JPEG, PNG, GIF or WebP picture."),
        field_errors={"cover_image": [_("Upload a JPEG, PNG, GIF or WebP picture.")]},
    )
    size = getattr(upload, "size", None)
    if size is not None and size > settings.CERCLE_ATTACHMENT_MAX_BYTES:
        raise ValidationError(
            _("The cover image is too large."),
            field_errors={
                "cover_image": [
                    _("At most %(megabytes)d MB.")
                    % {"megabytes": settings.CERCLE_ATTACHMENT_MAX_BYTES // (1024 * 1024)}
                ]
            },
        )
    try:
        upload.seek(0)
        with Image.open(upload) as image:
            image_format = image.format
            image.verify()
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, SyntaxError):
        raise error from None
    finally:
        upload.seek(0)
    if image_format not in COVER_IMAGE_FORMATS:
        raise error
    return upload


def _clean_parent(*, user, parent: Community, community: Community | None = None) -> Community:
    """A parent must be a community ``user`` may see, not archived, and (on update) not
    the community itself nor one of its sub-groups."""
    if not permissions.can_see(user, parent):
        raise ValidationError(
            _("Choose a parent community you can see."),
            field_errors={"parent": [_("Unknown community.")]},
        )
    if parent.is_archived:
        raise ValidationError(
            _("An archived community cannot take new sub-groups."),
            field_errors={"parent": [_("This community is archived.")]},
        )
    if community is not None:
        ancestor: Community | None = parent
        while ancestor is not None:
            if ancestor.pk == community.pk:
                raise ValidationError(
                    _("A community cannot be a sub-group of itself or of its own sub-groups."),
                    field_errors={"parent": [_("This would make a loop.")]},
                )
            ancestor = ancestor.parent
    return parent


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
    cover_image=None,
) -> Community:
    """Create a community with ``creator`` as its owner (any signed-in member may).

    Without ``slug`` one is derived from the name; a given slug must be a valid slug
    (ValidationError) and free (Conflict). ``parent`` must be visible to the creator and
    not archived; ``cover_image`` must be a real JPEG/PNG/GIF/WebP picture. Records
    COMMUNITY_CREATED. Nothing is written when anything is refused."""
    name = _clean_name(name)
    _clean_choice("visibility", visibility, Community.Visibility)
    _clean_choice("join_policy", join_policy, Community.JoinPolicy)
    slug = _clean_slug(slug) if slug else _unique_slug(name)
    if parent is not None:
        _clean_parent(user=creator, parent=parent)
    if cover_image:
        _clean_cover_image(cover_image)
    try:
        # A savepoint, so that losing a race for the slug leaves the transaction usable.
        with transaction.atomic():
            community = Community.objects.create(
                name=name,
                slug=slug,
                description=(description or "").strip(),
                visibility=visibility,
                join_policy=join_policy,
                parent=parent,
                cover_image=cover_image or "",
                created_by=creator,
            )
    except IntegrityError:
        raise _slug_taken(slug) from None
    Membership.objects.create(community=community, user=creator, role=Membership.Role.OWNER)
    activity_record(
        actor=creator, verb=Activity.Verb.COMMUNITY_CREATED, community=community, target=community
    )
    return community


@transaction.atomic
def community_update(*, actor, community: Community, **fields) -> Community:
    """Change a community's settings. Owners and managers (and superusers) only:
    NotFound when ``actor`` may not see the community, PermissionDenied otherwise.

    Accepted fields: name, slug, description, visibility, join_policy, parent,
    cover_image (a falsy value removes it), is_archived, default_notification_level
    (what members hear until they choose). Unknown fields, bad values, a
    parent that would make a loop: ValidationError; a slug already taken: Conflict.
    The community row is locked while it changes."""
    community_require_visible(user=actor, community=community)
    if not permissions.can_manage(actor, community):
        raise PermissionDenied(_("Only the community's managers can change its settings."))
    unknown = sorted(set(fields) - set(UPDATABLE_FIELDS))
    if unknown:
        raise ValidationError(
            _("These fields cannot be changed: %(fields)s.") % {"fields": ", ".join(unknown)},
            field_errors={field: [_("Unknown field.")] for field in unknown},
        )
    locked = Community.objects.select_for_update().get(pk=community.pk)
    changes: dict = {}
    if "name" in fields:
        changes["name"] = _clean_name(fields["name"])
    if "slug" in fields and (fields["slug"] or "").strip().lower() != locked.slug:
        changes["slug"] = _clean_slug(fields["slug"], exclude_pk=locked.pk)
    if "description" in fields:
        changes["description"] = (fields["description"] or "").strip()
    if "visibility" in fields:
        changes["visibility"] = _clean_choice(
            "visibility", fields["visibility"], Community.Visibility
        )
    if "join_policy" in fields:
        changes["join_policy"] = _clean_choice(
            "join_policy", fields["join_policy"], Community.JoinPolicy
        )
    if "parent" in fields:
        parent = fields["parent"]
        if parent is not None and parent.pk != locked.parent_id:
            _clean_parent(user=actor, parent=parent, community=locked)
        changes["parent"] = parent
    if "cover_image" in fields:
        cover_image = fields["cover_image"]
        changes["cover_image"] = _clean_cover_image(cover_image) if cover_image else ""
    if "is_archived" in fields:
        changes["is_archived"] = bool(fields["is_archived"])
    if "default_notification_level" in fields:
        changes["default_notification_level"] = _clean_choice(
            "default_notification_level", fields["default_notification_level"], NotificationLevel
        )
    if not changes:
        return community
    for field, value in changes.items():
        setattr(locked, field, value)
    try:
        with transaction.atomic():
            locked.save(update_fields=[*changes, "updated_at"])
    except IntegrityError:
        raise _slug_taken(changes.get("slug", locked.slug)) from None
    # The caller's instance reflects what was saved.
    for field in [*changes, "updated_at"]:
        setattr(community, field, getattr(locked, field))
    return community
