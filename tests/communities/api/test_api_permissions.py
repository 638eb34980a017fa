"""The permission table of the communities API: role x visibility x action.

Every cell is a row: allowed ones answer 2xx, denied ones 403, and a secret community
answers 404 (or, where a request body names it, the same 400 as an unknown slug) to
anyone who is not an active member, banned members included. A member banned from a
public community sees that it exists and nothing of its content.
"""

import pytest

from communities.models import Flag
from communities.services.comments import comment_create
from communities.services.moderation import flag_create
from tests.communities.api.conftest import client_for, make_cast
from tests.factories import make_post

pytestmark = pytest.mark.django_db

ROLES = ("owner", "manager", "moderator", "member", "outsider", "banned")
MEMBERS = {"owner", "manager", "moderator", "member"}
MANAGERS = {"owner", "manager"}
MODERATORS = {"owner", "manager", "moderator"}


def _row(allowed: dict, ok: int, public_denied: int, private_denied: int, secret_denied: int):
    """Expected status per (visibility, role): ``ok`` for allowed roles; otherwise the
    denied code of the visibility. In a secret community, members who lack the role are
    told 403 (they know it exists); everyone else gets ``secret_denied``."""
    table = {}
    for role in ROLES:
        table["public", role] = ok if role in allowed["public"] else public_denied
        table["private", role] = ok if role in allowed["private"] else private_denied
        if role in allowed["secret"]:
            table["secret", role] = ok
        else:
            table["secret", role] = 403 if role in MEMBERS else secret_denied
    return table


EVERYONE = set(ROLES)
# A member banned from a public community keeps seeing that it exists, nothing more.
NOT_BANNED = EVERYONE - {"banned"}
# action: (allowed roles per visibility, success status, denied status per visibility)
TABLE = {
    "view_community": _row(
        {"public": EVERYONE, "private": EVERYONE, "secret": MEMBERS}, 200, 0, 0, 404
    ),
    "list_members": _row(
        {"public": NOT_BANNED, "private": MEMBERS, "secret": MEMBERS}, 200, 403, 403, 404
    ),
    "read_post": _row(
        {"public": NOT_BANNED, "private": MEMBERS, "secret": MEMBERS}, 200, 404, 404, 404
    ),
    "comment": _row(
        {"public": MEMBERS | {"outsider"}, "private": MEMBERS, "secret": MEMBERS},
        201,
        404,
        404,
        404,
    ),
    "publish_post": _row(
        {"public": MEMBERS, "private": MEMBERS, "secret": MEMBERS}, 201, 403, 403, 400
    ),
    "update_community": _row(
        {"public": MANAGERS, "private": MANAGERS, "secret": MANAGERS}, 200, 403, 403, 404
    ),
    "list_requests": _row(
        {"public": MANAGERS, "private": MANAGERS, "secret": MANAGERS}, 200, 403, 403, 404
    ),
    "resolve_flag": _row(
        {"public": MODERATORS, "private": MODERATORS, "secret": MODERATORS}, 200, 403, 403, 404
    ),
}
# 0 marks "nobody is denied here"; the last test checks that it never ends up in a cell.
ROWS = [
    pytest.param(action, visibility, role, expected, id=f"{action}-{visibility}-{role}")
    for action, table in TABLE.items()
    for (visibility, role), expected in table.items()
]


def _perform(action: str, cast, client):
    community = cast.community
    base = f"/api/v1/communities/{community.slug}/"
    post = make_post(community, author=cast.owner, title="Owner's post")
    if action == "view_community":
        return client.get(base)
    if action == "list_members":
        return client.get(f"{base}members/")
    if action == "read_post":
        return client.get(f"/api/v1/posts/{post.pk}/")
    if action == "comment":
        return client.post(f"/api/v1/posts/{post.pk}/comments/", {"body": "Hello"})
    if action == "publish_post":
        return client.post(
            "/api/v1/posts/", {"community": community.slug, "title": "Hi", "body": "There"}
        )
    if action == "update_community":
        return client.patch(base, {"description": "Changed"})
    if action == "list_requests":
        return client.get(f"{base}requests/")
    if action == "resolve_flag":
        comment = comment_create(author=cast.manager, post=post, body="Spam")
        flag = flag_create(reporter=cast.member, reason=Flag.Reason.SPAM, comment=comment)
        return client.post(f"/api/v1/moderation/flags/{flag.pk}/resolve/", {"action": "dismiss"})
    raise AssertionError(action)


@pytest.mark.parametrize(("action", "visibility", "role", "expected"), ROWS)
def test_permission_table(action, visibility, role, expected):
    cast = make_cast(visibility)
    response = _perform(action, cast, client_for(cast.person(role)))
    assert response.status_code == expected, response.content
    if expected == 404:
        assert response.json()["code"] == "not_found"
    elif expected == 403:
        assert response.json()["code"] == "permission_denied"
    elif expected == 400:
        # A secret community named in a body reads exactly like an unknown address.
        assert response.json() == {
            "community": [f"No community has the address “{cast.community.slug}”."]
        }


def test_the_table_lists_allowed_and_denied_rows_for_every_action():
    for action, table in TABLE.items():
        codes = set(table.values())
        assert any(code < 300 for code in codes), action
        assert any(code >= 400 for code in codes), action
        assert 0 not in codes, action
