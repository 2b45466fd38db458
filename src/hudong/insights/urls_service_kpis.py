"""Routes of this area (filled in by its module)."""

from django.urls import URLPattern, URLResolver

app_name = "service_kpis"
urlpatterns: list[URLPattern | URLResolver] = []
