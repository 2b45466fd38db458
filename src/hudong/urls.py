from django.contrib import admin
from django.urls import include, path

from hudong.api.urls import api

urlpatterns = [
    path("", include("hudong.web.urls")),
    path("customers/", include("hudong.customers.urls")),
    path("interactions/", include("hudong.interactions.urls")),
    path("inbox/", include("hudong.interactions.inbox.urls")),
    path("service/", include("hudong.service.urls")),
    path("service/", include("hudong.service.urls_recovery")),
    path("service/", include("hudong.service.urls_care")),
    path("service/", include("hudong.service.urls_complaints")),
    path("service/", include("hudong.service.urls_rootcause")),
    path("complaints/", include("hudong.service.urls_public")),
    path("survey/", include("hudong.service.urls_csat")),
    path("email/", include("hudong.interactions.channels.email.urls")),
    path("sms/", include("hudong.interactions.channels.sms.urls")),
    path("hooks/", include("hudong.interactions.channels.webhooks.urls")),
    path("cti/", include("hudong.interactions.channels.telephony.urls")),
    path("chat/", include("hudong.interactions.channels.webchat.urls")),
    path("insights/", include("hudong.insights.urls_playbook")),
    path("insights/", include("hudong.insights.urls_dashboards")),
    path("insights/", include("hudong.insights.urls_segments")),
    path("insights/", include("hudong.insights.urls_rootcause")),
    path("insights/", include("hudong.insights.urls_service_kpis")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
]
