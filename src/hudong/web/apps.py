from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _


class WebConfig(AppConfig):
    name = "hudong.web"
    label = "web"
    verbose_name = _("Web")

    def ready(self) -> None:
        # Each app may declare its navigation entries in a ``nav`` module.
        autodiscover_modules("nav")
