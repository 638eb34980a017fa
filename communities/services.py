"""Writes for communities, memberships and posts. Views, API, admin and commands call these."""

from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from communities.markdown import render_markdown
from communities.models import Community, Membership, Post
from config.errors import Conflict, PermissionDenied, ValidationError
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


@transaction.atomic
def membership_add(*, community: Community, user, role: str = Membership.Role.MEMBER) -> Membership:
    """Make ``user`` an active member (used by joins and by managers adding people).

    Idempotent for someone already active; refuses banned members.
    """
    membership, created = Membership.objects.get_or_create(
        community=community, user=user, defaults={"role": role}
    )
    if membership.status == Membership.Status.BANNED:
        raise PermissionDenied(_("This member is banned from the community."))
    if not created and membership.status == Membership.Status.ACTIVE:
        return membership
    if not created:
        membership.status = Membership.Status.ACTIVE
        membership.role = role
        membership.save(update_fields=["status", "role"])
    activity_record(
        actor=user, verb=Activity.Verb.MEMBER_JOINED, community=community, target=community
    )
    return membership


@transaction.atomic
def post_create(
    *, author, community: Community, title: str, body: str, kind: str = Post.Kind.DISCUSSION
) -> Post:
    """Publish a post. The author must be an active member of the community."""
    if not Membership.objects.filter(
        community=community, user=author, status=Membership.Status.ACTIVE
    ).exists():
        raise PermissionDenied(_("Only members can post in this community."))
    title, body = (title or "").strip(), (body or "").strip()
    errors = {}
    if not title:
        errors["title"] = [_("A post needs a title.")]
    if not body:
        errors["body"] = [_("A post needs a body.")]
    if errors:
        raise ValidationError(_("The post is incomplete."), field_errors=errors)
    post = Post.objects.create(
        community=community,
        author=author,
        kind=kind,
        title=title,
        body=body,
        body_html=render_markdown(body),
    )
    activity_record(actor=author, verb=Activity.Verb.POST_CREATED, community=community, target=post)
    return post
