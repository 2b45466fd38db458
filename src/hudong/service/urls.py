from django.urls import path

from hudong.service import views

app_name = "service"
urlpatterns = [
    path("cases/", views.queue, name="queue"),
    path("cases/<int:case_id>/", views.detail, name="detail"),
    path("cases/<int:case_id>/transition/", views.transition, name="transition"),
    path("cases/<int:case_id>/notes/", views.add_note, name="note"),
    path("cases/<int:case_id>/assign/", views.assign, name="assign"),
    path("customers/<int:customer_id>/cases/new/", views.open_case, name="open"),
]
