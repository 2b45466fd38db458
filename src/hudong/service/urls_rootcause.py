from django.urls import path

from hudong.service import views_rootcause as views

app_name = "service_rootcause"
urlpatterns = [
    path("cases/<int:case_id>/root-cause/", views.set_root_cause, name="set"),
]
