from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        # Connects the hooks closing live sockets when their credentials end.
        from notifications import checks, signals  # noqa: F401
