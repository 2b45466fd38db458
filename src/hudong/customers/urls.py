from django.urls import include, path

from hudong.customers import views, views_resolution

app_name = "customers"
urlpatterns = [
    path("", views.customer_list, name="list"),
    path("<int:customer_id>/", views.customer_detail, name="detail"),
    path("", include("hudong.customers.urls_io")),
    path("<int:customer_id>/answer/", views.answer, name="answer"),
    path("duplicates/", views_resolution.review_queue, name="duplicates"),
    path("duplicates/run/", views_resolution.run_detection, name="run_detection"),
    path("duplicates/<int:candidate_id>/", views_resolution.compare, name="compare"),
    path("duplicates/<int:candidate_id>/decide/", views_resolution.decide, name="decide"),
    path("merges/", views_resolution.merge_history, name="merges"),
    path("merges/<int:merge_id>/undo/", views_resolution.undo_merge, name="undo_merge"),
    path("data-quality/", views_resolution.worklist, name="worklist"),
]
