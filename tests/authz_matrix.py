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
]
