"""What the agent's screen shows when the phone rings and when the call ends.

The pop is built with the agent's own permissions (``identify(user=agent)``): a caller whose
record the agent may not see pops as an unknown caller, never as a name. A known caller's pop
leads with the breakpoint, the open conversation's next step, so the agent picks up where the
last contact stopped, whatever channel it was on.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from hudong.core import scoping
from hudong.core.errors import DomainError
from hudong.customers.models import Customer
from hudong.customers.normalize import normalize_phone
from hudong.customers.resolution.identify import Identification, identify
from hudong.interactions import queries
from hudong.interactions.models import Interaction, Thread

MAX_NAMES = 5


def language_of(user: Any) -> str:
    """The agent's language: the pop is written in it, not in the switch's."""
    profile = getattr(user, "profile", None)
    return getattr(profile, "language", "") or settings.LANGUAGE_CODE


def _when(value: Any) -> str:
    return str(formats.date_format(timezone.localtime(value), "Y-m-d H:i"))


def breakpoint_text(thread: Thread | None) -> str:
    """One line saying where the last contact stopped and what happens next."""
    if thread is None:
        return _("No open conversation.")
    parts = [_("Where we left off: %(state)s") % {"state": thread.get_state_display()}]
    if thread.next_step:
        step = _("next step: %(step)s") % {"step": thread.next_step}
        if thread.next_step_due:
            step += " · " + _("due %(when)s") % {"when": _when(thread.next_step_due)}
            if thread.is_overdue:
                step += " (" + _("overdue") + ")"
        parts.append(step)
    if thread.subject:
        parts.append(_("about: %(subject)s") % {"subject": thread.subject})
    return " — ".join(parts)


def lead_thread(user: Any, customer: Customer) -> Thread | None:
    """The conversation the pop leads with: the first open one with a next step, else the
    latest open one."""
    threads = queries.breakpoints(user, customer)
    with_step = [t for t in threads if t.next_step]
    ranked = with_step or threads
    return ranked[0] if ranked else None


def valid_number(number: str) -> bool:
    """Whether ``number`` is a phone number at all (a switch sends "anonymous", "", "unknown")."""
    try:
        normalize_phone(number)
    except DomainError:
        return False
    return True


def _unknown(number: str, search: str, *, valid: bool) -> dict[str, Any]:
    if not valid:
        return {
            "status": "unknown",
            "title": _("Unknown caller %(number)s") % {"number": number or _("(number withheld)")},
            "detail": _("The switch did not send a number to look up."),
            "link_text": _("Search customers"),
            "url": search,
        }
    return {
        "status": "unknown",
        "title": _("Unknown caller %(number)s") % {"number": number},
        "detail": _("No customer has this number yet."),
        "link_text": _("Search or create the customer"),
        "url": search,
    }


def _candidates(number: str, search: str, found: Identification) -> dict[str, Any]:
    names = [c.name for c in found.candidates[:MAX_NAMES]]
    more = len(found.candidates) - len(names)
    return {
        "status": "ambiguous",
        "candidates": [{"id": c.pk, "name": c.name} for c in found.candidates],
        "title": _("%(count)d customers use %(number)s")
        % {"count": len(found.candidates), "number": number},
        "detail": " · ".join(names) + (f" (+{more})" if more > 0 else ""),
        "link_text": _("Choose the customer"),
        "url": search,
    }


def ringing(user: Any, number: str, *, call_id: str, sent_at: str) -> tuple[dict[str, Any], Any]:
    """The screen pop for a ringing call and the customer it found (or None)."""
    valid = valid_number(number)
    found = identify(number, user=user) if valid else Identification("none")
    customer = found.customer if found.status == "found" else None
    # URLs are reversed outside the language override: they do not depend on it, and the
    # first reverse in a language the process has not served yet rebuilds the resolver.
    if valid:
        search = reverse("customers:list") + "?" + urlencode({"q": number})
    else:
        search = reverse("customers:list")
    pop: dict[str, Any] = {"call_id": call_id, "number": number, "sent_at": sent_at}
    if customer is not None:
        pop["customer_id"] = customer.pk
        pop["url"] = reverse("customers:detail", args=[customer.pk])
        pop["frame_url"] = reverse("telephony:frame", args=[customer.pk])
    with translation.override(language_of(user)):
        if customer is not None:
            pop["status"] = "found"
            pop["title"] = _("Call from %(name)s") % {"name": customer.name}
            pop["detail"] = breakpoint_text(lead_thread(user, customer))
            pop["link_text"] = _("Open the customer")
        elif found.status == "ambiguous":
            pop.update(_candidates(number, search, found), frame_url="")
        else:
            pop.update(_unknown(number, search, valid=valid), frame_url="")
    return pop, customer


def _duration(seconds: int) -> str:
    minutes, secs = divmod(max(seconds, 0), 60)
    return f"{minutes}:{secs:02d}"


def ended(user: Any, interaction: Interaction, *, call_id: str, answered: bool) -> dict[str, Any]:
    """The message that closes a call: how long it took and the link to the disposition form."""
    url = reverse("telephony:disposition", args=[interaction.pk])
    visible = scoping.can_see(user, "interactions", interaction)
    with translation.override(language_of(user)):
        # A caller outside the agent's scope stays unnamed, as the ringing pop left them.
        name = interaction.customer.name if visible else _("unknown caller")
        if answered:
            title = _("Call with %(name)s ended (%(duration)s)") % {
                "name": name,
                "duration": _duration(interaction.duration_seconds),
            }
        else:
            title = _("Missed call from %(name)s") % {"name": name}
        return {
            "call_id": call_id,
            "interaction_id": interaction.pk,
            "customer_id": interaction.customer_id if visible else None,
            "title": title,
            "detail": _("Record the outcome and the next step."),
            "url": url if visible else "",
            "link_text": _("Record the outcome"),
            "frame_url": "",
        }
