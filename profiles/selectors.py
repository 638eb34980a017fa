"""Reads for members: the directory, a profile and its contributions, discovery (people
you may know), how two people are connected, and who knows about a topic.

Anything that comes from inside communities goes through the one visibility rule
(:func:`communities.selectors.visibility.community_visibility_q`) for the VIEWER:

- contributions, accepted answers and kudos shared in a community count and show only
  when the viewer may read that community's content;
- a shared community links two people (connection path, profile communities) only when
  the viewer may read it: public ones (unless banned), private and secret ones they are
  an active member of. Member lists of private and secret communities are for members
  only, so a path never reveals who is in them.

Lists are joined and prefetched so that their query count does not depend on the rows.
"""

import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from communities.models import Comment, Community, Membership, Post, Topic
from communities.selectors.posts import post_is_readable
from communities.selectors.visibility import community_visibility_q, posts_visible_to
from config.errors import NotFound
from profiles.models import Follow, Interest, Kudos, Skill, User

# people_you_may_know: what each shared thing weighs. Passions first: they make the
# relationships that last.
WEIGHT_SHARED_INTEREST = 3
WEIGHT_SHARED_SKILL = 2
WEIGHT_SHARED_COMMUNITY = 2
WEIGHT_SAME_DEPARTMENT = 1

# experts_for: proven help counts more than a declared skill; kudos count per distinct
# colleague, never per message, so that volume alone does not pay.
WEIGHT_ACCEPTED_ANSWER = 3
WEIGHT_KUDOS_GIVER = 2
WEIGHT_DECLARED_SKILL = 2
TITLE_WORD_MIN_LENGTH = 4
TITLE_WORDS_MAX = 8
STOP_WORDS = frozenset(
    """about above after again also because been before being between both cannot could
    does doing down during each from have having here into just more most other over
    same should some such than that their them then there these they this those through
    under until very what when where which while will with would your yours avec dans
    depuis donc elle elles entre être fait faire leur leurs mais même nous pour quand
    quel quelle quelles quels sans sont sous tous tout toute toutes très vous comment
    est-ce pourquoi""".split()  # noqa: SIM905
)


def _active_users() -> QuerySet[User]:
    return User.objects.filter(is_active=True)


def _readable_communities_q(viewer, prefix: str = "") -> Q:
    """Communities whose content (and member list) the viewer may read."""
    return community_visibility_q(viewer, prefix=prefix, for_content=True)


def _annotate_for(users: QuerySet[User], viewer) -> QuerySet[User]:
    """``is_followed`` (the viewer follows them), ``follows_you`` and ``follower_count``,
    with skills and interests prefetched."""
    viewer_id = viewer.pk if viewer is not None and viewer.is_authenticated else None
    follower_count = (
        Follow.objects.filter(followed_id=OuterRef("pk"), follower__is_active=True)
        .order_by()
        .values("followed_id")
        .annotate(n=Count("id"))
        .values("n")
    )
    return users.annotate(
        is_followed=Exists(
            Follow.objects.filter(follower_id=viewer_id, followed_id=OuterRef("pk"))
        ),
        follows_you=Exists(
            Follow.objects.filter(follower_id=OuterRef("pk"), followed_id=viewer_id)
        ),
        follower_count=Coalesce(Subquery(follower_count, output_field=IntegerField()), Value(0)),
    ).prefetch_related(
        Prefetch("skills", queryset=Skill.objects.order_by("name")),
        Prefetch("interests", queryset=Interest.objects.order_by("name")),
    )


def profile_list(
    *,
    viewer,
    search: str | None = None,
    department: str | None = None,
    skill: str | None = None,
    interest: str | None = None,
    location: str | None = None,
) -> QuerySet[User]:
    """The people directory: active members by display name, for any signed-in viewer.

    ``search`` matches (case-insensitively, every word) the display name, email, job
    title, department, location, skills and interests. ``department`` and ``skill`` /
    ``interest`` (a name) match exactly, case-insensitively; ``location`` is a substring.
    Annotated with ``is_followed``, ``follows_you`` and ``follower_count``; skills and
    interests prefetched: three queries whatever the number of rows.
    """
    users = _active_users()
    for word in (search or "").split():
        users = users.filter(
            Q(display_name__icontains=word)
            | Q(email__icontains=word)
            | Q(job_title__icontains=word)
            | Q(department__icontains=word)
            | Q(location__icontains=word)
            | Exists(
                User.skills.through.objects.filter(
                    user_id=OuterRef("pk"), skill__name__icontains=word
                )
            )
            | Exists(
                User.interests.through.objects.filter(
                    user_id=OuterRef("pk"), interest__name__icontains=word
                )
            )
        )
    if department and department.strip():
        users = users.filter(department__iexact=department.strip())
    if location and location.strip():
        users = users.filter(location__icontains=location.strip())
    if skill and skill.strip():
        users = users.filter(
            Exists(
                User.skills.through.objects.filter(
                    user_id=OuterRef("pk"), skill__name__iexact=" ".join(skill.split())
                )
            )
        )
    if interest and interest.strip():
        users = users.filter(
            Exists(
                User.interests.through.objects.filter(
                    user_id=OuterRef("pk"), interest__name__iexact=" ".join(interest.split())
                )
            )
        )
    return _annotate_for(users, viewer).order_by("display_name", "id")


def profile_get(*, viewer, user_id) -> User:
    """One active member's profile, annotated as in :func:`profile_list`. NotFound for an
    unknown id, a malformed id or a deactivated account."""
    try:
        user_id = int(user_id)
    except (TypeError, ValueError):
        raise NotFound(_("This member does not exist.")) from None
    user = _annotate_for(_active_users().filter(pk=user_id), viewer).first()
    if user is None:
        raise NotFound(_("This member does not exist."))
    return user


def profile_communities(*, viewer, user: User) -> QuerySet[Community]:
    """The communities ``user`` is an active member of that the viewer may read (so a
    private or secret membership shows only to fellow members), by name."""
    return (
        Community.objects.filter(
            _readable_communities_q(viewer),
            memberships__user_id=user.pk,
            memberships__status=Membership.Status.ACTIVE,
            is_archived=False,
        )
        .distinct()
        .order_by("name")
    )


def followers_of(*, user: User) -> QuerySet[User]:
    """Active members who follow ``user``, newest follow first."""
    return _active_users().filter(following__followed_id=user.pk).order_by("-following__created_at")


def following_of(*, user: User) -> QuerySet[User]:
    """Active members ``user`` follows, newest follow first."""
    return _active_users().filter(followers__follower_id=user.pk).order_by("-followers__created_at")


def topics_followed(*, user: User, viewer=None) -> QuerySet[Topic]:
    """The #topics ``user`` follows, by name.

    When another member (``viewer``) looks, only topics used in at least one post the
    viewer may read are listed: the name of a topic used only in a secret community
    must not leak through someone's profile.
    """
    topics = Topic.objects.filter(followers__user_id=user.pk)
    if viewer is not None and viewer.pk != user.pk:
        readable = posts_visible_to(user=viewer).filter(topics=OuterRef("pk"))
        topics = topics.filter(Exists(readable))
    return topics.order_by("name")


# --- Contributions -----------------------------------------------------------------


@dataclass(frozen=True)
class Contribution:
    """One dated item of a member's contributions: ``kind`` is "post", "comment" or
    "accepted_answer" (a comment accepted as the answer to a question); ``post`` is the
    post itself or the one commented on."""

    kind: str
    created_at: datetime
    post: Post
    comment: Comment | None = None


def profile_contributions(*, viewer, user: User, limit: int = 20) -> list[Contribution]:
    """``user``'s most recent posts, comments and accepted answers that the VIEWER may
    read, newest first, at most ``limit``.

    Left out: anything in a community whose content the viewer may not read (private or
    secret ones they are not in, public ones they are banned from), hidden posts,
    hidden or deleted comments, and comments on hidden posts. Two queries.
    """
    posts = list(
        posts_visible_to(user=viewer)
        .filter(author_id=user.pk)
        .order_by("-created_at", "-id")[:limit]
    )
    comments = list(
        Comment.objects.filter(
            _readable_communities_q(viewer, prefix="post__community__"),
            author_id=user.pk,
            is_hidden=False,
            is_deleted=False,
            post__is_hidden=False,
        )
        .annotate(is_accepted=Exists(Post.objects.filter(accepted_answer_id=OuterRef("pk"))))
        .select_related("post__community", "post__author")
        .order_by("-created_at", "-id")[:limit]
    )
    items = [Contribution("post", post.created_at, post) for post in posts]
    items += [
        Contribution(
            "accepted_answer" if comment.is_accepted else "comment",
            comment.created_at,
            comment.post,
            comment,
        )
        for comment in comments
    ]
    items.sort(key=lambda item: item.created_at, reverse=True)
    return items[:limit]


# --- People you may know -----------------------------------------------------------


def _shared_count(queryset, field: str):
    """The number of rows of ``queryset`` (a through table or memberships) per user."""
    return Coalesce(
        Subquery(
            queryset.filter(user_id=OuterRef("pk"))
            .order_by()
            .values("user_id")
            .annotate(n=Count(field, distinct=True))
            .values("n"),
            output_field=IntegerField(),
        ),
        Value(0),
    )


def _names(items: list[str]) -> str:
    return ", ".join(items)


def people_you_may_know(*, viewer, limit: int = 10) -> list[User]:
    """Active colleagues the viewer does not follow yet (nor themselves), ranked by what
    they share: interests, skills, communities (the viewer's own active memberships in
    communities that are not archived) and, last, the department.

    Each user carries ``score`` and ``reasons`` (sentences such as "You both love
    cycling, jazz."). Nobody who shares nothing is suggested. Four queries whatever
    ``limit``.
    """
    interest_through = User.interests.through
    skill_through = User.skills.through
    my_interests = interest_through.objects.filter(user_id=viewer.pk).values("interest_id")
    my_skills = skill_through.objects.filter(user_id=viewer.pk).values("skill_id")
    my_communities = Membership.objects.filter(
        user_id=viewer.pk, status=Membership.Status.ACTIVE, community__is_archived=False
    ).values("community_id")
    shared_communities = Membership.objects.filter(
        status=Membership.Status.ACTIVE, community_id__in=my_communities
    )
    department = (viewer.department or "").strip()
    candidates = (
        _active_users()
        .exclude(pk=viewer.pk)
        .exclude(Exists(Follow.objects.filter(follower_id=viewer.pk, followed_id=OuterRef("pk"))))
        .annotate(
            shared_interests=_shared_count(
                interest_through.objects.filter(interest_id__in=my_interests), "interest_id"
            ),
            shared_skills=_shared_count(
                skill_through.objects.filter(skill_id__in=my_skills), "skill_id"
            ),
            shared_communities=_shared_count(shared_communities, "community_id"),
            same_department=Case(
                When(Q(department__iexact=department) & ~Q(department=""), then=Value(1)),
                default=Value(0),
                output_field=IntegerField(),
            ),
        )
    )
    candidates = (
        candidates.annotate(
            score=F("shared_interests") * WEIGHT_SHARED_INTEREST
            + F("shared_skills") * WEIGHT_SHARED_SKILL
            + F("shared_communities") * WEIGHT_SHARED_COMMUNITY
            + F("same_department") * WEIGHT_SAME_DEPARTMENT
        )
        .filter(score__gt=0)
        .prefetch_related(
            Prefetch(
                "interests",
                queryset=Interest.objects.filter(id__in=my_interests).order_by("name"),
                to_attr="shared_interest_list",
            ),
            Prefetch(
                "skills",
                queryset=Skill.objects.filter(id__in=my_skills).order_by("name"),
                to_attr="shared_skill_list",
            ),
            Prefetch(
                "memberships",
                queryset=shared_communities.select_related("community").order_by("community__name"),
                to_attr="shared_membership_list",
            ),
        )
        .order_by("-score", "display_name", "id")[:limit]
    )
    people = list(candidates)
    for person in people:
        reasons = []
        if person.shared_interest_list:
            names = [interest.name for interest in person.shared_interest_list]
            reasons.append(_("You both love %(names)s.") % {"names": _names(names)})
        if person.shared_skill_list:
            names = [skill.name for skill in person.shared_skill_list]
            reasons.append(
                ngettext(
                    "You share the skill %(names)s.",
                    "You share the skills %(names)s.",
                    len(names),
                )
                % {"names": _names(names)}
            )
        if person.shared_membership_list:
            names = [membership.community.name for membership in person.shared_membership_list]
            reasons.append(
                ngettext(
                    "You are both in the community %(names)s.",
                    "You are both in the communities %(names)s.",
                    len(names),
                )
                % {"names": _names(names)}
            )
        if person.same_department:
            reasons.append(
                _("You both work in %(department)s.") % {"department": person.department}
            )
        person.reasons = reasons
    return people


# --- Connection path ---------------------------------------------------------------


@dataclass(frozen=True)
class _Link:
    """How ``to_id`` was reached from ``from_id``: "follows" (from follows to),
    "followed_by" (to follows from) or "community" (both in ``community_id``)."""

    from_id: int
    to_id: int
    kind: str
    community_id: int | None = None


def _neighbours(frontier: set[int], linking_communities: QuerySet) -> dict[int, list[_Link]]:
    """Every active member one step from ``frontier``: four queries, whatever its size."""
    found: dict[int, list[_Link]] = defaultdict(list)
    follows = Follow.objects.filter(follower__is_active=True, followed__is_active=True).values_list(
        "follower_id", "followed_id"
    )
    for follower_id, followed_id in follows.filter(follower_id__in=frontier):
        found[followed_id].append(_Link(follower_id, followed_id, "follows"))
    for follower_id, followed_id in follows.filter(followed_id__in=frontier):
        found[follower_id].append(_Link(followed_id, follower_id, "followed_by"))
    memberships = Membership.objects.filter(
        status=Membership.Status.ACTIVE,
        user__is_active=True,
        community_id__in=linking_communities,
    )
    by_community: dict[int, list[int]] = defaultdict(list)
    for user_id, community_id in memberships.filter(user_id__in=frontier).values_list(
        "user_id", "community_id"
    ):
        by_community[community_id].append(user_id)
    if by_community:
        for community_id, user_id in memberships.filter(
            community_id__in=list(by_community)
        ).values_list("community_id", "user_id"):
            found[user_id].append(
                _Link(by_community[community_id][0], user_id, "community", community_id)
            )
    return found


def _reversed(link: _Link) -> _Link:
    kinds = {"follows": "followed_by", "followed_by": "follows", "community": "community"}
    return _Link(link.to_id, link.from_id, kinds[link.kind], link.community_id)


def connection_path(*, viewer, target: User, max_steps: int = 3) -> list[User] | None:
    """The shortest chain of people from the viewer to ``target``, both included
    (``[viewer]`` for oneself), at most ``max_steps`` links long; None when there is none.

    A link is a follow in either direction, or an active membership of both in a
    community (not archived) whose members the VIEWER may see: public ones, and private
    or secret ones only when the viewer is an active member of them. Deactivated members
    are never part of a path.

    Every user after the first carries ``connection``: a sentence saying how they are
    linked to the previous one ("follows", "is followed by", "both in Design guild").

    Bidirectional breadth-first search: each step expands the smaller side with
    set-based queries (four per step), so the cost grows with the number of steps, not
    with the size of the organisation's loops.
    """
    if target.pk == viewer.pk:
        return [viewer]
    if not target.is_active or max_steps < 1:
        return None
    linking_communities = Community.objects.filter(
        _readable_communities_q(viewer), is_archived=False
    ).values("pk")
    # For each side: node -> the link that reached it (None for the start).
    forward: dict[int, _Link | None] = {viewer.pk: None}
    backward: dict[int, _Link | None] = {target.pk: None}
    depth: dict[int, dict[int, int]] = {id(forward): {viewer.pk: 0}, id(backward): {target.pk: 0}}
    forward_frontier, backward_frontier = {viewer.pk}, {target.pk}
    meeting = None
    steps = 0
    while steps < max_steps and forward_frontier and backward_frontier:
        steps += 1
        expand_forward = len(forward_frontier) <= len(backward_frontier)
        seen, other = (forward, backward) if expand_forward else (backward, forward)
        frontier = forward_frontier if expand_forward else backward_frontier
        next_frontier: set[int] = set()
        for node, links in _neighbours(frontier, linking_communities).items():
            if node in seen:
                continue
            seen[node] = min(links, key=lambda link: (link.kind != "follows", link.kind))
            depth[id(seen)][node] = steps
            next_frontier.add(node)
        if expand_forward:
            forward_frontier = next_frontier
        else:
            backward_frontier = next_frontier
        met = next_frontier & set(other)
        if met:
            meeting = min(met, key=lambda node: (depth[id(other)][node], node))
            break
    if meeting is None:
        return None

    chain: list[_Link] = []
    node = meeting
    while forward[node] is not None:
        chain.append(forward[node])
        node = forward[node].from_id
    chain.reverse()
    node = meeting
    while backward[node] is not None:
        chain.append(_reversed(backward[node]))
        node = backward[node].from_id

    ids = [viewer.pk] + [link.to_id for link in chain]
    users = {user.pk: user for user in User.objects.filter(pk__in=ids)}
    community_names = dict(
        Community.objects.filter(
            pk__in=[link.community_id for link in chain if link.community_id]
        ).values_list("pk", "name")
    )
    path = [viewer]
    for link in chain:
        user = users[link.to_id]
        if link.kind == "follows":
            user.connection = _("followed by %(name)s") % {"name": path[-1]}
        elif link.kind == "followed_by":
            user.connection = _("follows %(name)s") % {"name": path[-1]}
        else:
            user.connection = _("in %(community)s with %(name)s") % {
                "community": community_names[link.community_id],
                "name": path[-1],
            }
        path.append(user)
    return path


# --- Expert finder -----------------------------------------------------------------


class Expert(NamedTuple):
    """A member who may know about a topic, with a score and the reasons for it."""

    user: User
    score: int
    reasons: list[str]


def _terms_for(*, viewer, topic, post) -> list[str]:
    if post is not None:
        if not post_is_readable(user=viewer, post=post):
            raise NotFound(_("This post does not exist."))
        terms = list(post.topics.values_list("name", flat=True))
        words = [
            word.lower()
            for word in re.findall(r"[^\W\d_][\w-]*", post.title or "")
            if len(word) >= TITLE_WORD_MIN_LENGTH and word.lower() not in STOP_WORDS
        ]
        terms += words[:TITLE_WORDS_MAX]
    else:
        name = topic.name if isinstance(topic, Topic) else str(topic or "")
        terms = [name.strip().lstrip("#").strip().lower()]
    return list(dict.fromkeys(term for term in terms if term))


def _mentions(text: str, term: str) -> bool:
    spellings = {term, term.replace("-", " ")}
    return any(
        re.search(rf"(?<!\w){re.escape(spelling)}(?!\w)", text, re.IGNORECASE)
        for spelling in spellings
    )


def experts_for(*, viewer, topic=None, post: Post | None = None, limit: int = 10) -> list[Expert]:
    """Members who may know about ``topic`` (a name, with or without ``#``, or a Topic)
    or about the question ``post`` (its #topics and the meaningful words of its title),
    best first, at most ``limit``. The viewer and the post's author are left out.

    Score: ``WEIGHT_ACCEPTED_ANSWER`` per accepted answer on a post with one of the
    topics, ``WEIGHT_KUDOS_GIVER`` per distinct colleague whose kudos message mentions
    a term, ``WEIGHT_DECLARED_SKILL`` per declared skill naming a term. Only accepted
    answers on posts the viewer may read and kudos that are not hidden and not shared in
    a community the viewer may not read count: the reasons never reveal content the
    viewer cannot see. NotFound when the viewer may not read ``post``. Five queries.
    """
    terms = _terms_for(viewer=viewer, topic=topic, post=post)
    if not terms:
        return []
    excluded = {viewer.pk}
    if post is not None:
        excluded.add(post.author_id)
    scores: dict[int, int] = defaultdict(int)
    reasons: dict[int, list[str]] = defaultdict(list)

    skill_match = Q()
    for term in terms:
        for spelling in {term, term.replace("-", " ")}:
            skill_match |= (
                Q(skill__name__iexact=spelling)
                | Q(skill__name__istartswith=f"{spelling} ")
                | Q(skill__name__iendswith=f" {spelling}")
                | Q(skill__name__icontains=f" {spelling} ")
            )
    declared: dict[int, list[str]] = defaultdict(list)
    for user_id, skill_name in (
        User.skills.through.objects.filter(skill_match, user__is_active=True)
        .values_list("user_id", "skill__name")
        .order_by("skill__name")
    ):
        declared[user_id].append(skill_name)
    for user_id, names in declared.items():
        scores[user_id] += WEIGHT_DECLARED_SKILL * len(names)
        reasons[user_id].append(_("Declares the skill %(names)s.") % {"names": _names(names)})

    answered: dict[int, set[int]] = defaultdict(set)
    answer_topics: dict[int, set[str]] = defaultdict(set)
    for author_id, post_id, topic_name in (
        posts_visible_to(user=viewer)
        .filter(
            topics__name__in=terms,
            accepted_answer__isnull=False,
            accepted_answer__is_hidden=False,
            accepted_answer__is_deleted=False,
            accepted_answer__author__is_active=True,
        )
        .values_list("accepted_answer__author_id", "pk", "topics__name")
        .order_by()
    ):
        answered[author_id].add(post_id)
        answer_topics[author_id].add(topic_name)
    for user_id, post_ids in answered.items():
        scores[user_id] += WEIGHT_ACCEPTED_ANSWER * len(post_ids)
        topics_text = ", ".join(f"#{name}" for name in sorted(answer_topics[user_id]))
        reasons[user_id].append(
            ngettext(
                "%(count)d accepted answer on %(topics)s.",
                "%(count)d accepted answers on %(topics)s.",
                len(post_ids),
            )
            % {"count": len(post_ids), "topics": topics_text}
        )

    mention_any = Q()
    for term in terms:
        mention_any |= Q(message__icontains=term) | Q(message__icontains=term.replace("-", " "))
    givers: dict[int, set[int]] = defaultdict(set)
    for recipient_id, giver_id, message in (
        Kudos.objects.filter(mention_any, is_hidden=False)
        .filter(Q(community__isnull=True) | _readable_communities_q(viewer, prefix="community__"))
        .filter(recipients__is_active=True)
        .values_list("recipients", "giver_id", "message")
    ):
        if recipient_id != giver_id and any(_mentions(message, term) for term in terms):
            givers[recipient_id].add(giver_id)
    for user_id, giver_ids in givers.items():
        scores[user_id] += WEIGHT_KUDOS_GIVER * len(giver_ids)
        reasons[user_id].append(
            ngettext(
                "Kudos from %(count)d colleague about it.",
                "Kudos from %(count)d colleagues about it.",
                len(giver_ids),
            )
            % {"count": len(giver_ids)}
        )

    for user_id in excluded:
        scores.pop(user_id, None)
    if not scores:
        return []
    users = {user.pk: user for user in _active_users().filter(pk__in=list(scores))}
    ranked = sorted(
        (user_id for user_id in scores if user_id in users),
        key=lambda user_id: (-scores[user_id], users[user_id].display_name, user_id),
    )
    return [Expert(users[user_id], scores[user_id], reasons[user_id]) for user_id in ranked[:limit]]
