from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "hudong.api"
    label = "hudong_api"
    verbose_name = "API"
