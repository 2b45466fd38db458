"""Routes of this area (filled in by its module)."""

from django.urls import URLPattern, URLResolver

app_name = "csat"
urlpatterns: list[URLPattern | URLResolver] = []
