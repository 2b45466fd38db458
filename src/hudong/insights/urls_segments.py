from django.urls import path

from hudong.insights import nav_segments  # noqa: F401  (registry)
from hudong.insights import views_segments as views

app_name = "segments"
urlpatterns = [
    path("segments/", views.segment_list, name="list"),
    path("segments/new/", views.segment_new, name="new"),
    path("segments/count/", views.live_count, name="count"),
    path("segments/<int:segment_id>/", views.segment_detail, name="detail"),
    path("segments/<int:segment_id>/edit/", views.segment_edit, name="edit"),
    path("segments/<int:segment_id>/delete/", views.segment_delete, name="delete"),
    path("segments/<int:segment_id>/count/", views.segment_count, name="segment_count"),
    path("segments/<int:segment_id>/export.<str:fmt>", views.segment_export, name="export"),
]
