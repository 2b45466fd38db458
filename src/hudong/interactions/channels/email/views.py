"""Pages of the email channel: the public unsubscribe page and attachment downloads.

The unsubscribe page needs no login: the signed token in its address says who is leaving.
Its POST is exempt from Django's CSRF check on purpose: the check protects actions a
browser's cookies authorise, and this one is authorised by the token alone (a forged
request would need the token), while mail clients' one-click unsubscribe (RFC 8058) POSTs
without any cookie or form token. GET only shows the confirm button, so link scanners that
fetch every URL in a mail unsubscribe nobody.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from hudong.core import audit
from hudong.interactions import consent
from hudong.interactions.channels.email import queries


@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    if request.method == "POST":
        consent.unsubscribe(token)
        return render(request, "email_channel/unsubscribed.html")
    return render(request, "email_channel/unsubscribe.html", {"token": token})


@login_required
def message(request: HttpRequest, interaction_id: int) -> HttpResponse:
    """One email in full. Its HTML, already sanitised, is shown only inside a sandboxed frame
    without scripts or same-origin rights: were the sanitiser ever fooled, the frame still
    could not run anything or reach the agent's session."""
    mail, attachments = queries.get_mail(request.user, interaction_id)
    audit.record_view(mail, customer_id=mail.customer_id, via="email message")
    meta = mail.meta or {}
    to = meta.get("to") or []
    return render(
        request,
        "email_channel/message.html",
        {
            "mail": mail,
            "attachments": attachments,
            "sender": str(meta.get("from") or ""),
            "recipients": [str(a) for a in ([to] if isinstance(to, str) else to)],
            "html": str(meta.get("html") or ""),
            "skipped": meta.get("attachments_skipped") or [],
        },
    )


@login_required
def download(request: HttpRequest, attachment_id: int) -> FileResponse:
    """Always a download with a neutral type: a customer's HTML or SVG never runs here."""
    attachment = queries.get_attachment(request.user, attachment_id)
    audit.record_view(
        attachment, customer_id=attachment.interaction.customer_id, via="email attachment"
    )
    response = FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.filename,
        content_type="application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response
