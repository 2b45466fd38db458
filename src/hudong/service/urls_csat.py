"""The public satisfaction survey (mounted at /survey/, no login)."""

from django.urls import path

from hudong.service import views_csat

app_name = "csat"
urlpatterns = [
    path("<str:token>/", views_csat.answer, name="answer"),
]
