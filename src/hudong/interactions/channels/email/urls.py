from django.urls import URLPattern, URLResolver, path

from hudong.interactions.channels.email import views

app_name = "email_channel"
urlpatterns: list[URLPattern | URLResolver] = [
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("attachments/<int:attachment_id>/", views.download, name="attachment"),
    path("messages/<int:interaction_id>/", views.message, name="message"),
]
