from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def badge_definitions_ensure(sender, using: str = "default", **kwargs) -> None:
    """After migrations: the rule-based Badge rows exist (no data migration needed)."""
    from profiles.recognition.badges import badges_ensure_definitions

    badges_ensure_definitions(using=using)


class ProfilesConfig(AppConfig):
    name = "profiles"
    verbose_name = _("People")

    def ready(self) -> None:
        from metrics.subscribers import activity_subscribe
        from profiles.recognition.badges import BADGE_VERBS
        from profiles.tasks import badges_evaluate_after

        post_migrate.connect(
            badge_definitions_ensure, sender=self, dispatch_uid="profiles.badge_definitions"
        )
        # Badges follow what members do: the activity log calls us once an action commits.
        activity_subscribe(badges_evaluate_after, verbs=BADGE_VERBS)
