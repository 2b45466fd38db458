from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EmailChannelConfig(AppConfig):
    name = "hudong.interactions.channels.email"
    label = "email_channel"
    verbose_name = _("Email")

    def ready(self) -> None:
        from hudong.interactions.channels import register_sender
        from hudong.interactions.channels.email import panels, tasks  # noqa: F401  (registries)
        from hudong.interactions.channels.email.sender import SENDER

        register_sender(SENDER)
        tasks.register_schedules()
