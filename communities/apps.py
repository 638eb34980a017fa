from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommunitiesConfig(AppConfig):
    name = "communities"
    verbose_name = _("Communities")

    def ready(self) -> None:
        # Connects the allauth signup hook (invitations sent before the account existed).
        from communities import signals  # noqa: F401
