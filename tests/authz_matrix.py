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
    kind: str  # "page", "api", "api-patch", "api-create", "search", "api-search", "export"
    url: str  # formatted with {id} and {q} (the customer's id and name)
    url_name: str  # the Django URL name, to prove coverage


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
]
