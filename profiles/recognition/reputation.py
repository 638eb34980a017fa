"""Reputation: a score weighted by the quality of contributions, and per-community
leaderboards.

What earns points, for each member (their own activity alone earns nothing: points
come from what *others* did with their contributions):

- an answer accepted on someone else's question: :data:`POINTS_ACCEPTED_ANSWER`;
- each distinct colleague who gave them (visible) kudos: :data:`POINTS_KUDOS_PEER`,
  so ten kudos from one friend weigh as much as one;
- each distinct colleague who replied on each of their posts: :data:`POINTS_REPLY`;
- reactions from others on their posts and comments: :data:`POINTS_REACTION` each,
  at most ``CERCLE_REPUTATION_REACTIONS_DAILY_CAP`` counted per UTC day.

Followers, posts published and reactions given earn nothing. Hidden and deleted content
never counts. With a ``community``, only what happened in that community counts (kudos:
those shared in it).
"""

from datetime import UTC

from django.conf import settings
from django.db.models import Count, F, Q
from django.db.models.functions import Coalesce, TruncDate
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from communities import permissions
from communities.models import Comment, Community, Membership, Post, Reaction
from config.errors import NotFound, PermissionDenied
from profiles.models import Kudos, User

POINTS_ACCEPTED_ANSWER = 15
POINTS_KUDOS_PEER = 10
POINTS_REPLY = 2
POINTS_REACTION = 1

# (code, label, points per unit), in the order the breakdown is shown.
REPUTATION_LINES = (
    ("accepted_answers", gettext_noop("Answers accepted by colleagues"), POINTS_ACCEPTED_ANSWER),
    ("kudos_peers", gettext_noop("Colleagues who gave you kudos"), POINTS_KUDOS_PEER),
    ("replies_received", gettext_noop("Replies from others on your posts"), POINTS_REPLY),
    ("reactions_received", gettext_noop("Reactions received (capped per day)"), POINTS_REACTION),
)


def _accepted_answers(user_ids, community: Community | None) -> dict[int, int]:
    posts = Post.objects.filter(
        accepted_answer__author_id__in=user_ids,
        accepted_answer__is_hidden=False,
        accepted_answer__is_deleted=False,
        is_hidden=False,
    ).exclude(author_id=F("accepted_answer__author_id"))
    if community is not None:
        posts = posts.filter(community_id=community.pk)
    rows = (
        posts.values("accepted_answer__author_id")
        .annotate(n=Count("pk"))
        .values_list("accepted_answer__author_id", "n")
    )
    return dict(rows)


def _kudos_peers(user_ids, community: Community | None) -> dict[int, int]:
    links = Kudos.recipients.through.objects.filter(
        user_id__in=user_ids, kudos__is_hidden=False
    ).exclude(kudos__giver_id=F("user_id"))
    if community is not None:
        links = links.filter(kudos__community_id=community.pk)
    rows = (
        links.values("user_id")
        .annotate(n=Count("kudos__giver_id", distinct=True))
        .values_list("user_id", "n")
    )
    return dict(rows)


def _replies_received(user_ids, community: Community | None) -> dict[int, int]:
    """Distinct (post, replier) pairs: one colleague's long thread counts once per post."""
    comments = Comment.objects.filter(
        post__author_id__in=user_ids,
        post__is_hidden=False,
        is_hidden=False,
        is_deleted=False,
    ).exclude(author_id=F("post__author_id"))
    if community is not None:
        comments = comments.filter(post__community_id=community.pk)
    pairs = comments.order_by().values_list("post__author_id", "post_id", "author_id").distinct()
    counts: dict[int, int] = {}
    for author_id, _post_id, _replier_id in pairs:
        counts[author_id] = counts.get(author_id, 0) + 1
    return counts


def _reactions_received(user_ids, community: Community | None) -> tuple[dict, dict]:
    """(reactions counted after the daily cap, reactions received in all) per member."""
    content_author = Coalesce("post__author_id", "comment__author_id")
    reactions = (
        Reaction.objects.filter(
            Q(post__author_id__in=user_ids, post__is_hidden=False)
            | Q(
                comment__author_id__in=user_ids,
                comment__is_hidden=False,
                comment__is_deleted=False,
            )
        )
        .annotate(recipient_id=content_author)
        .exclude(user_id=F("recipient_id"))
    )
    if community is not None:
        reactions = reactions.filter(
            Q(post__community_id=community.pk) | Q(comment__post__community_id=community.pk)
        )
    per_day = (
        reactions.annotate(day=TruncDate("created_at", tzinfo=UTC))
        .values("recipient_id", "day")
        .annotate(n=Count("pk"))
        .values_list("recipient_id", "n")
    )
    cap = settings.CERCLE_REPUTATION_REACTIONS_DAILY_CAP
    capped: dict[int, int] = {}
    received: dict[int, int] = {}
    for recipient_id, count in per_day:
        capped[recipient_id] = capped.get(recipient_id, 0) + min(count, cap)
        received[recipient_id] = received.get(recipient_id, 0) + count
    return capped, received


def _lines(counts: dict[str, int], reactions_received: int) -> list[dict]:
    lines = []
    for code, label, points in REPUTATION_LINES:
        count = counts.get(code, 0)
        line = {"code": code, "label": _(label), "count": count, "points": count * points}
        if code == "reactions_received":
            line["count"] = reactions_received
        lines.append(line)
    return lines


def reputation_scores(user_ids, *, community: Community | None = None) -> dict[int, dict]:
    """``{user_id: {"total": int, "breakdown": [...]}}`` for ``user_ids`` (a list or a
    values queryset of ids) in four queries, whatever their number. Members with nothing
    are left out."""
    accepted = _accepted_answers(user_ids, community)
    peers = _kudos_peers(user_ids, community)
    replies = _replies_received(user_ids, community)
    reactions, reactions_received = _reactions_received(user_ids, community)
    scores = {}
    for user_id in set(accepted) | set(peers) | set(replies) | set(reactions):
        counts = {
            "accepted_answers": accepted.get(user_id, 0),
            "kudos_peers": peers.get(user_id, 0),
            "replies_received": replies.get(user_id, 0),
            "reactions_received": reactions.get(user_id, 0),
        }
        breakdown = _lines(counts, reactions_received.get(user_id, 0))
        scores[user_id] = {
            "total": sum(line["points"] for line in breakdown),
            "breakdown": breakdown,
        }
    return scores


def reputation_for(*, user: User, community: Community | None = None) -> dict:
    """The member's reputation: ``{"total": int, "breakdown": [{"code", "label",
    "count", "points"}, ...], "public": bool}``. Every line is present (zero when
    nothing counted), so the member sees what would earn points; for reactions,
    ``count`` is all reactions received and ``points`` what the daily cap let through.
    ``public`` is ``CERCLE_PUBLIC_RECOGNITION``: when False, pages show the score to the
    member alone. Four queries."""
    score = reputation_scores([user.pk], community=community).get(user.pk)
    if score is None:
        score = {"total": 0, "breakdown": _lines({}, 0)}
    return {**score, "public": settings.CERCLE_PUBLIC_RECOGNITION}


def leaderboard(*, viewer: User, community: Community) -> dict:
    """The community's top contributors by reputation earned in it:
    ``{"enabled": bool, "reason": str | None, "entries": [{"rank", "user", "score",
    "breakdown"}, ...]}``.

    - NotFound when ``viewer`` may not see the community (secret ones), PermissionDenied
      when they may not read it (private ones, non-members);
    - disabled, with the reason and no entries, when ``CERCLE_PUBLIC_RECOGNITION`` is
      off or the community has fewer than ``CERCLE_LEADERBOARD_MIN_MEMBERS`` active
      members;
    - at most ``CERCLE_LEADERBOARD_SIZE`` entries, active members only, without members
      who opted out (``show_in_leaderboards=False``) or who earned nothing.

    A constant number of queries, whatever the size of the community.
    """
    if not permissions.can_see(viewer, community):
        raise NotFound(_("This community does not exist."))
    if not permissions.can_read(viewer, community):
        raise PermissionDenied(_("Only members can see this community's leaderboard."))
    if not settings.CERCLE_PUBLIC_RECOGNITION:
        return {
            "enabled": False,
            "reason": _("Public recognition is turned off in this organisation."),
            "entries": [],
        }
    members = Membership.objects.filter(
        community_id=community.pk, status=Membership.Status.ACTIVE, user__is_active=True
    )
    minimum = settings.CERCLE_LEADERBOARD_MIN_MEMBERS
    if members.count() < minimum:
        return {
            "enabled": False,
            "reason": _("Leaderboards appear once a community has %(n)d members.") % {"n": minimum},
            "entries": [],
        }
    listed_ids = members.filter(user__show_in_leaderboards=True).values("user_id")
    scores = reputation_scores(listed_ids, community=community)
    users = User.objects.in_bulk([user_id for user_id, score in scores.items() if score["total"]])
    ranked = sorted(
        (user_id for user_id in users),
        key=lambda user_id: (-scores[user_id]["total"], users[user_id].display_name, user_id),
    )[: settings.CERCLE_LEADERBOARD_SIZE]
    entries = [
        {
            "rank": rank,
            "user": users[user_id],
            "score": scores[user_id]["total"],
            "breakdown": scores[user_id]["breakdown"],
        }
        for rank, user_id in enumerate(ranked, start=1)
    ]
    return {"enabled": True, "reason": None, "entries": entries}


__all__ = [
    "POINTS_ACCEPTED_ANSWER",
    "POINTS_KUDOS_PEER",
    "POINTS_REACTION",
    "POINTS_REPLY",
    "leaderboard",
    "reputation_for",
    "reputation_scores",
]
