from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SmsChannelConfig(AppConfig):
    name = "hudong.interactions.channels.sms"
    label = "sms_channel"
    verbose_name = _("SMS")
