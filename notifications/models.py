"""Notifications, delivery preferences, conversations and announcement acknowledgements.

The row is the truth: a notification exists in the database before anything is pushed
or emailed, and records whether and when it was emailed (``emailed_at``), so that
"emails avoided" (read in the app before an email was needed) can be measured.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from communities.models import Post


class Kind(models.TextChoices):
    """What a notification is about. Each kind has a default delivery (``DEFAULT_DELIVERY``)."""

    MENTION = "mention", _("Mentions of me")
    REPLY = "reply", _("Replies to my posts and comments")
    THREAD_COMMENT = "thread_comment", _("New comments on threads I follow")
    COMMUNITY_POST = "community_post", _("New posts in communities set to all posts")
    REACTION = "reaction", _("Reactions to my posts and comments")
    ANSWER_ACCEPTED = "answer_accepted", _("My answer accepted")
    KUDOS = "kudos", _("Kudos received")
    BADGE = "badge", _("Badges earned")
    MEMBERSHIP_REQUEST = "membership_request", _("Membership requests (managers)")
    MEMBERSHIP_APPROVED = "membership_approved", _("My membership request approved")
    INVITATION = "invitation", _("Invitations to communities")
    ANNOUNCEMENT = "announcement", _("Announcements")
    EVENT_REMINDER = "event_reminder", _("Event reminders")
    MESSAGE = "message", _("Direct messages")
    MODERATION = "moderation", _("Moderation of my content")


class Delivery(models.TextChoices):
    """How a member wants a kind of notification delivered.

    ``email_immediately`` is the away fallback: the notification is emailed as soon as it
    has stayed unread for ``CERCLE_NOTIFICATION_EMAIL_DELAY_MINUTES`` while the member was
    not active, outside their quiet hours. ``email_digest`` waits for the digest.
    ``off``: no notification is created at all.
    """

    IN_APP = "in_app", _("In the app only")
    EMAIL_IMMEDIATELY = "email_immediately", _("Email immediately if unread while I am away")
    EMAIL_DIGEST = "email_digest", _("Email in my digest")
    OFF = "off", _("Off")


DEFAULT_DELIVERY: dict[str, str] = {
    Kind.MENTION: Delivery.EMAIL_IMMEDIATELY,
    Kind.REPLY: Delivery.EMAIL_IMMEDIATELY,
    Kind.THREAD_COMMENT: Delivery.EMAIL_DIGEST,
    Kind.COMMUNITY_POST: Delivery.EMAIL_DIGEST,
    Kind.REACTION: Delivery.IN_APP,
    Kind.ANSWER_ACCEPTED: Delivery.EMAIL_IMMEDIATELY,
    Kind.KUDOS: Delivery.EMAIL_IMMEDIATELY,
    Kind.BADGE: Delivery.EMAIL_DIGEST,
    Kind.MEMBERSHIP_REQUEST: Delivery.EMAIL_IMMEDIATELY,
    Kind.MEMBERSHIP_APPROVED: Delivery.EMAIL_IMMEDIATELY,
    Kind.INVITATION: Delivery.EMAIL_IMMEDIATELY,
    Kind.ANNOUNCEMENT: Delivery.EMAIL_IMMEDIATELY,
    Kind.EVENT_REMINDER: Delivery.EMAIL_IMMEDIATELY,
    Kind.MESSAGE: Delivery.EMAIL_IMMEDIATELY,
    Kind.MODERATION: Delivery.EMAIL_IMMEDIATELY,
}

# Kinds that a muted community or a muted thread does not silence: a direct address.
MUTE_EXEMPT_KINDS = frozenset({Kind.MENTION, Kind.MEMBERSHIP_REQUEST, Kind.MODERATION})


class EmailLog(models.Model):
    """One email sent to a member: the away fallback, a digest or an announcement reminder."""

    class Category(models.TextChoices):
        NOTIFICATIONS = "notifications", _("Unread notifications")
        DIGEST = "digest", _("Digest")

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_emails"
    )
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    subject = models.CharField(_("subject"), max_length=255)
    notification_count = models.PositiveIntegerField(_("notifications"), default=0)
    post_count = models.PositiveIntegerField(_("posts"), default=0)
    sent_at = models.DateTimeField(_("sent at"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("email log entry")
        verbose_name_plural = _("email log")
        ordering = ["-sent_at", "-id"]
        indexes = [models.Index(fields=["recipient", "category", "-sent_at"])]

    def __str__(self) -> str:
        return f"{self.category} to {self.recipient_id} at {self.sent_at:%Y-%m-%d %H:%M}"


class Notification(models.Model):
    """Something a member should know about.

    Unread notifications with the same ``group_key`` merge (one row per recipient and key
    while unread and not yet emailed): "Alice and 4 others reacted to your post". The
    distinct people behind a row are in :class:`NotificationActor`; ``actor`` is the
    latest of them and ``actor_count`` their number.
    """

    # Chosen for the fan-out, which inserts thousands of rows at once: each nullable link
    # is indexed only where it is set (partial indexes), rows that are not grouped or not
    # waiting for an email stay out of those indexes, and the links that only say what
    # the notification is about (actor, community, post) carry no database constraint
    # to check at commit; Django still applies their on_delete. The recipient keeps its.
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        db_index=False,  # led by the (recipient, -updated_at, -id) index
    )
    kind = models.CharField(_("kind"), max_length=24, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    actor_count = models.PositiveIntegerField(_("people"), default=1)
    community = models.ForeignKey(
        "communities.Community",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    post = models.ForeignKey(
        "communities.Post",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    comment = models.ForeignKey(
        "communities.Comment",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
    )
    conversation = models.ForeignKey(
        "Conversation",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
    )
    data = models.JSONField(
        _("details"), default=dict, blank=True, help_text=_("Plain facts for the wording.")
    )
    # NULL: not grouped (and outside the partial unique index below).
    group_key = models.CharField(max_length=120, null=True, blank=True)  # noqa: DJ001
    delivery = models.CharField(_("delivery"), max_length=20, choices=Delivery.choices)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("latest activity"), default=timezone.now)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("emailed at"), null=True, blank=True)
    email = models.ForeignKey(
        EmailLog,
        verbose_name=_("email"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="notifications",
        db_index=False,
    )

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-updated_at", "-id"]
        constraints = [
            # The conflict target of the set-based fan-out (see services.fanout): one
            # open (unread, not emailed) row per recipient and group.
            models.UniqueConstraint(
                fields=["recipient", "group_key"],
                condition=Q(read_at__isnull=True, emailed_at__isnull=True, group_key__isnull=False),
                name="one_open_notification_per_group",
            ),
        ]
        indexes = [
            models.Index(fields=["recipient", "-updated_at", "-id"], name="notification_list"),
            models.Index(
                fields=["recipient"], condition=Q(read_at__isnull=True), name="notification_unread"
            ),
            # What the away emailer looks for.
            models.Index(
                fields=["updated_at"],
                condition=Q(
                    delivery="email_immediately", read_at__isnull=True, emailed_at__isnull=True
                ),
                name="notification_email_due",
            ),
            models.Index(
                fields=["post"], condition=Q(post__isnull=False), name="notification_post"
            ),
            models.Index(
                fields=["comment"], condition=Q(comment__isnull=False), name="notification_comment"
            ),
            models.Index(
                fields=["conversation"],
                condition=Q(conversation__isnull=False),
                name="notification_conversation",
            ),
            models.Index(
                fields=["community"],
                condition=Q(community__isnull=False, post__isnull=True),
                name="notification_community",
            ),
            models.Index(
                fields=["email"], condition=Q(email__isnull=False), name="notification_email"
            ),
            models.Index(
                fields=["actor"], condition=Q(actor__isnull=False), name="notification_actor"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} for {self.recipient_id}"

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class NotificationActor(models.Model):
    """One person behind a (grouped) notification."""

    notification = models.ForeignKey(Notification, on_delete=models.CASCADE, related_name="actors")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["notification", "user"], name="one_actor_row"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} behind notification {self.notification_id}"


class NotificationPreference(models.Model):
    """A member's delivery choice for one kind; no row means the kind's default."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    kind = models.CharField(_("kind"), max_length=24, choices=Kind.choices)
    delivery = models.CharField(_("delivery"), max_length=20, choices=Delivery.choices)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="one_preference_per_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.kind} → {self.delivery}"


class NotificationSettings(models.Model):
    """A member's quiet hours, digest and email choices (created on first change)."""

    class DigestFrequency(models.TextChoices):
        OFF = "off", _("Never")
        DAILY = "daily", _("Daily")
        WEEKLY = "weekly", _("Weekly")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="notification_settings",
    )
    quiet_hours_start = models.TimeField(
        _("quiet hours start"), null=True, blank=True, help_text=_("In your time zone.")
    )
    quiet_hours_end = models.TimeField(_("quiet hours end"), null=True, blank=True)
    quiet_weekends = models.BooleanField(_("quiet on weekends"), default=False)
    digest_frequency = models.CharField(
        _("digest"), max_length=10, choices=DigestFrequency.choices, default=DigestFrequency.WEEKLY
    )
    email_enabled = models.BooleanField(
        _("send me email"),
        default=True,
        help_text=_("Off: no notification email and no digest, whatever the kinds say."),
    )
    last_digest_at = models.DateTimeField(null=True, blank=True, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("notification settings")
        verbose_name_plural = _("notification settings")

    def __str__(self) -> str:
        return f"Notification settings of {self.user_id}"


class ThreadSubscription(models.Model):
    """A member following or muting one post's thread. Authors and commenters follow
    automatically; an explicit choice is kept."""

    class State(models.TextChoices):
        FOLLOWING = "following", _("Following")
        MUTED = "muted", _("Muted")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="thread_subscriptions"
    )
    post = models.ForeignKey(
        "communities.Post", on_delete=models.CASCADE, related_name="subscriptions"
    )
    state = models.CharField(_("state"), max_length=10, choices=State.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("thread subscription")
        verbose_name_plural = _("thread subscriptions")
        constraints = [
            models.UniqueConstraint(fields=["user", "post"], name="one_subscription_per_thread"),
        ]
        indexes = [models.Index(fields=["post", "state"])]

    def __str__(self) -> str:
        return f"{self.user_id} {self.state} post {self.post_id}"


class Conversation(models.Model):
    """A private conversation: 1:1 (``direct_key`` set, reused) or a group of up to
    ``CERCLE_CONVERSATION_MAX_PEOPLE`` people. Only its members read it."""

    title = models.CharField(_("title"), max_length=120, blank=True)
    is_group = models.BooleanField(_("group conversation"), default=False)
    direct_key = models.CharField(max_length=40, null=True, blank=True, unique=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    last_message_at = models.DateTimeField(null=True, blank=True, db_index=True)

    class Meta:
        verbose_name = _("conversation")
        verbose_name_plural = _("conversations")
        ordering = ["-last_message_at", "-id"]

    def __str__(self) -> str:
        return self.title or f"Conversation {self.pk}"


class ConversationMember(models.Model):
    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="participants"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="conversation_memberships"
    )
    joined_at = models.DateTimeField(auto_now_add=True)
    left_at = models.DateTimeField(null=True, blank=True)
    last_read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("conversation member")
        verbose_name_plural = _("conversation members")
        constraints = [
            models.UniqueConstraint(
                fields=["conversation", "user"], name="one_membership_per_conversation"
            ),
        ]
        indexes = [models.Index(fields=["user", "left_at"])]

    def __str__(self) -> str:
        return f"{self.user_id} in conversation {self.conversation_id}"


class Message(models.Model):
    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="messages"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    body = models.TextField(_("message"), help_text=_("Markdown."))
    body_html = models.TextField(editable=False, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["conversation", "created_at"])]

    def __str__(self) -> str:
        return f"Message {self.pk} in conversation {self.conversation_id}"


class Acknowledgement(models.Model):
    """A member acknowledged an announcement that requires it."""

    post = models.ForeignKey(
        "communities.Post", on_delete=models.CASCADE, related_name="acknowledgements"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="acknowledgements"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("acknowledgement")
        verbose_name_plural = _("acknowledgements")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["post", "user"], name="one_acknowledgement_per_member"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} acknowledged {self.post_id}"


class AnnouncementManager(models.Manager):
    def get_queryset(self):
        return super().get_queryset().filter(kind=Post.Kind.ANNOUNCEMENT)


class Announcement(Post):
    """Announcements (posts of kind announcement), for their acknowledgement reports."""

    objects = AnnouncementManager()

    class Meta:
        proxy = True
        verbose_name = _("announcement")
        verbose_name_plural = _("announcements")


class AnnouncementReminder(models.Model):
    """A manager reminded the members who had not acknowledged an announcement."""

    post = models.ForeignKey(
        "communities.Post", on_delete=models.CASCADE, related_name="acknowledgement_reminders"
    )
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recipient_count = models.PositiveIntegerField(_("reminded"), default=0)
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("announcement reminder")
        verbose_name_plural = _("announcement reminders")
        ordering = ["-sent_at"]

    def __str__(self) -> str:
        return f"Reminder for {self.post_id} at {self.sent_at:%Y-%m-%d %H:%M}"


class StreamEvent(models.Model):
    """A personal live event (notification, message, read state) kept for replay.

    Ids increase, so a client that reconnects with ``last_event_id`` receives, in order,
    every event of its member after it; events older than
    ``CERCLE_STREAM_RETENTION_DAYS`` are purged and a client asking for them must resync.
    """

    # A fan-out writes one row per recipient: no constraint to check at commit (Django
    # still cascades the member's deletion) and no index but the replay's; the purge
    # walks the primary key, oldest first.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="stream_events",
        db_index=False,  # led by the (user, id) index
        db_constraint=False,
    )
    type = models.CharField(max_length=40)
    data = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("stream event")
        verbose_name_plural = _("stream events")
        indexes = [models.Index(fields=["user", "id"], name="stream_event_replay")]

    def __str__(self) -> str:
        return f"{self.type} #{self.pk} for {self.user_id}"
