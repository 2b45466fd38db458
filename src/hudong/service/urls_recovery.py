"""Service recovery on the case page (mounted at /service/)."""

from django.urls import path

from hudong.service import views_recovery

app_name = "recovery"
urlpatterns = [
    path("cases/<int:case_id>/recovery/", views_recovery.add_action, name="add"),
    path("cases/<int:case_id>/recovery/informed/", views_recovery.informed, name="informed"),
    path("cases/<int:case_id>/recovery/outcome/", views_recovery.outcome, name="outcome"),
]
