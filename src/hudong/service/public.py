"""The public complaint form (D3): anyone files a complaint, without an account.

A submission is recorded as an inbound contact on the "web form" channel through
:func:`hudong.interactions.actions.record_interaction`, so the customer is found or created
the way every channel does it (the phone number in any spelling, else the email address), and
the case opens from that contact with source ``web_form``. The answer carries a signed status
link: whoever holds it sees the case's progress and the replies, and may write to us.

Abuse resistance, all counted in the database (the cache is per process here, so it cannot be
trusted to count across workers): a hidden field only robots fill in, a minimum time between
showing the form and sending it, at most ``HUDONG_COMPLAINTS_PER_IP_HOUR`` complaints an hour
from one address and ``HUDONG_COMPLAINTS_PER_IDENTIFIER_DAY`` a day for one phone or email.
A refused submission stores nothing.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hudong.commerce.models import Order
from hudong.core.errors import DomainError, NotFound
from hudong.customers.normalize import normalize
from hudong.customers.resolution.ingest import Incoming
from hudong.interactions.actions import Contact, record_interaction
from hudong.interactions.models import Channel, Direction, Interaction
from hudong.service import actions
from hudong.service.models import Case, CaseCategory, CaseSource

FORM_SALT = "hudong.complaints.form"
STATUS_SALT = "hudong.complaints.status"
FORM_TAG = "complaint"
MAX_NAME, MAX_SUBJECT, MAX_TEXT, MAX_ORDER = 100, 200, 5000, 40


def _setting(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def per_ip_hour() -> int:
    return _setting("HUDONG_COMPLAINTS_PER_IP_HOUR", 5)


def per_identifier_day() -> int:
    return _setting("HUDONG_COMPLAINTS_PER_IDENTIFIER_DAY", 3)


def min_fill_seconds() -> int:
    return _setting("HUDONG_COMPLAINTS_MIN_FILL_SECONDS", 3)


def status_link_days() -> int:
    return _setting("HUDONG_COMPLAINTS_STATUS_DAYS", 365)


def messages_per_hour() -> int:
    return _setting("HUDONG_COMPLAINTS_MESSAGES_PER_HOUR", 10)


# --- the form's token: when it was shown -----------------------------------------------------


def form_token() -> str:
    """Signed time the form was shown: a submission sooner than a person can type is a robot."""
    return signing.Signer(salt=FORM_SALT).sign(str(int(time.time())))


def _check_form_token(token: str) -> None:
    try:
        shown = float(signing.Signer(salt=FORM_SALT).unsign(token or ""))
    except (signing.BadSignature, ValueError) as exc:
        raise DomainError(
            "complaints.form_expired", _("The form expired. Reload the page."), status=422
        ) from exc
    age = time.time() - shown
    if age > 86400:
        raise DomainError(
            "complaints.form_expired", _("The form expired. Reload the page."), status=422
        )
    if age < min_fill_seconds():
        raise DomainError(
            "complaints.too_fast",
            _("That was too fast. Check your complaint and send it again."),
            status=422,
        )


# --- the submission ------------------------------------------------------------------------


@dataclass
class Submission:
    name: str = ""
    phone: str = ""
    email: str = ""
    category: str = ""
    order_number: str = ""
    subject: str = ""
    description: str = ""
    website: str = ""  # the honeypot: hidden from people
    form_token: str = ""
    client_ip: str | None = None


@dataclass(frozen=True)
class Filed:
    case: Case
    token: str
    customer_created: bool


def categories() -> list[CaseCategory]:
    """What a customer may choose: the active top-level categories."""
    return list(CaseCategory.objects.filter(active=True, parent__isnull=True).order_by("code"))


def _required(value: str, code: str, message: Any, limit: int) -> str:
    value = (value or "").strip()
    if not value:
        raise DomainError(code, message, status=422)
    if len(value) > limit:
        raise DomainError("complaints.too_long", _("A field is too long."), status=422)
    return value


def _identifier(sub: Submission) -> tuple[Incoming, list[str]]:
    """The one identifier the customer is found by: the phone, else the email. Only one: an
    anonymous form naming A's phone and B's email must not prove A and B are one person.
    With it, the normalised keys of everything given ("phone:+86...", "email:..."), which the
    rate limit counts: switching to the email alone does not buy more complaints."""
    phone, email = (sub.phone or "").strip()[:50], (sub.email or "").strip()[:200]
    if not phone and not email:
        raise DomainError(
            "complaints.contact_missing",
            _("Give a phone number or an email address so we can reach you."),
            status=422,
        )
    keys = [f"phone:{normalize('phone', phone)}"] if phone else []
    if email:  # a wrong address is refused even when a phone came too
        keys.append(f"email:{normalize('email', email)}")
    return Incoming("phone", phone) if phone else Incoming("email", email), keys


def _category(code: str) -> CaseCategory:
    found = CaseCategory.objects.filter(
        code=(code or "")[:50], active=True, parent__isnull=True
    ).first()
    if found is None:
        raise DomainError("complaints.category_unknown", _("Choose what it is about."), status=422)
    return found


def _rate_limited() -> DomainError:
    return DomainError(
        "complaints.rate_limited",
        _("We have received several complaints from you already. Please try again later."),
        status=429,
        retry_after=3600,
    )


def _complaints_since(hours: int) -> Any:
    since = timezone.now() - dt.timedelta(hours=hours)
    return Interaction.objects.filter(
        channel=Channel.WEBFORM, started_at__gte=since, meta__form=FORM_TAG
    )


def _check_rate(client_ip: str | None, keys: list[str]) -> None:
    if client_ip and _complaints_since(1).filter(meta__ip=client_ip).count() >= per_ip_hour():
        raise _rate_limited()
    same = Q(meta__contact__in=keys) | Q(meta__also__in=keys)
    if _complaints_since(24).filter(same).count() >= per_identifier_day():
        raise _rate_limited()


def _link_order(case: Case, number: str) -> None:
    """An order number of this customer links the order, its latest shipment and, for a
    one-product order, the product (root-cause analysis joins on them). Others are ignored."""
    order = Order.objects.filter(number=number, customer_id=case.customer_id).first()
    if order is None:
        return
    case.order = order
    case.shipment = order.shipments.order_by("-shipped_at", "-id").first()
    products = list(order.lines.values_list("product_id", flat=True).distinct()[:2])
    case.product_id = products[0] if len(products) == 1 else None
    case.save(update_fields=["order", "shipment", "product", "updated_at"])


@transaction.atomic
def submit(sub: Submission) -> Filed:
    """File the complaint: checks first, then one transaction that stores it all, or nothing."""
    if (sub.website or "").strip():
        raise DomainError(
            "complaints.rejected", _("We could not accept this form. Please try again."), status=422
        )
    _check_form_token(sub.form_token)
    name = _required(sub.name, "complaints.name_missing", _("Tell us your name."), MAX_NAME)
    category = _category(sub.category)
    subject = _required(
        sub.subject, "complaints.subject_missing", _("Say in a few words what happened."), 200
    )
    description = (sub.description or "").strip()
    if len(description) > MAX_TEXT:
        raise DomainError("complaints.too_long", _("A field is too long."), status=422)
    identifier, keys = _identifier(sub)
    _check_rate(sub.client_ip, keys)
    recorded = record_interaction(
        Contact(
            channel=Channel.WEBFORM,
            direction=Direction.INBOUND,
            identifiers=[identifier],
            name=name,
            subject=subject[:MAX_SUBJECT],
            content=description,
            source="complaint-form",
            meta={
                "form": FORM_TAG,
                "ip": sub.client_ip or "",
                "contact": keys[0],
                "also": keys[1] if len(keys) > 1 else "",
                "email": (sub.email or "").strip()[:200] if identifier.kind == "phone" else "",
                "order": (sub.order_number or "").strip()[:MAX_ORDER],
            },
        )
    )
    interaction = recorded.interaction
    case = actions.open_case(
        interaction.customer,
        user=None,
        category=category,
        subject=subject,
        description=description,
        interaction=interaction,
        source=CaseSource.WEB_FORM,
    )
    order_number = (sub.order_number or "").strip()[:MAX_ORDER]
    if order_number:
        _link_order(case, order_number)
    return Filed(case, status_token(case), recorded.customer_created)


# --- the signed status link ----------------------------------------------------------------


def status_token(case: Case) -> str:
    return signing.dumps({"case": case.pk, "number": case.number}, salt=STATUS_SALT)


def case_for_token(token: str) -> Case:
    """The case a status link names; a tampered or expired link is ``complaints.link_invalid``
    / ``complaints.link_expired`` (404: the link reveals nothing)."""
    try:
        data = signing.loads(token, salt=STATUS_SALT, max_age=status_link_days() * 86400)
    except signing.SignatureExpired as exc:
        raise NotFound(
            "complaints.link_expired", _("This status link has expired. Contact us again.")
        ) from exc
    except (signing.BadSignature, ValueError, TypeError) as exc:
        raise NotFound("complaints.link_invalid", _("This status link is not valid.")) from exc
    case = None
    if isinstance(data, dict) and isinstance(data.get("case"), int):
        case = (
            Case.objects.select_related("category", "interaction")
            .filter(pk=data["case"], number=data.get("number"))
            .first()
        )
    if case is None:
        raise NotFound("complaints.link_invalid", _("This status link is not valid."))
    return case


@dataclass(frozen=True)
class Entry:
    at: dt.datetime
    from_customer: bool
    text: str


def conversation(case: Case) -> list[Entry]:
    """What the customer may see: our replies and their own messages, oldest first. Internal
    notes never appear here."""
    replies = [
        Entry(n.created_at, False, n.body) for n in case.notes.filter(internal=False).order_by("id")
    ]
    theirs = [
        Entry(i.started_at, True, i.content)
        for i in Interaction.objects.filter(
            customer_id=case.customer_id,
            channel=Channel.WEBFORM,
            direction=Direction.INBOUND,
            meta__case=case.number,
        ).order_by("started_at", "id")[:200]
    ]
    return sorted(replies + theirs, key=lambda e: e.at)


@transaction.atomic
def customer_writes(case: Case, text: str, client_ip: str | None = None) -> Interaction:
    """The customer writes through the status link: an inbound contact on the case's customer
    and conversation (so it shows in the inbox and the timeline), and a case waiting on the
    customer goes back to work."""
    text = _required(text, "complaints.message_empty", _("Write your message first."), MAX_TEXT)
    if not case.is_open:
        raise DomainError(
            "complaints.case_closed",
            _("This case is closed. File a new complaint if you need us again."),
            status=409,
        )
    since = timezone.now() - dt.timedelta(hours=1)
    sent = Interaction.objects.filter(
        customer_id=case.customer_id,
        channel=Channel.WEBFORM,
        started_at__gte=since,
        meta__case=case.number,
    ).count()
    if sent >= messages_per_hour():
        raise _rate_limited()
    thread = case.interaction.thread if case.interaction_id and case.interaction else None
    recorded = record_interaction(
        Contact(
            channel=Channel.WEBFORM,
            direction=Direction.INBOUND,
            customer=case.customer,
            thread=thread,
            subject=f"[{case.number}] {case.subject}"[:250],
            content=text,
            meta={"form": "complaint-status", "case": case.number, "ip": client_ip or ""},
        )
    )
    if case.status == "waiting_customer":
        actions.transition(case, "in_progress", None)
    return recorded.interaction
