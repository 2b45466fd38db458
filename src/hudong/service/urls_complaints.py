"""Agent routes of the complaint process: the checklist, the customer's temperament, escalation."""

from django.urls import URLPattern, URLResolver, path

from hudong.service import views_complaints

app_name = "complaints"
urlpatterns: list[URLPattern | URLResolver] = [
    path("cases/<int:case_id>/checklist/<slug:code>/", views_complaints.step, name="step"),
    path("cases/<int:case_id>/temperament/", views_complaints.temperament, name="temperament"),
    path("cases/<int:case_id>/escalate/", views_complaints.escalate, name="escalate"),
]
