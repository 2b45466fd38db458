"""The public complaint pages, mounted at /complaints/ (no login)."""

from django.urls import URLPattern, URLResolver, path

from hudong.service import views_public

app_name = "public"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", views_public.complaint_form, name="form"),
    path("filed/", views_public.filed, name="filed"),
    path("status/<str:token>/", views_public.status, name="status"),
]
