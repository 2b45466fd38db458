"""The one NinjaAPI object; each domain app contributes its router."""

from __future__ import annotations

from ninja import NinjaAPI

from hudong.api import problems
from hudong.api.auth import default_auth
from hudong.core.api import router as core_router
from hudong.customers.api import router as customers_router
from hudong.customers.api_io import router as customers_io_router
from hudong.customers.api_resolution import router as identity_router
from hudong.insights.api_playbook import router as playbook_router
from hudong.interactions.api import router as interactions_router
from hudong.interactions.channels.email.api import router as email_router
from hudong.interactions.channels.sms.api import router as sms_router
from hudong.interactions.channels.telephony.api import router as telephony_router
from hudong.interactions.channels.webchat.api import router as webchat_router
from hudong.interactions.channels.webhooks.api import router as webhooks_router
from hudong.interactions.inbox.api import router as inbox_router
from hudong.service.api import router as service_router

api = NinjaAPI(
    title="Hudong API",
    version="1",
    description="Customer-interaction CRM. Errors are problem JSON with a stable `code`.",
    auth=default_auth(),
    urls_namespace="api-v1",
    docs_url="/docs",
    openapi_url="/openapi.json",
)
problems.install(api)
api.add_router("", core_router)
api.add_router("/customers", customers_router)
api.add_router("", customers_io_router)
api.add_router("", identity_router)
api.add_router("", interactions_router)
api.add_router("", email_router)
api.add_router("", sms_router)
api.add_router("", webhooks_router)
api.add_router("", telephony_router)
api.add_router("", webchat_router)
api.add_router("", inbox_router)
api.add_router("", service_router)
api.add_router("", playbook_router)
api.add_router("", "hudong.insights.api_segments.router")
api.add_router("", "hudong.insights.api_dashboards.router")
api.add_router("", "hudong.service.api_complaints.router")
api.add_router("", "hudong.service.api_recovery.router")
api.add_router("", "hudong.service.api_care.router")
api.add_router("", "hudong.service.api_rootcause.router")
api.add_router("", "hudong.insights.api_rootcause.router")
api.add_router("", "hudong.insights.api_service_kpis.router")
