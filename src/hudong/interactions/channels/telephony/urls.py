from django.urls import URLPattern, URLResolver, path

from hudong.interactions.channels.telephony import views

app_name = "telephony"
urlpatterns: list[URLPattern | URLResolver] = [
    path("calls/<int:interaction_id>/disposition/", views.disposition, name="disposition"),
    path("pop/<int:customer_id>/", views.frame, name="frame"),
]
