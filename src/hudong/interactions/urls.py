from django.urls import URLPattern, URLResolver

app_name = "interactions"
urlpatterns: list[URLPattern | URLResolver] = []
