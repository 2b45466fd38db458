from django.urls import URLPattern, URLResolver, path

from hudong.interactions.channels.webhooks import views

app_name = "webhooks"
urlpatterns: list[URLPattern | URLResolver] = [
    path("<slug:slug>/", views.hook, name="hook"),
    path("<slug:slug>/batch", views.hook_batch, name="batch"),
]
