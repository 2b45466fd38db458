"""Pages of the service measures (under /insights/): agent measures and retention."""

from django.urls import path

from hudong.insights.servicekpis import (
    charts,  # noqa: F401  (registers the Service dashboard)
    views,
)

app_name = "service_kpis"
urlpatterns = [
    path("service/agents/", views.agents, name="agents"),
    path("service/agents.csv", views.agents_csv, name="agents_csv"),
    path("service/retention/", views.retention, name="retention"),
    path("service/retention.csv", views.retention_csv, name="retention_csv"),
]
