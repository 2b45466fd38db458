from django.urls import path

from hudong.insights import nav_playbook, panels  # noqa: F401  (registries)
from hudong.insights import views_playbook as views

app_name = "playbook"
urlpatterns = [
    path("playbook/", views.index, name="index"),
    path("playbook/<slug:key>/", views.show, name="list"),
    path("playbook/<slug:key>/export.csv", views.export_csv, name="export"),
    path("playbook/<slug:key>/act/", views.act, name="act"),
    path("tasks/", views.my_tasks, name="my_tasks"),
    path("tasks/<int:task_id>/done/", views.complete, name="complete"),
]
