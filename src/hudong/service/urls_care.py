"""Care task pages, mounted at /service/ (namespace "care")."""

from django.urls import URLPattern, URLResolver, path

from hudong.service import views_care

app_name = "care"
urlpatterns: list[URLPattern | URLResolver] = [
    path("care/", views_care.work_list, name="list"),
    path("care/customers/<int:customer_id>/", views_care.customer_tasks, name="customer"),
    path("care/<int:task_id>/take/", views_care.take, name="take"),
    path("care/<int:task_id>/done/", views_care.done, name="done"),
    path("care/<int:task_id>/skip/", views_care.skip, name="skip"),
]
