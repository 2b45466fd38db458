"""Agent routes of the complaint process: the checklist, the customer's temperament, escalation."""

from django.urls import URLPattern, URLResolver

app_name = "complaints"
urlpatterns: list[URLPattern | URLResolver] = []
