from django.urls import URLPattern, URLResolver, path

from hudong.interactions.channels.webchat import views, widget_views

app_name = "webchat"
urlpatterns: list[URLPattern | URLResolver] = [
    path("console/", views.console, name="console"),
    path("console/queue/", views.queue, name="queue"),
    path("console/<str:public_id>/accept/", views.accept, name="accept"),
    path("console/<str:public_id>/end/", views.end, name="agent_end"),
    path("demo/", views.demo, name="demo"),
    # The customer widget's protocol (cross-origin, session token, no login).
    path("w/config/", widget_views.config, name="config"),
    path("w/sessions/", widget_views.start, name="start"),
    path("w/sessions/<str:public_id>/messages/", widget_views.messages, name="messages"),
    path("w/sessions/<str:public_id>/events/", widget_views.events, name="events"),
    path("w/sessions/<str:public_id>/end/", widget_views.end, name="end"),
]
