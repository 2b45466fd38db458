from django.contrib import admin
from django.urls import include, path

from hudong.api.urls import api

urlpatterns = [
    path("", include("hudong.web.urls")),
    path("customers/", include("hudong.customers.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
]
