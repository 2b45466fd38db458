from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EmailChannelConfig(AppConfig):
    name = "hudong.interactions.channels.email"
    label = "email_channel"
    verbose_name = _("Email")
