from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


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
