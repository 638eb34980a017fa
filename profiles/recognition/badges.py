"""Badges: rules computed from real contributions, and manual badges given by managers.

Each rule counts, for a set of members at once (one query per rule, whatever the number
of members), how many times each member did what the badge rewards; the badge's
``levels`` are the thresholds (``[1, 10, 50]`` for helpful: level 1 at one accepted
answer, level 2 at ten, level 3 at fifty). Hidden and deleted content never counts.

Rules are re-evaluated on commit after the activities that can change them (the
activity log's subscriber ``profiles.tasks.badges_evaluate_after``, for
:data:`BADGE_VERBS`, see :mod:`metrics.subscribers`) and by the periodic
``profiles.tasks.badges_backfill``, which also awards the history of older members.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, F, OuterRef, Q, Subquery
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from communities.models import Comment, Membership, Post, Rsvp
from config.errors import Conflict, PermissionDenied, ValidationError
from metrics.models import Activity
from metrics.services import activity_record
from notifications.events import send_event_on_commit, user_group
from notifications.services.sources import badge_earned_notify
from profiles.models import Badge, BadgeAward, Kudos, User

UserIds = Iterable[int]
Counter = Callable[[list[int]], dict[int, int]]

# Activities after which someone's badges may change (see badge_related_user_ids).
BADGE_VERBS = frozenset(
    {
        Activity.Verb.POST_CREATED,
        Activity.Verb.COMMENT_CREATED,
        Activity.Verb.ANSWER_ACCEPTED,
        Activity.Verb.KUDOS_GIVEN,
        Activity.Verb.RSVP,
    }
)


def _visible_comments():
    return Comment.objects.filter(is_hidden=False, is_deleted=False, post__is_hidden=False)


def _as_dict(rows) -> dict[int, int]:
    return dict(rows)


def count_posts(user_ids: list[int]) -> dict[int, int]:
    """Visible posts each member published."""
    rows = (
        Post.objects.filter(author_id__in=user_ids, is_hidden=False)
        .values("author_id")
        .annotate(n=Count("pk"))
        .values_list("author_id", "n")
    )
    return _as_dict(rows)


def count_accepted_answers(user_ids: list[int]) -> dict[int, int]:
    """Each member's answers accepted on questions asked by someone else."""
    rows = (
        Post.objects.filter(
            accepted_answer__author_id__in=user_ids,
            accepted_answer__is_hidden=False,
            accepted_answer__is_deleted=False,
            is_hidden=False,
        )
        .exclude(author_id=F("accepted_answer__author_id"))
        .values("accepted_answer__author_id")
        .annotate(n=Count("pk"))
        .values_list("accepted_answer__author_id", "n")
    )
    return _as_dict(rows)


CONVERSATION_MIN_REPLIERS = 5


def count_conversations_started(user_ids: list[int]) -> dict[int, int]:
    """Each member's posts that drew replies from at least five distinct other people."""
    replied = (
        _visible_comments()
        .filter(post__author_id__in=user_ids)
        .exclude(author_id=F("post__author_id"))
        .values("post_id", "post__author_id")
        .annotate(repliers=Count("author_id", distinct=True))
        .filter(repliers__gte=CONVERSATION_MIN_REPLIERS)
    )
    counts: dict[int, int] = {}
    for row in replied:
        author_id = row["post__author_id"]
        counts[author_id] = counts.get(author_id, 0) + 1
    return counts


def count_people_praised(user_ids: list[int]) -> dict[int, int]:
    """How many distinct colleagues each member gave (visible) kudos to."""
    rows = (
        Kudos.recipients.through.objects.filter(
            kudos__giver_id__in=user_ids, kudos__is_hidden=False
        )
        .values("kudos__giver_id")
        .annotate(n=Count("user_id", distinct=True))
        .values_list("kudos__giver_id", "n")
    )
    return _as_dict(rows)


def count_newcomers_welcomed(user_ids: list[int]) -> dict[int, int]:
    """How many newcomers each member welcomed: the member wrote the first reply (by
    someone else) to a newcomer's first post in a community."""
    earlier_post = Post.objects.filter(
        author_id=OuterRef("author_id"), community_id=OuterRef("community_id")
    ).filter(
        Q(created_at__lt=OuterRef("created_at"))
        | Q(created_at=OuterRef("created_at"), pk__lt=OuterRef("pk"))
    )
    first_reply_author = (
        _visible_comments()
        .filter(post_id=OuterRef("pk"))
        .exclude(author_id=OuterRef("author_id"))
        .order_by("created_at", "pk")
        .values("author_id")[:1]
    )
    rows = (
        # Only posts the members replied to: keeps one member's evaluation cheap.
        Post.objects.filter(
            is_hidden=False,
            pk__in=_visible_comments().filter(author_id__in=user_ids).values("post_id"),
        )
        .filter(~Exists(earlier_post))
        .annotate(welcomer_id=Subquery(first_reply_author))
        .filter(welcomer_id__in=user_ids)
        .values("welcomer_id")
        .annotate(n=Count("author_id", distinct=True))
        .values_list("welcomer_id", "n")
    )
    return _as_dict(rows)


def count_events_hosted(user_ids: list[int]) -> dict[int, int]:
    """Each member's events that someone else confirmed attending (a "yes" with a seat)."""
    attendee = Rsvp.objects.filter(
        event_id=OuterRef("event__pk"), answer=Rsvp.Answer.YES, is_waitlisted=False
    ).exclude(user_id=OuterRef("author_id"))
    rows = (
        Post.objects.filter(
            author_id__in=user_ids, kind=Post.Kind.EVENT, is_hidden=False, event__isnull=False
        )
        .filter(Exists(attendee))
        .values("author_id")
        .annotate(n=Count("pk"))
        .values_list("author_id", "n")
    )
    return _as_dict(rows)


def count_members_brought_in(user_ids: list[int]) -> dict[int, int]:
    """How many colleagues each member invited who then became active in the community
    (posted or commented there after joining)."""
    posted = Post.objects.filter(
        author_id=OuterRef("user_id"),
        community_id=OuterRef("community_id"),
        created_at__gte=OuterRef("joined_at"),
    )
    commented = Comment.objects.filter(
        author_id=OuterRef("user_id"),
        post__community_id=OuterRef("community_id"),
        created_at__gte=OuterRef("joined_at"),
    )
    rows = (
        Membership.objects.filter(invited_by_id__in=user_ids, status=Membership.Status.ACTIVE)
        .exclude(user_id=F("invited_by_id"))
        .filter(Exists(posted) | Exists(commented))
        .values("invited_by_id")
        .annotate(n=Count("user_id", distinct=True))
        .values_list("invited_by_id", "n")
    )
    return _as_dict(rows)


@dataclass(frozen=True)
class BadgeRule:
    """A rule-based badge: ``count`` gives each member's tally, ``levels`` the thresholds."""

    code: str
    name: str
    description: str
    icon: str
    count: Counter
    levels: list[int] = field(default_factory=lambda: [1])

    def level_for(self, tally: int) -> int:
        """The highest level reached with ``tally`` (0: not earned)."""
        return sum(1 for threshold in self.levels if tally >= threshold)


# Names and descriptions are stored in the Badge row (editable in the admin) and
# translated when shown; gettext_noop marks them for extraction.
BADGE_RULES: dict[str, BadgeRule] = {
    rule.code: rule
    for rule in (
        BadgeRule(
            "first_post",
            gettext_noop("First post"),
            gettext_noop("Published a first post."),
            "✍️",
            count_posts,
        ),
        BadgeRule(
            "first_accepted_answer",
            gettext_noop("First accepted answer"),
            gettext_noop("A colleague accepted one of your answers."),
            "✅",
            count_accepted_answers,
        ),
        BadgeRule(
            "helpful",
            gettext_noop("Helpful"),
            gettext_noop("Answers accepted by colleagues: 1, 10, then 50."),
            "🤝",
            count_accepted_answers,
            [1, 10, 50],
        ),
        BadgeRule(
            "conversation_starter",
            gettext_noop("Conversation starter"),
            gettext_noop("A post that drew replies from at least 5 different people."),
            "💬",
            count_conversations_started,
        ),
        BadgeRule(
            "connector",
            gettext_noop("Connector"),
            gettext_noop("Gave kudos to 10 different colleagues."),
            "🔗",
            count_people_praised,
            [10],
        ),
        BadgeRule(
            "welcomer",
            gettext_noop("Welcomer"),
            gettext_noop("First to reply to the first post of 5 newcomers."),
            "👋",
            count_newcomers_welcomed,
            [5],
        ),
        BadgeRule(
            "event_host",
            gettext_noop("Event host"),
            gettext_noop("Hosted an event that colleagues attended."),
            "📅",
            count_events_hosted,
        ),
        BadgeRule(
            "community_builder",
            gettext_noop("Community builder"),
            gettext_noop("Invited a colleague who became an active member."),
            "🌱",
            count_members_brought_in,
        ),
    )
}


def badges_ensure_definitions(*, using: str = "default") -> int:
    """Create the Badge row of every rule that has none (returns how many were created)
    and keep the rule and levels of existing rows in line with the code; names,
    descriptions and icons edited in the admin are kept. Safe to call repeatedly."""
    existing = {badge.code: badge for badge in Badge.objects.using(using).filter(is_manual=False)}
    created = 0
    for rule in BADGE_RULES.values():
        badge = existing.get(rule.code)
        if badge is None:
            _, was_created = Badge.objects.using(using).get_or_create(
                code=rule.code,
                defaults={
                    "name": rule.name,
                    "description": rule.description,
                    "icon": rule.icon,
                    "rule": rule.code,
                    "levels": rule.levels,
                    "is_manual": False,
                },
            )
            created += int(was_created)
        elif badge.rule != rule.code or badge.levels != rule.levels:
            badge.rule, badge.levels = rule.code, rule.levels
            badge.save(using=using, update_fields=["rule", "levels"])
    return created


def _award(*, badge: Badge, user: User, level: int, reason: str = "", awarded_by=None):
    """Create one award in a savepoint; None when it already exists (a concurrent run)."""
    try:
        with transaction.atomic():
            award = BadgeAward.objects.create(
                badge=badge, user=user, level=level, reason=reason, awarded_by=awarded_by
            )
    except IntegrityError:
        return None
    activity_record(actor=user, verb=Activity.Verb.BADGE_EARNED, target=award)
    badge_earned_notify(award=award)
    send_event_on_commit(
        groups=[user_group(user.pk)],
        event_type="badge.earned",
        data={"badge_code": badge.code, "badge_id": badge.pk, "level": level},
    )
    return award


@transaction.atomic
def badges_evaluate_users(*, user_ids: UserIds) -> list[BadgeAward]:
    """Evaluate every rule for the active members among ``user_ids`` and award the levels
    they reached but do not hold yet. A constant number of queries for the counting (one
    per rule), then one insert per new award. Idempotent."""
    users = {user.pk: user for user in User.objects.filter(pk__in=list(user_ids), is_active=True)}
    if not users:
        return []
    ids = list(users)
    badges = {
        badge.rule: badge for badge in Badge.objects.filter(is_manual=False, rule__in=BADGE_RULES)
    }
    held = set(
        BadgeAward.objects.filter(user_id__in=ids, badge__in=badges.values()).values_list(
            "badge_id", "user_id", "level"
        )
    )
    tallies: dict[Counter, dict[int, int]] = {}
    awards: list[BadgeAward] = []
    for code, rule in BADGE_RULES.items():
        badge = badges.get(code)
        if badge is None:
            continue
        if rule.count not in tallies:
            tallies[rule.count] = rule.count(ids)
        thresholds = badge.levels or rule.levels
        for user_id, tally in tallies[rule.count].items():
            reached = sum(1 for threshold in thresholds if tally >= threshold)
            for level in range(1, reached + 1):
                if (badge.pk, user_id, level) in held:
                    continue
                award = _award(badge=badge, user=users[user_id], level=level)
                if award is not None:
                    awards.append(award)
    return awards


def badges_evaluate(*, user: User) -> list[BadgeAward]:
    """Award ``user`` the rule-based badge levels they earned and do not hold yet; returns
    the new awards (empty when nothing changed). Records BADGE_EARNED for each and sends
    ``badge.earned`` to the member on commit. Idempotent: running it again awards nothing."""
    return badges_evaluate_users(user_ids=[user.pk])


def badge_can_award(actor: User, user: User) -> bool:
    """Staff, superusers, and owners/managers of a community ``user`` is an active member of."""
    if not actor.is_authenticated or not actor.is_active:
        return False
    if actor.is_staff or actor.is_superuser:
        return True
    managed = Membership.objects.filter(
        user_id=actor.pk,
        status=Membership.Status.ACTIVE,
        role__in=Membership.MANAGING_ROLES,
    ).values("community_id")
    return Membership.objects.filter(
        user_id=user.pk, status=Membership.Status.ACTIVE, community_id__in=managed
    ).exists()


@transaction.atomic
def badge_award_manual(*, actor: User, badge: Badge, user: User, reason: str) -> BadgeAward:
    """Give the manual ``badge`` to ``user`` with a ``reason`` shown on their profile.

    Who may: staff, and the owners and managers of a community ``user`` belongs to
    (PermissionDenied otherwise). Only manual badges (ValidationError,
    ``field_errors["badge"]``: rule-based badges are earned, never given); a reason is
    required (``field_errors["reason"]``); not to yourself or an inactive member
    (``field_errors["user"]``); Conflict when the member already holds it. Records
    BADGE_EARNED and sends ``badge.earned`` to the member on commit."""
    if not badge_can_award(actor, user):
        raise PermissionDenied(_("Only staff or community managers can award badges."))
    errors: dict[str, list[str]] = {}
    if not badge.is_manual:
        errors["badge"] = [_("This badge is earned by contributing; it cannot be given.")]
    if user.pk == actor.pk:
        errors["user"] = [_("You cannot award a badge to yourself.")]
    elif not user.is_active:
        errors["user"] = [_("Not an active colleague.")]
    reason = (reason or "").strip()
    if not reason:
        errors["reason"] = [_("Say why this colleague gets the badge.")]
    elif len(reason) > BadgeAward._meta.get_field("reason").max_length:
        errors["reason"] = [_("The reason is too long.")]
    if errors:
        raise ValidationError(_("The badge cannot be awarded."), field_errors=errors)
    award = _award(badge=badge, user=user, level=1, reason=reason, awarded_by=actor)
    if award is None:
        raise Conflict(_("This colleague already holds this badge."))
    return award


def badge_related_user_ids(*, actor_id: int, verb: str, object_id: int | None) -> list[int]:
    """Whose badges an activity may change: its actor, plus the author of the post
    replied to (conversation starter), the host of the event answered (event host), and
    the colleague who invited the actor (community builder). One or two queries."""
    ids = {actor_id}
    if verb == Activity.Verb.COMMENT_CREATED and object_id is not None:
        ids.update(Comment.objects.filter(pk=object_id).values_list("post__author_id", flat=True))
    elif verb == Activity.Verb.RSVP and object_id is not None:
        ids.update(Post.objects.filter(event__pk=object_id).values_list("author_id", flat=True))
    if verb in (Activity.Verb.POST_CREATED, Activity.Verb.COMMENT_CREATED):
        ids.update(
            Membership.objects.filter(user_id=actor_id, invited_by__isnull=False).values_list(
                "invited_by_id", flat=True
            )
        )
    return sorted(i for i in ids if i is not None)


def badge_can_award_in(actor: User) -> bool:
    """Whether ``actor`` may award manual badges to anyone at all (for the admin)."""
    return bool(actor.is_staff or actor.is_superuser) or (
        Membership.objects.filter(
            user_id=actor.pk, status=Membership.Status.ACTIVE, role__in=Membership.MANAGING_ROLES
        ).exists()
    )


__all__ = [
    "BADGE_RULES",
    "BADGE_VERBS",
    "BadgeRule",
    "badge_award_manual",
    "badge_can_award",
    "badge_can_award_in",
    "badge_related_user_ids",
    "badges_ensure_definitions",
    "badges_evaluate",
    "badges_evaluate_users",
]
