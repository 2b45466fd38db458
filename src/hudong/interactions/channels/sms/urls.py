from django.urls import URLPattern, URLResolver, path

from hudong.interactions.channels.sms import views

app_name = "sms_channel"
urlpatterns: list[URLPattern | URLResolver] = [
    path("status/", views.status, name="status"),
    path("inbound/", views.inbound, name="inbound"),
]
