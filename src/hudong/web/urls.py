from django.contrib.auth import views as auth_views
from django.templatetags.static import static
from django.urls import path
from django.views.generic import RedirectView

from hudong.web import views

app_name = "web"
urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("system/", views.system, name="system"),
    path("audit/", views.audit, name="audit"),
    path("jobs/<int:job_id>/", views.job, name="job"),
    path("live/", views.live, name="live"),
    # Browsers and bookmarks ask for /favicon.ico whatever the page links to.
    path("favicon.ico", RedirectView.as_view(url=static("web/favicon.svg"), permanent=True)),
]
