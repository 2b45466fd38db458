from django.urls import path

from hudong.interactions import views

app_name = "interactions"
urlpatterns = [
    path("customers/<int:customer_id>/timeline/", views.timeline, name="timeline"),
    path("customers/<int:customer_id>/log/", views.log_contact, name="log"),
    path("customers/<int:customer_id>/contact/", views.contact_policy, name="contact_policy"),
    path("customers/<int:customer_id>/contact/policy/", views.save_policy, name="save_policy"),
    path("customers/<int:customer_id>/contact/consent/", views.save_consent, name="save_consent"),
    path("threads/<int:thread_id>/", views.breakpoint, name="breakpoint"),
    path("touchpoints/", views.touchpoints, name="touchpoints"),
    path("cost-to-serve/", views.cost_to_serve, name="cost_to_serve"),
]
