from django.urls import URLPattern, URLResolver, path

from hudong.interactions.inbox import views

app_name = "inbox"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.queue, name="queue"),
    path("rows/", views.rows, name="rows"),
    path("presence/", views.presence, name="presence"),
    path("<int:thread_id>/take/", views.take, name="take"),
    path("<int:thread_id>/release/", views.release, name="release"),
    path("<int:thread_id>/transfer/", views.transfer, name="transfer"),
    path("<int:thread_id>/reply/", views.reply, name="reply"),
    path("metrics/", views.metrics_page, name="metrics"),
]
