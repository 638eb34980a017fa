from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from metrics.profile_types import ProfileType


class Activity(models.Model):
    """One thing a member did: the append-only log that participation metrics read.

    Rows are written only by :func:`metrics.services.activity_record` and never
    updated (but for the backfill of ``subject`` and ``community`` in migration 0005);
    profile types and participation are computed from them.

    ``actor`` did it; ``subject`` is the member it was addressed to, when there is one
    and it is not the actor (the table of :mod:`metrics.services` gives it per verb), so
    that "received" counts and interaction graphs need no join with the content tables;
    ``community`` is where it happened, when it happened in one.
    """

    class Verb(models.TextChoices):
        VISITED = "visited", _("visited")
        COMMUNITY_CREATED = "community_created", _("created a community")
        MEMBER_JOINED = "member_joined", _("joined a community")
        MEMBER_LEFT = "member_left", _("left a community")
        MEMBER_INVITED = "member_invited", _("invited a colleague")
        POST_CREATED = "post_created", _("posted")
        POST_READ = "post_read", _("read a post")
        COMMENT_CREATED = "comment_created", _("commented")
        REACTION_CREATED = "reaction_created", _("reacted")
        ANSWER_ACCEPTED = "answer_accepted", _("had an answer accepted")
        POLL_VOTED = "poll_voted", _("voted in a poll")
        RSVP = "rsvp", _("answered an invitation to an event")
        ELECTION_VOTED = "election_voted", _("voted in an election")
        CONTENT_FLAGGED = "content_flagged", _("reported content")
        KUDOS_GIVEN = "kudos_given", _("gave kudos")
        BADGE_EARNED = "badge_earned", _("earned a badge")

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="activities"
    )
    verb = models.CharField(max_length=40, choices=Verb.choices)
    subject = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="activities_received",
    )
    community = models.ForeignKey(
        "communities.Community",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="activities",
    )
    object_type = models.CharField(max_length=40, blank=True)
    object_id = models.BigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("activity")
        verbose_name_plural = _("activity log")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["actor", "verb", "created_at"]),
            models.Index(fields=["community", "verb", "created_at"]),
            models.Index(fields=["subject", "verb", "created_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.actor_id} {self.verb} {self.object_type}:{self.object_id}"


class MemberDay(models.Model):
    """What one member did (and received) in one community on one UTC day: the rollup
    of the activity log that participation dashboards and profile types read.

    ``community`` empty is the organisation-wide row: the member's totals over every
    community plus what happened in none (visits, private kudos). Rows exist only for
    days with at least one counter above zero. Written only by :mod:`metrics.rollups`,
    which recomputes a whole day at a time.

    Counters, from :class:`Activity` (the table of :mod:`metrics.services` says who is
    actor and subject of each verb):

    - ``posts``: POST_CREATED by the member; ``questions``: those whose post is a
      question;
    - ``comments``: COMMENT_CREATED by the member (comments and replies);
      ``replies_to_others``: those addressed to someone else (a subject);
      ``replies_received``: COMMENT_CREATED addressed to the member;
    - ``reactions_given`` / ``reactions_received``: REACTION_CREATED by / to the member;
    - ``kudos_given`` / ``kudos_received``: KUDOS_GIVEN by / to the member, one per
      colleague praised;
    - ``accepted_answers_given``: ANSWER_ACCEPTED with the member as the answer's
      author; ``accepted_answers_received``: with the member as the asker;
    - ``reads``: POST_READ (once per post and day); ``visits``: VISITED (once a day,
      organisation-wide row only); ``polls_voted``: POLL_VOTED; ``rsvps``: RSVP.
    """

    # A fill inserts a row per member, community and day at once: the indexes below
    # cover these keys, and the database checks no foreign key per row (the rows come
    # from the activity log, whose keys it checks; deletes still cascade, in Django).
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="member_days",
        db_index=False,
        db_constraint=False,
    )
    community = models.ForeignKey(
        "communities.Community",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="member_days",
        db_index=False,
        db_constraint=False,
    )
    day = models.DateField()
    posts = models.PositiveIntegerField(default=0)
    questions = models.PositiveIntegerField(default=0)
    comments = models.PositiveIntegerField(default=0)
    replies_to_others = models.PositiveIntegerField(default=0)
    replies_received = models.PositiveIntegerField(default=0)
    reactions_given = models.PositiveIntegerField(default=0)
    reactions_received = models.PositiveIntegerField(default=0)
    kudos_given = models.PositiveIntegerField(default=0)
    kudos_received = models.PositiveIntegerField(default=0)
    accepted_answers_given = models.PositiveIntegerField(default=0)
    accepted_answers_received = models.PositiveIntegerField(default=0)
    reads = models.PositiveIntegerField(default=0)
    visits = models.PositiveIntegerField(default=0)
    polls_voted = models.PositiveIntegerField(default=0)
    rsvps = models.PositiveIntegerField(default=0)

    COUNTERS = (
        "posts",
        "questions",
        "comments",
        "replies_to_others",
        "replies_received",
        "reactions_given",
        "reactions_received",
        "kudos_given",
        "kudos_received",
        "accepted_answers_given",
        "accepted_answers_received",
        "reads",
        "visits",
        "polls_voted",
        "rsvps",
    )

    class Meta:
        verbose_name = _("member day")
        verbose_name_plural = _("member days")
        ordering = ["-day", "user", "community"]
        constraints = [
            # Two partial unique indexes, as NULL never equals NULL in a plain one: they
            # work alike on SQLite and PostgreSQL, and serve the (member, day) scans.
            models.UniqueConstraint(
                fields=["user", "day", "community"],
                condition=models.Q(community__isnull=False),
                name="one_member_day_per_community",
            ),
            models.UniqueConstraint(
                fields=["user", "day"],
                condition=models.Q(community__isnull=True),
                name="one_organisation_member_day",
            ),
        ]
        indexes = [
            # (community, day) scans; community IS NULL: the organisation-wide rows.
            models.Index(fields=["community", "day"]),
            # A fill deletes a whole day.
            models.Index(fields=["day"]),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} in {self.community_id or '-'} on {self.day}"


class CommunityDay(models.Model):
    """One community on one UTC day, from :class:`Activity`: written only by
    :mod:`metrics.rollups`.

    - ``active_members``: distinct members who did anything there (but leave);
    - ``new_members``: distinct members who joined it (or created it);
    - ``content``: posts and comments published there;
    - ``median_first_reply_seconds``: over the posts published that day that got a
      first comment from someone other than their author within
      ``CERCLE_ROLLUP_FIRST_REPLY_WINDOW_DAYS``, the median delay of that comment;
      empty when none did. The row is recomputed until that window has passed.
    """

    community = models.ForeignKey(
        "communities.Community", on_delete=models.CASCADE, related_name="community_days"
    )
    day = models.DateField()
    active_members = models.PositiveIntegerField(default=0)
    new_members = models.PositiveIntegerField(default=0)
    content = models.PositiveIntegerField(default=0)
    median_first_reply_seconds = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        verbose_name = _("community day")
        verbose_name_plural = _("community days")
        ordering = ["-day", "community"]
        constraints = [
            models.UniqueConstraint(fields=["community", "day"], name="one_community_day"),
        ]
        indexes = [models.Index(fields=["day"])]

    def __str__(self) -> str:
        return f"{self.community_id} on {self.day}"


class RollupState(models.Model):
    """How far one rollup is filled: every activity created before ``filled_through``
    is counted in it. ``status`` is STARTED while a fill runs, and stays so when a
    fill was interrupted (the next one redoes the days it had not committed)."""

    class Name(models.TextChoices):
        MEMBER_DAYS = "member_days", _("member days")
        COMMUNITY_DAYS = "community_days", _("community days")

    class Status(models.TextChoices):
        STARTED = "started", _("started")
        DONE = "done", _("done")

    name = models.CharField(max_length=40, choices=Name.choices, unique=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DONE)
    filled_through = models.DateTimeField()
    filling_until = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("rollup state")
        verbose_name_plural = _("rollup states")
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name}: {self.status} through {self.filled_through:%Y-%m-%d %H:%M}"


class ProfileLabel(models.Model):
    """One weekly evaluation of a member's profile type in one scope (``community``
    empty: organisation-wide). Kept week after week, so transitions show.

    ``computed_type`` is what the rules of :mod:`metrics.profile_types` say this week;
    ``type`` is what managers see, after settling (a move towards less engagement waits
    until it has held); ``since`` is the first week of the current ``type``. Written only
    by :func:`metrics.services.profile_labels_evaluate`.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile_labels"
    )
    community = models.ForeignKey(
        "communities.Community",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="profile_labels",
    )
    week = models.DateField(_("evaluated on"))
    computed_type = models.CharField(max_length=20, choices=ProfileType.choices)
    type = models.CharField(_("profile type"), max_length=20, choices=ProfileType.choices)
    since = models.DateField(_("since"))
    reasons = models.JSONField(default=list)
    signals = models.JSONField(default=dict)

    class Meta:
        verbose_name = _("profile type")
        verbose_name_plural = _("profile types")
        ordering = ["-week", "user"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "community", "week"],
                condition=models.Q(community__isnull=False),
                name="one_profile_label_per_community_week",
            ),
            models.UniqueConstraint(
                fields=["user", "week"],
                condition=models.Q(community__isnull=True),
                name="one_organisation_profile_label_per_week",
            ),
        ]
        indexes = [
            models.Index(fields=["community", "week", "type"]),
            models.Index(fields=["user", "week"]),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} in {self.community_id or '-'}: {self.type} ({self.week})"


class ProfileTypeOverride(models.Model):
    """A community manager's correction of a member's type, with the reason.

    It holds while the computed type stays what it was when the override was set
    (``computed_type``); the first evaluation that publishes another type ends it
    (``ended_at``), since the behaviour it was about has changed.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile_type_overrides"
    )
    community = models.ForeignKey(
        "communities.Community",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="profile_type_overrides",
    )
    type = models.CharField(_("profile type"), max_length=20, choices=ProfileType.choices)
    reason = models.TextField(_("reason"), max_length=1000)
    computed_type = models.CharField(max_length=20, choices=ProfileType.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("set by"),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("profile type override")
        verbose_name_plural = _("profile type overrides")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "community"],
                condition=models.Q(ended_at__isnull=True, community__isnull=False),
                name="one_open_override_per_community",
            ),
            models.UniqueConstraint(
                fields=["user"],
                condition=models.Q(ended_at__isnull=True, community__isnull=True),
                name="one_open_organisation_override",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} in {self.community_id or '-'}: {self.type}"


class ProfileTypeWeek(models.Model):
    """How one profile type took part in one scope over the week ending on ``week``:
    the figures the participation dashboards and API read, written with the week's
    labels by :func:`metrics.profile_labels.profile_labels_evaluate` (managers'
    overrides applied).

    ``members`` had the type that week; ``active_members`` of them did anything (a
    visit included); ``contributors`` wrote a post or a reply; the counters add up
    the members' rollup rows of the week.
    """

    community = models.ForeignKey(
        "communities.Community",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="profile_type_weeks",
    )
    week = models.DateField()
    type = models.CharField(max_length=20, choices=ProfileType.choices)
    members = models.PositiveIntegerField(default=0)
    active_members = models.PositiveIntegerField(default=0)
    contributors = models.PositiveIntegerField(default=0)
    posts = models.PositiveIntegerField(default=0)
    comments = models.PositiveIntegerField(default=0)
    replies_to_others = models.PositiveIntegerField(default=0)
    reactions_given = models.PositiveIntegerField(default=0)
    kudos_given = models.PositiveIntegerField(default=0)
    reads = models.PositiveIntegerField(default=0)

    COUNTERS = ("posts", "comments", "replies_to_others", "reactions_given", "kudos_given", "reads")

    class Meta:
        verbose_name = _("participation dashboard")
        verbose_name_plural = _("participation dashboards")
        ordering = ["-week", "type"]
        constraints = [
            models.UniqueConstraint(
                fields=["community", "week", "type"],
                condition=models.Q(community__isnull=False),
                name="one_type_week_per_community",
            ),
            models.UniqueConstraint(
                fields=["week", "type"],
                condition=models.Q(community__isnull=True),
                name="one_organisation_type_week",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.type} in {self.community_id or '-'} ({self.week})"
