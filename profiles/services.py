"""Writes for members and their profiles: profile fields, avatar, follows (people and
#topics) and the skills/interests taxonomy.

Every write validates all of its input first and raises
:class:`config.errors.ValidationError` with ``field_errors`` for each bad field, so that
a refused change writes nothing at all. Multi-row writes are atomic.
"""

import io
import re
import uuid
from functools import cache
from zoneinfo import available_timezones

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, models, transaction
from django.db.models import Q
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from communities.markdown import render_markdown
from communities.models import Topic
from communities.parsing import TOPIC_MAX_LENGTH
from config.errors import NotFound, ValidationError
from notifications.events import send_event_on_commit, user_group
from profiles.models import Follow, Interest, Skill, TopicFollow, User

TEXT_FIELDS = ("display_name", "job_title", "department", "location")
EDITABLE_PROFILE_FIELDS = (
    *TEXT_FIELDS,
    "time_zone",
    "bio",
    "languages",
    "skills",
    "interests",
    "show_in_leaderboards",
)
BIO_MAX_LENGTH = 5_000
MAX_LANGUAGES = 20
MAX_TAGS = 50
TAG_MAX_LENGTH = Skill._meta.get_field("name").max_length

# ISO 639-1: the two-letter language codes.
ISO_639_1 = frozenset(
    """aa ab ae af ak am an ar as av ay az ba be bg bi bm bn bo br bs ca ce ch co cr cs cu
    cv cy da de dv dz ee el en eo es et eu fa ff fi fj fo fr fy ga gd gl gn gu gv ha he
    hi ho hr ht hu hy hz ia id ie ig ii ik io is it iu ja jv ka kg ki kj kk kl km kn ko
    kr ks ku kv kw ky la lb lg li ln lo lt lu lv mg mh mi mk ml mn mr ms mt my na nb nd
    ne ng nl nn no nr nv ny oc oj om or os pa pi pl ps pt qu rm rn ro ru rw sa sc sd se
    sg si sk sl sm sn so sq sr ss st su sv sw ta te tg th ti tk tl tn to tr ts tt tw ty
    ug uk ur uz ve vi vo wa wo xh yi yo za zh zu""".split()  # noqa: SIM905
)

# Avatars: what Pillow may decode, and the largest picture (in pixels) worth decoding.
AVATAR_FORMATS = {"JPEG", "PNG", "GIF", "WEBP"}
AVATAR_MAX_PIXELS = 40_000_000
SVG_OR_MARKUP = re.compile(rb"^\s*(<\?xml|<svg|<!doctype|<html)", re.I)
TOPIC_NAME = re.compile(r"^[^\W\d_][\w-]*$")


@cache
def _time_zones() -> frozenset[str]:
    return frozenset(available_timezones())


def _language_codes() -> set[str]:
    return ISO_639_1 | {code.lower() for code, _name in settings.LANGUAGES}


def _clean_text(field: str, value, errors: dict) -> str:
    value = "" if value is None else str(value).strip()
    max_length = User._meta.get_field(field).max_length
    if field == "display_name" and not value:
        errors[field] = [_("May not be blank.")]
    elif len(value) > max_length:
        errors[field] = [_("At most %(n)d characters.") % {"n": max_length}]
    return value


def _clean_time_zone(value, errors: dict) -> str:
    value = str(value or "").strip()
    if value not in _time_zones():
        errors["time_zone"] = [
            _("Unknown time zone %(zone)r: choose one such as Europe/Paris or UTC.")
            % {"zone": value}
        ]
    return value


def _clean_languages(value, errors: dict) -> list[str]:
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
        errors["languages"] = [_("Give a list of language codes, e.g. fr, en.")]
        return []
    codes = list(dict.fromkeys(code.strip().lower() for code in value if code.strip()))
    unknown = [code for code in codes if code not in _language_codes()]
    if unknown:
        errors["languages"] = [
            _("Unknown language codes: %(codes)s.") % {"codes": ", ".join(unknown)}
        ]
    elif len(codes) > MAX_LANGUAGES:
        errors["languages"] = [_("At most %(n)d languages.") % {"n": MAX_LANGUAGES}]
    return codes


def _clean_tag_names(field: str, value, errors: dict) -> list[str]:
    """Names stripped, inner spaces collapsed, de-duplicated case-insensitively."""
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
        errors[field] = [_("Give a list of names.")]
        return []
    names: dict[str, str] = {}
    for raw in value:
        name = " ".join(raw.split())
        if name:
            names.setdefault(name.casefold(), name)
    cleaned = list(names.values())
    too_long = [name for name in cleaned if len(name) > TAG_MAX_LENGTH]
    if too_long:
        errors[field] = [_("A name has at most %(n)d characters.") % {"n": TAG_MAX_LENGTH}]
    elif len(cleaned) > MAX_TAGS:
        errors[field] = [_("At most %(n)d entries.") % {"n": MAX_TAGS}]
    return cleaned


def _clean_bio(value, errors: dict) -> str:
    value = "" if value is None else str(value).strip()
    if len(value) > BIO_MAX_LENGTH:
        errors["bio"] = [_("At most %(n)d characters.") % {"n": BIO_MAX_LENGTH}]
    return value


def _tags_for(model: type[models.Model], names: list[str]) -> list[models.Model]:
    """The rows of ``model`` (Skill or Interest) for ``names``, matched case-insensitively
    (the existing spelling wins) and created when new. Race-safe: a name created by
    someone else meanwhile is ignored on insert and read back."""
    if not names:
        return []

    def existing() -> dict[str, models.Model]:
        matching = Q()
        for name in names:
            matching |= Q(name__iexact=name)
        return {row.name.casefold(): row for row in model.objects.filter(matching)}

    found = existing()
    missing = [name for name in names if name.casefold() not in found]
    if missing:
        model.objects.bulk_create([model(name=name) for name in missing], ignore_conflicts=True)
        found = existing()
    return [found[name.casefold()] for name in names if name.casefold() in found]


@transaction.atomic
def user_profile_update(*, user: User, **changes) -> User:
    """Update the member's own profile (the caller is the member, or staff acting for them).

    Accepted keys (``EDITABLE_PROFILE_FIELDS``): ``display_name`` (required, not blank),
    ``job_title``, ``department``, ``location`` (stripped, model max lengths),
    ``time_zone`` (a zoneinfo name such as ``Europe/Paris``), ``bio`` (Markdown, at most
    ``BIO_MAX_LENGTH``; rendered and sanitised into ``bio_html``), ``languages`` (codes
    from ``settings.LANGUAGES`` or ISO 639-1, lower-cased, de-duplicated),
    ``skills`` / ``interests`` (lists of names replacing the current ones; matched
    case-insensitively against the taxonomy, unknown names are created) and
    ``show_in_leaderboards`` (bool).

    Any other key: ValidationError. Every field is validated before anything is written;
    one ValidationError carries ``field_errors`` for all bad fields, and then nothing is
    saved (not even the valid fields).
    """
    unknown = set(changes) - set(EDITABLE_PROFILE_FIELDS)
    if unknown:
        raise ValidationError(
            _("These fields cannot be changed: %(fields)s.")
            % {"fields": ", ".join(sorted(unknown))},
            field_errors={field: [_("Unknown field.")] for field in sorted(unknown)},
        )
    errors: dict[str, list[str]] = {}
    values: dict = {}
    for field in TEXT_FIELDS:
        if field in changes:
            values[field] = _clean_text(field, changes[field], errors)
    if "time_zone" in changes:
        values["time_zone"] = _clean_time_zone(changes["time_zone"], errors)
    if "bio" in changes:
        values["bio"] = _clean_bio(changes["bio"], errors)
    if "languages" in changes:
        values["languages"] = _clean_languages(changes["languages"], errors)
    if "show_in_leaderboards" in changes:
        if not isinstance(changes["show_in_leaderboards"], bool):
            errors["show_in_leaderboards"] = [_("Must be true or false.")]
        values["show_in_leaderboards"] = changes["show_in_leaderboards"]
    tags = {}
    for field in ("skills", "interests"):
        if field in changes:
            tags[field] = _clean_tag_names(field, changes[field], errors)
    if errors:
        if list(errors) == ["display_name"]:
            message = _("A display name is required.")
        else:
            message = _("Some profile fields are not valid.")
        raise ValidationError(message, field_errors=errors)

    if "bio" in values:
        values["bio_html"] = render_markdown(values["bio"])
    for field, value in values.items():
        setattr(user, field, value)
    if values:
        user.save(update_fields=list(values))
    if "skills" in tags:
        user.skills.set(_tags_for(Skill, tags["skills"]))
    if "interests" in tags:
        user.interests.set(_tags_for(Interest, tags["interests"]))
    return user


# --- Avatar ------------------------------------------------------------------------


def _avatar_error(message: str) -> ValidationError:
    return ValidationError(message, field_errors={"avatar": [message]})


def _avatar_image(upload) -> Image.Image:
    """The decoded picture of ``upload``, after checking its size, that it is not SVG or
    markup, that Pillow recognises and verifies it, and that it is not absurdly large."""
    size = getattr(upload, "size", None)
    if size is None:
        upload.seek(0, io.SEEK_END)
        size = upload.tell()
    if size > settings.CERCLE_AVATAR_MAX_BYTES:
        raise _avatar_error(
            _("The picture is too large (at most %(megabytes)s MB).")
            % {"megabytes": round(settings.CERCLE_AVATAR_MAX_BYTES / (1024 * 1024), 1)}
        )
    if not size:
        raise _avatar_error(_("The file is empty."))
    upload.seek(0)
    head = upload.read(1024)
    upload.seek(0)
    if SVG_OR_MARKUP.match(head) or b"<svg" in head.lower():
        raise _avatar_error(_("SVG pictures are not accepted: upload a JPEG, PNG, GIF or WebP."))
    not_an_image = _("This file is not a picture: upload a JPEG, PNG, GIF or WebP.")
    try:
        with Image.open(upload) as probe:
            image_format = probe.format
            width, height = probe.size
            probe.verify()
    except UnidentifiedImageError:
        raise _avatar_error(not_an_image) from None
    except Image.DecompressionBombError:
        raise _avatar_error(_("This picture is too large to process.")) from None
    except (OSError, SyntaxError, ValueError):
        raise _avatar_error(_("This picture is damaged and cannot be read.")) from None
    finally:
        upload.seek(0)
    if image_format not in AVATAR_FORMATS:
        raise _avatar_error(
            _("%(format)s pictures are not accepted: upload a JPEG, PNG, GIF or WebP.")
            % {"format": image_format}
        )
    if width * height > AVATAR_MAX_PIXELS:
        raise _avatar_error(_("This picture is too large to process."))
    try:
        # verify() leaves the image unusable: decode it again, for real this time.
        image = Image.open(upload)
        image.load()
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise _avatar_error(_("This picture is damaged and cannot be read.")) from None
    return image


def _avatar_file_delete_on_commit(name: str) -> None:
    if not name:
        return
    storage = User._meta.get_field("avatar").storage
    transaction.on_commit(lambda: storage.delete(name))


@transaction.atomic
def user_avatar_set(*, user: User, upload) -> User:
    """Set the member's avatar from ``upload`` (a file-like object; its name and declared
    type are ignored).

    Refused with ValidationError, field_errors ``{"avatar": [...]}``, and nothing stored:
    larger than ``CERCLE_AVATAR_MAX_BYTES``, empty, SVG or other markup, anything Pillow
    does not recognise as JPEG/PNG/GIF/WebP, damaged pictures and decompression bombs.
    The picture is turned upright (EXIF), cropped to the centre square and resized to
    ``CERCLE_AVATAR_SIZE``; stored as PNG when it has transparency, else JPEG, in the
    default storage. The previous file is deleted once the transaction commits.
    """
    image = _avatar_image(upload)
    with image:
        image = ImageOps.exif_transpose(image)
        has_alpha = image.mode in ("RGBA", "LA", "PA") or (
            image.mode == "P" and "transparency" in image.info
        )
        image = image.convert("RGBA" if has_alpha else "RGB")
        image = ImageOps.fit(image, tuple(settings.CERCLE_AVATAR_SIZE), Image.Resampling.LANCZOS)
        buffer = io.BytesIO()
        if has_alpha:
            image.save(buffer, format="PNG", optimize=True)
            extension = "png"
        else:
            image.save(buffer, format="JPEG", quality=88, optimize=True)
            extension = "jpg"
    previous = user.avatar.name if user.avatar else ""
    user.avatar.save(
        f"{user.pk}-{uuid.uuid4().hex[:12]}.{extension}",
        ContentFile(buffer.getvalue()),
        save=False,
    )
    user.save(update_fields=["avatar"])
    _avatar_file_delete_on_commit(previous)
    return user


@transaction.atomic
def user_avatar_remove(*, user: User) -> User:
    """Remove the member's avatar (idempotent); the file is deleted on commit."""
    previous = user.avatar.name if user.avatar else ""
    if previous:
        user.avatar = ""
        user.save(update_fields=["avatar"])
        _avatar_file_delete_on_commit(previous)
    return user


# --- Follows -----------------------------------------------------------------------


@transaction.atomic
def follow_create(*, follower: User, followed: User) -> Follow:
    """``follower`` follows ``followed`` (any signed-in member may follow any active
    colleague). Idempotent: following again returns the existing row and sends nothing.

    ValidationError when following oneself; NotFound when ``followed`` is not an active
    member. On a new follow, ``follow.created`` is sent to the followed member's live
    stream once the transaction commits.
    """
    if follower.pk == followed.pk:
        raise ValidationError(
            _("You cannot follow yourself."),
            field_errors={"followed": [_("You cannot follow yourself.")]},
        )
    if not User.objects.filter(pk=followed.pk, is_active=True).exists():
        raise NotFound(_("This member does not exist."))
    try:
        with transaction.atomic():
            follow, created = Follow.objects.get_or_create(follower=follower, followed=followed)
    except IntegrityError:
        # Another request created it between our read and our insert.
        return Follow.objects.get(follower=follower, followed=followed)
    if created:
        send_event_on_commit(
            groups=[user_group(followed.pk)],
            event_type="follow.created",
            data={"follower_id": follower.pk, "followed_id": followed.pk},
        )
    return follow


def follow_delete(*, follower: User, followed: User) -> None:
    """``follower`` stops following ``followed``. Idempotent (not following: no-op)."""
    Follow.objects.filter(follower=follower, followed=followed).delete()


def _topic_name_clean(topic_name) -> str:
    name = str(topic_name or "").strip().lstrip("#").strip().lower()
    if not name or len(name) > TOPIC_MAX_LENGTH or not TOPIC_NAME.match(name):
        message = _(
            "A topic starts with a letter and contains letters, digits and dashes "
            "(at most %(n)d characters)."
        ) % {"n": TOPIC_MAX_LENGTH}
        raise ValidationError(message, field_errors={"topic": [message]})
    return name


@transaction.atomic
def topic_follow(*, user: User, topic_name: str) -> TopicFollow:
    """``user`` follows the #topic ``topic_name`` (with or without ``#``, any case).

    A topic nobody used yet is created, so that following it reveals nothing about
    whether it exists elsewhere. Idempotent. ValidationError for a malformed name.
    """
    name = _topic_name_clean(topic_name)
    topic, _created = Topic.objects.get_or_create(name=name)
    try:
        with transaction.atomic():
            follow, _created = TopicFollow.objects.get_or_create(user=user, topic=topic)
    except IntegrityError:
        follow = TopicFollow.objects.get(user=user, topic=topic)
    return follow


def topic_unfollow(*, user: User, topic_name: str) -> None:
    """``user`` stops following the #topic ``topic_name``. Idempotent; ValidationError for
    a malformed name."""
    name = _topic_name_clean(topic_name)
    TopicFollow.objects.filter(user=user, topic__name=name).delete()


# --- Taxonomy ----------------------------------------------------------------------


def _taxonomy_merge(model: type[models.Model], relation: str, *, source, target):
    label = model._meta.verbose_name
    if target is None or not isinstance(target, model):
        raise ValidationError(
            _("Choose the %(label)s to merge into.") % {"label": label},
            field_errors={"target": [_("Unknown %(label)s.") % {"label": label}]},
        )
    if source is None or not isinstance(source, model):
        raise ValidationError(
            _("Choose the %(label)s to merge.") % {"label": label},
            field_errors={"source": [_("Unknown %(label)s.") % {"label": label}]},
        )
    if source.pk == target.pk:
        raise ValidationError(
            _("A %(label)s cannot be merged into itself.") % {"label": label},
            field_errors={"target": [_("Choose a different %(label)s.") % {"label": label}]},
        )
    locked = {
        row.pk: row
        for row in model.objects.select_for_update().filter(pk__in=[source.pk, target.pk])
    }
    if target.pk not in locked:
        raise NotFound(
            _("The %(label)s %(name)r to merge into does not exist (any more).")
            % {"label": label, "name": str(target)}
        )
    if source.pk not in locked:
        raise NotFound(
            _("The %(label)s %(name)r to merge does not exist (any more).")
            % {"label": label, "name": str(source)}
        )
    through = getattr(User, relation).through
    field = model._meta.model_name + "_id"
    already = through.objects.filter(**{field: target.pk}).values("user_id")
    moving = through.objects.filter(**{field: source.pk}).exclude(user_id__in=already)
    through.objects.bulk_create(
        [
            through(user_id=user_id, **{field: target.pk})
            for user_id in moving.values_list("user_id", flat=True)
        ]
    )
    locked[source.pk].delete()
    return locked[target.pk]


@transaction.atomic
def skill_merge(*, source: Skill, target: Skill) -> Skill:
    """Merge the duplicate skill ``source`` into ``target`` (managers, from the admin):
    every member who declared ``source`` now has ``target`` (once), and ``source`` is
    deleted. Both rows are locked while this happens.

    ValidationError when ``target`` is missing or the same as ``source``; NotFound when
    either no longer exists. Atomic: on any error nothing changes.
    """
    return _taxonomy_merge(Skill, "skills", source=source, target=target)


@transaction.atomic
def interest_merge(*, source: Interest, target: Interest) -> Interest:
    """Merge the duplicate interest ``source`` into ``target``: as :func:`skill_merge`."""
    return _taxonomy_merge(Interest, "interests", source=source, target=target)
