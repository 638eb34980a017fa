from django.contrib.auth.base_user import BaseUserManager
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class UserManager(BaseUserManager):
    """Users log in with their email address; there is no username."""

    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra_fields):
        if not email:
            raise ValueError("An email address is required.")
        email = self.normalize_email(email).lower()
        user = self.model(email=email, **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email: str, password: str | None = None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        if extra_fields.get("is_staff") is not True or extra_fields.get("is_superuser") is not True:
            raise ValueError("A superuser must have is_staff=True and is_superuser=True.")
        return self._create_user(email, password, **extra_fields)


class User(AbstractUser):
    """A member of the organisation. The email address is the login."""

    username = None
    first_name = None
    last_name = None
    email = models.EmailField(_("email address"), unique=True)
    display_name = models.CharField(
        _("display name"), max_length=120, help_text=_("How colleagues see you.")
    )
    job_title = models.CharField(_("job title"), max_length=120, blank=True)
    department = models.CharField(_("department"), max_length=120, blank=True, db_index=True)
    avatar = models.ImageField(_("avatar"), upload_to="avatars/", blank=True)
    location = models.CharField(_("location"), max_length=120, blank=True, db_index=True)
    time_zone = models.CharField(_("time zone"), max_length=64, default="UTC")
    bio = models.TextField(_("bio"), blank=True, help_text=_("Markdown."))
    bio_html = models.TextField(editable=False, blank=True)
    languages = models.JSONField(
        _("languages"), default=list, blank=True, help_text=_("Language codes, e.g. fr, en.")
    )
    skills = models.ManyToManyField("Skill", blank=True, related_name="members")
    interests = models.ManyToManyField("Interest", blank=True, related_name="members")
    show_in_leaderboards = models.BooleanField(_("appear in leaderboards"), default=True)
    last_seen_at = models.DateTimeField(
        _("last seen"), null=True, blank=True, editable=False, db_index=True
    )

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["display_name"]

    objects = UserManager()

    class Meta:
        verbose_name = _("member")
        verbose_name_plural = _("members")
        ordering = ["display_name", "id"]

    def __str__(self) -> str:
        return self.display_name or self.email

    def get_full_name(self) -> str:
        return self.display_name or self.email

    def get_short_name(self) -> str:
        return self.display_name or self.email.split("@", 1)[0]


class Skill(models.Model):
    """A skill members declare (taxonomy managed in the admin; duplicates are merged)."""

    name = models.CharField(_("name"), max_length=80, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("skill")
        verbose_name_plural = _("skills")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Interest(models.Model):
    """An interest or passion members declare (taxonomy managed in the admin)."""

    name = models.CharField(_("name"), max_length=80, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("interest")
        verbose_name_plural = _("interests")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Follow(models.Model):
    """A member follows another member."""

    follower = models.ForeignKey(User, on_delete=models.CASCADE, related_name="following")
    followed = models.ForeignKey(User, on_delete=models.CASCADE, related_name="followers")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["follower", "followed"], name="follow_once"),
            models.CheckConstraint(
                condition=~models.Q(follower=models.F("followed")), name="no_self_follow"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.follower_id} follows {self.followed_id}"


class TopicFollow(models.Model):
    """A member follows a #topic."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="topic_follows")
    topic = models.ForeignKey(
        "communities.Topic", on_delete=models.CASCADE, related_name="followers"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "topic"], name="follow_topic_once"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} follows topic {self.topic_id}"


class Kudos(models.Model):
    """Praise from one colleague to one or several others, with a value and a message."""

    giver = models.ForeignKey(User, on_delete=models.CASCADE, related_name="kudos_given")
    recipients = models.ManyToManyField(User, related_name="kudos_received")
    value = models.CharField(_("value"), max_length=30)
    message = models.TextField(_("message"))
    community = models.ForeignKey(
        "communities.Community",
        verbose_name=_("shared in"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="kudos",
    )
    post = models.ForeignKey(
        "communities.Post",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("The post that shared this kudos in a community's stream."),
    )
    is_hidden = models.BooleanField(_("hidden by a moderator"), default=False)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("kudos")
        verbose_name_plural = _("kudos")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["giver", "created_at"])]

    def __str__(self) -> str:
        return f"{self.value} from {self.giver_id}"


class Badge(models.Model):
    """A badge definition: rule-based (``rule`` names the rule, ``levels`` its thresholds)
    or manual (awarded by managers in the admin)."""

    code = models.SlugField(_("code"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=80)
    description = models.CharField(_("description"), max_length=300)
    icon = models.CharField(_("icon"), max_length=16, blank=True)
    rule = models.CharField(_("rule"), max_length=40, blank=True)
    levels = models.JSONField(
        _("levels"), default=list, blank=True, help_text=_("Thresholds, e.g. [1, 10, 50].")
    )
    is_manual = models.BooleanField(_("awarded by hand"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("badge")
        verbose_name_plural = _("badges")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class BadgeAward(models.Model):
    """A member earned (or was given) a badge, at a level (1 for badges without levels)."""

    badge = models.ForeignKey(Badge, on_delete=models.CASCADE, related_name="awards")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="badge_awards")
    level = models.PositiveSmallIntegerField(default=1)
    awarded_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    awarded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("badge award")
        verbose_name_plural = _("badge awards")
        ordering = ["-awarded_at"]
        constraints = [
            models.UniqueConstraint(fields=["badge", "user", "level"], name="badge_level_once"),
        ]

    def __str__(self) -> str:
        return f"{self.badge_id} level {self.level} to {self.user_id}"
