"""Telling the team about a new lead: an email sent by a task, once the lead is stored."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMessage
from django.tasks import task

from .lead_forms import single_line
from .models import Lead


@task
def notify_lead(lead_id: int, *, result_url: str = "", admin_url: str = "") -> None:
    """Email `LEAD_NOTIFY_EMAIL` about a lead; replying answers the visitor.

    The task carries the lead's id and two links, never the visitor's details: the queue's
    table keeps no personal data, and a lead deleted meanwhile sends nothing.
    """
    lead = Lead.objects.filter(pk=lead_id).select_related("result").first()
    if lead is None or not settings.LEAD_NOTIFY_EMAIL:
        return
    who = f"{lead.name} ({lead.company})" if lead.company else lead.name
    lines = [
        f"{who} asks for a scoping call about {lead.comparison_slug}.",
        "",
        f"Name: {lead.name}",
        f"Work email: {lead.email}",
        f"Company: {lead.company or '-'}",
        "",
        "Message:",
        lead.message or "-",
        "",
    ]
    if lead.result is not None:
        lines += [f"Their recommendation: {lead.result.outcome}", f"Their answers: {result_url}"]
    else:
        lines.append("They asked from the comparison page, without a result.")
    lines += ["", f"In admin: {admin_url}"]
    EmailMessage(
        subject=single_line(f"Scoping call request: {who}")[:150],
        body="\n".join(lines),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[settings.LEAD_NOTIFY_EMAIL],
        reply_to=[lead.email],
    ).send()
