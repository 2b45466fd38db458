from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TelephonyConfig(AppConfig):
    name = "hudong.interactions.channels.telephony"
    label = "telephony"
    verbose_name = _("Telephony")

    def ready(self) -> None:
        from hudong.core import audit
        from hudong.interactions.channels.telephony import models

        # Who answers which extension decides whose screen shows a caller: audited.
        audit.track(models.Extension)
