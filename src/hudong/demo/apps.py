from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "hudong.demo"
    label = "demo"
    verbose_name = "Demo data"
