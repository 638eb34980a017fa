"""Writes for posts: publish, edit, delete, read."""

from django.db import transaction
from django.utils.translation import gettext as _

from communities.markdown import render_markdown
from communities.models import Community, Membership, Post
from config.errors import PermissionDenied, ValidationError
from metrics.models import Activity
from metrics.services import activity_record


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
