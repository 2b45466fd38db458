"""The root-cause analysis (D5) under /insights/root-cause/, linked from the dashboards."""

from django.urls import URLPattern, URLResolver, path

from hudong.insights.rootcause import views

app_name = "rootcause"
urlpatterns: list[URLPattern | URLResolver] = [
    path("root-cause/", views.page, name="page"),
    path("root-cause/export.csv", views.export_csv, name="export"),
]
