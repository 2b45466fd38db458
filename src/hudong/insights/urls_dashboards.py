from django.urls import path

from hudong.insights import nav_dashboards  # noqa: F401  (registry)
from hudong.insights import views_dashboards as views
from hudong.insights.kpis import facts  # noqa: F401  (the after-run hook; also in apps.ready)

app_name = "dashboards"
urlpatterns = [
    path("dashboards/", views.index, name="index"),
    path("dashboards/runs/", views.runs, name="runs"),
    path("dashboards/runs/start/", views.run_now, name="run_now"),
    path("dashboards/<slug:key>/", views.show, name="show"),
    path("charts/<slug:chart_key>/customers/", views.drill_down, name="drill"),
    path("charts/<slug:chart_key>/customers.csv", views.drill_export, name="drill_export"),
    path("charts/<slug:chart_key>/data.csv", views.chart_export, {"fmt": "csv"}, name="chart_csv"),
    path(
        "charts/<slug:chart_key>/data.xlsx", views.chart_export, {"fmt": "xlsx"}, name="chart_xlsx"
    ),
]
