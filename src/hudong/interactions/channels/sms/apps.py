from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SmsChannelConfig(AppConfig):
    name = "hudong.interactions.channels.sms"
    label = "sms_channel"
    verbose_name = _("SMS")

    def ready(self) -> None:
        """Offer SMS to the outbound service (it sends to the customer's phone number) and
        register the receipt sweep."""
        from hudong.interactions.channels import Sender, register_sender
        from hudong.interactions.channels.sms import actions, tasks  # noqa: F401  (schedule)

        register_sender(Sender(channel="sms", identifier_kind="phone", deliver=actions.deliver))
