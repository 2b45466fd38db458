from django.urls import URLPattern, URLResolver

app_name = "sms_channel"
urlpatterns: list[URLPattern | URLResolver] = []
