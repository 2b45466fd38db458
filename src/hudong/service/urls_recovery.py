"""Routes of this area (filled in by its module)."""

from django.urls import URLPattern, URLResolver

app_name = "recovery"
urlpatterns: list[URLPattern | URLResolver] = []
