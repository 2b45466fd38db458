from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebchatConfig(AppConfig):
    name = "hudong.interactions.channels.webchat"
    label = "webchat"
    verbose_name = _("Web chat")

    def ready(self) -> None:
        from hudong.core import audit
        from hudong.interactions.channels.webchat import models, tasks  # noqa: F401 (schedule)

        # Who took, answered and ended which chat; the lines themselves are the transcript.
        audit.track(models.ChatSession, customer="customer_id")
