"""Import and export pages, included in the customers namespace (/customers/import/...)."""

from django.urls import path

from hudong.customers import views_io

urlpatterns = [
    path("import/", views_io.import_start, name="import"),
    path("import/<int:job_id>/", views_io.import_status, name="import_job"),
    path("import/<int:job_id>/report.csv", views_io.import_report, name="import_report"),
    path("export/", views_io.export_page, name="export"),
    path("export.<str:fmt>", views_io.export_download, name="export_download"),
]
