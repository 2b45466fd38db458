"""Routes of this area (filled in by its module)."""

from django.urls import URLPattern, URLResolver

app_name = "rootcause"
urlpatterns: list[URLPattern | URLResolver] = []
