"""The authorization matrix: every customer-bearing page, API route, search and export.

Each feature registers its endpoints here once; ``tests/core/test_authorization_matrix.py``
then checks every role against a customer of their own region and of another region, and
fails if a URL that takes a customer id was added without being registered.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Endpoint:
    name: str
    # "page", "api", "api-patch", "api-create", "search", "api-search", "export",
    # "form-post" (a page form: redirect or 404), "api-post" (JSON body: 200 or 404)
    kind: str
    url: str  # formatted with {id} and {q} (the customer's id and name)
    url_name: str  # the Django URL name, to prove coverage
    body: dict[str, str] | None = None  # what form-post and api-post send


ENDPOINTS: list[Endpoint] = [
    Endpoint("customer page", "page", "/customers/{id}/", "customers:detail"),
    Endpoint("customer search page", "search", "/customers/?q={q}", "customers:list"),
    Endpoint("customer API", "api", "/api/v1/customers/{id}", "api-v1:get_customer"),
    Endpoint(
        "customer API update", "api-patch", "/api/v1/customers/{id}", "api-v1:update_customer"
    ),
    Endpoint(
        "customer API search", "api-search", "/api/v1/customers?q={q}", "api-v1:list_customers"
    ),
    Endpoint(
        "customer API create (in the customer's region)",
        "api-create",
        "/api/v1/customers",
        "api-v1:create_customer",
    ),
    Endpoint("customer 360 API", "api", "/api/v1/customers/{id}/360", "api-v1:customer_360"),
    Endpoint("identify API", "api-search", "/api/v1/identify?q={q}", "api-v1:identify_customer"),
    Endpoint(
        "drip answer form",
        "form-post",
        "/customers/{id}/answer/",
        "customers:answer",
        {"key": "hobby", "value": "钓鱼"},
    ),
    Endpoint(
        "drip answer API",
        "api-post",
        "/api/v1/customers/{id}/answers",
        "api-v1:answer",
        {"key": "hobby", "value": "钓鱼"},
    ),
    Endpoint("customer export CSV", "export", "/customers/export.csv", "customers:export_download"),
    Endpoint(
        "customer export XLSX", "export", "/customers/export.xlsx", "customers:export_download"
    ),
    Endpoint(
        "customer export CSV API", "export", "/api/v1/exports/customers.csv", "api-v1:export_csv"
    ),
    Endpoint(
        "customer export XLSX API", "export", "/api/v1/exports/customers.xlsx", "api-v1:export_xlsx"
    ),
    # Interactions (issue 4): the timeline, manual logging, consent and contact policy
    Endpoint(
        "timeline filter", "page", "/interactions/customers/{id}/timeline/", "interactions:timeline"
    ),
    Endpoint("log a contact page", "page", "/interactions/customers/{id}/log/", "interactions:log"),
    Endpoint(
        "contact policy page",
        "page",
        "/interactions/customers/{id}/contact/",
        "interactions:contact_policy",
    ),
    Endpoint(
        "contact policy form",
        "form-post",
        "/interactions/customers/{id}/contact/policy/",
        "interactions:save_policy",
        {"marketing_per_week": "1"},
    ),
    Endpoint(
        "consent form",
        "form-post",
        "/interactions/customers/{id}/contact/consent/",
        "interactions:save_consent",
        {"purpose": "marketing", "channel": "any", "granted": "0", "source": "电话"},
    ),
    Endpoint("timeline API", "api", "/api/v1/customers/{id}/interactions", "api-v1:timeline"),
    Endpoint(
        "log a contact API",
        "api-post",
        "/api/v1/customers/{id}/interactions",
        "api-v1:log_manual",
        {"channel": "face", "subject": "到店"},
    ),
    Endpoint(
        "consent ledger API", "api", "/api/v1/customers/{id}/consent", "api-v1:consent_ledger"
    ),
    Endpoint(
        "consent API",
        "api-post",
        "/api/v1/customers/{id}/consent",
        "api-v1:record_consent",
        {"purpose": "marketing", "granted": "true", "source": "门店"},
    ),
    Endpoint(
        "contact policy API", "api", "/api/v1/customers/{id}/contact-policy", "api-v1:get_policy"
    ),
    Endpoint(
        "contact policy API update",
        "api-patch",
        "/api/v1/customers/{id}/contact-policy",
        "api-v1:update_policy",
        {"marketing_per_week": "1"},
    ),
    Endpoint(
        "contact decision API",
        "api",
        "/api/v1/customers/{id}/contact-decision?channel=sms&purpose=service",
        "api-v1:contact_decision",
    ),
    Endpoint(
        "outbound message API",
        "api-post",
        "/api/v1/customers/{id}/messages",
        "api-v1:send_message",
        {"purpose": "service", "body": "您的包裹已发出", "channel": "sms"},
    ),
    Endpoint("screen pop frame (telephony)", "page", "/cti/pop/{id}/", "telephony:frame"),
    # Service (issue 5): cases of a customer; the routes that take a case id are in
    # tests/service/test_scope.py
    Endpoint("open a case page", "page", "/service/customers/{id}/cases/new/", "service:open"),
    Endpoint(
        "open a case API",
        "api-post",
        "/api/v1/customers/{id}/cases",
        "api-v1:create_case",
        {"category": "delivery", "subject": "快递未到"},
    ),
    Endpoint("customer cases API", "api", "/api/v1/customers/{id}/cases", "api-v1:customer_cases"),
    # Insights (issue 6): the playbook's follow-up tasks of a customer
    Endpoint("customer tasks API", "api", "/api/v1/customers/{id}/tasks", "api-v1:customer_tasks"),
    Endpoint(
        "customer task API create",
        "api-post",
        "/api/v1/customers/{id}/tasks",
        "api-v1:create_customer_task",
        {"title": "回访"},
    ),
    # Segments (issue 6): a filter's live count and preview name only customers in scope; the
    # endpoints that take a segment id are in tests/insights/test_segments_authz.py
    Endpoint(
        "segment editor live count",
        "search",
        "/insights/segments/count/?filter=id%20%3D%20{id}",
        "segments:count",
    ),
    Endpoint(
        "segment preview API",
        "api-search",
        "/api/v1/segments/preview?filter=id%20%3D%20{id}",
        "api-v1:preview_segment_get",
    ),
    # Dashboards (issue 6): the customers behind a chart's point ("new": customers created in
    # the default range, the last 12 months); the role matrix of the dashboards themselves is in
    # tests/insights/test_dashboards_authz.py
    Endpoint(
        "dashboard drill-down list",
        "search",
        "/insights/charts/conversion/customers/?point=new",
        "dashboards:drill",
    ),
    Endpoint(
        "dashboard drill-down API",
        "api-search",
        "/api/v1/dashboards/charts/conversion/customers?point=new",
        "api-v1:drill_customers",
    ),
    Endpoint(
        "dashboard drill-down CSV",
        "export",
        "/insights/charts/conversion/customers.csv?point=new",
        "dashboards:drill_export",
    ),
    # Customer care (issue 5, D6): a customer's care tasks; the routes that take a care task id
    # are in tests/service/test_care_pages.py
    Endpoint("customer care tasks page", "page", "/service/care/customers/{id}/", "care:customer"),
    Endpoint(
        "customer care tasks API",
        "api",
        "/api/v1/customers/{id}/care-tasks",
        "api-v1:customer_care_tasks",
    ),
]
