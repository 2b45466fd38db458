"""Template context shared by every page: the navigation this user may see."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from hudong.core import navigation as nav
from hudong.core import scoping


def _allowed(user: Any, item: nav.NavItem) -> bool:
    if item.staff_only:
        return bool(user.is_superuser)
    if item.resource and scoping.scope_for(user, item.resource) == "none":
        return False
    if item.roles:
        profile = scoping.profile_of(user)
        return user.is_superuser or (profile is not None and profile.role in item.roles)
    return True


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    entries = [
        {"key": i.key, "label": i.label, "url": reverse(i.url_name), "active": False}
        for i in nav.items()
        if _allowed(user, i)
    ]
    # The current entry is the one whose address is the longest prefix of this page's.
    matches = [e for e in entries if request.path.startswith(e["url"]) and e["url"] != "/"]
    matches += [e for e in entries if request.path == e["url"] == "/"]
    if matches:
        max(matches, key=lambda e: len(e["url"]))["active"] = True
    return {"nav_items": entries, "hudong_role": _role(user)}


def _role(user: Any) -> str:
    if user.is_superuser:
        return "admin"
    profile = scoping.profile_of(user)
    return profile.role if profile else ""
