from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebhooksConfig(AppConfig):
    name = "hudong.interactions.channels.webhooks"
    label = "webhooks"
    verbose_name = _("Webhooks")

    def ready(self) -> None:
        from hudong.core import audit
        from hudong.interactions.channels.webhooks import models, receive, tasks  # noqa: F401

        audit.track(models.Source)
