"""Leads and votes in admin: what visitors sent, read-only; the team's follow-up, editable.

Neither is content: these pages are plain model admins, outside the content gate and its
history, so a status change or a note never touches a comparison or records a revision.
Who sees them is a matter of permissions (the "Sales" group, migration 0014); content editors
hold no permission on leads, which carry personal data.
"""

from __future__ import annotations

import csv

from django.contrib import admin
from django.db import models
from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.text import Truncator
from pydantic import ValidationError

from .admin_gate import PlainNewlinesField
from .csv_cells import safe_row
from .models import Lead, Result, Vote
from .presenters import result_view
from .snapshot import read_snapshot

# What the visitor sent, and when: shown, never edited (staff must not rewrite a visitor's words).
VISITOR_FIELDS = (
    "created_at",
    "comparison_slug",
    "name",
    "email",
    "company",
    "message",
    "consent",
)
CSV_HEADER = (
    "created",
    "status",
    "name",
    "email",
    "company",
    "message",
    "comparison",
    "result",
    "outcome",
)
COMMENT_EXCERPT = 80


def result_links(result: Result | None) -> str:
    """The result's outcome linking to its public page, and its admin page ("—" without)."""
    if result is None:
        return "—"
    return format_html(
        '<a href="{}">{}</a> (<a href="{}">in admin</a>)',
        result.get_absolute_url(),
        result.outcome,
        reverse("admin:decision_result_change", args=[result.pk]),
    )


def result_summary(result: Result | None) -> str:
    """The result a lead came from: its links, its outcome and the visitor's answers in words.

    Names come from the result's own snapshot, as its permalink shows them; a snapshot that
    cannot be read any more still shows the stored answers as they are.
    """
    if result is None:
        return "None: the visitor asked from the comparison page, before any result."
    try:
        snapshot = read_snapshot(result.snapshot)
    except ValidationError:
        outcome = result.outcome
        answers = sorted((result.answers or {}).items())
    else:
        view = result_view(snapshot.content, snapshot.recommendation)
        outcome = view.outcome_name
        answers = [(answer.prompt, answer.label) for answer in view.answers]
    rows = format_html_join(
        "", "<tr><th scope='row'>{}</th><td>{}</td></tr>", ((str(q), str(a)) for q, a in answers)
    )
    return format_html(
        '<p><a href="{}">Their result page</a> · <a href="{}">The result in admin</a></p>'
        "<p>Outcome: <strong>{}</strong></p>"
        "<table><caption>Their answers</caption><tbody>{}</tbody></table>",
        result.get_absolute_url(),
        reverse("admin:decision_result_change", args=[result.pk]),
        outcome,
        rows or format_html("<tr><td>{}</td></tr>", "No question answered."),
    )


@admin.register(Lead)
class LeadAdmin(admin.ModelAdmin):
    """Scoping-call requests: status and notes are the team's; the rest is the visitor's."""

    list_display = [
        "name",
        "email",
        "company",
        "comparison_slug",
        "status",
        "created_at",
        "result_link",
    ]
    list_display_links = ["name"]
    list_editable = ["status"]
    list_filter = ["status", "created_at", "comparison_slug"]
    list_select_related = ["result"]
    search_fields = ["name", "email", "company", "message"]
    date_hierarchy = "created_at"
    readonly_fields = [*VISITOR_FIELDS, "their_result"]
    fieldsets = [
        ("What the visitor sent", {"fields": VISITOR_FIELDS}),
        ("The result they asked from", {"fields": ["their_result"]}),
        ("Follow-up", {"fields": ["status", "notes"]}),
    ]
    formfield_overrides = {models.TextField: {"form_class": PlainNewlinesField}}
    actions = ["export_csv"]

    def has_add_permission(self, request):
        return False  # leads come from visitors' forms only

    @admin.display(description="result")
    def result_link(self, lead):
        return result_links(lead.result)

    @admin.display(description="result")
    def their_result(self, lead):
        return result_summary(lead.result)

    @admin.action(description="Export selected leads as CSV", permissions=["view"])
    def export_csv(self, request, queryset):
        """The selected leads (or the whole filtered list) as a spreadsheet-safe CSV file."""
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        stamp = timezone.now().strftime("%Y-%m-%d")
        response["Content-Disposition"] = f'attachment; filename="leads-{stamp}.csv"'
        # A byte-order mark: spreadsheets then read the file as UTF-8, accented names intact.
        response.write("\ufeff")
        writer = csv.writer(response)
        writer.writerow(CSV_HEADER)
        for lead in queryset.select_related("result").order_by("-created_at", "-pk"):
            result = lead.result
            writer.writerow(
                safe_row(
                    (
                        lead.created_at.isoformat(timespec="seconds"),
                        lead.get_status_display(),
                        lead.name,
                        lead.email,
                        lead.company,
                        lead.message,
                        lead.comparison_slug,
                        request.build_absolute_uri(result.get_absolute_url()) if result else "",
                        result.outcome if result else "",
                    )
                )
            )
        return response


@admin.register(Vote)
class VoteAdmin(admin.ModelAdmin):
    """ "Was this right for you?" answers: read-only; deleting is the only change."""

    list_display = [
        "answer",
        "outcome",
        "comparison_slug",
        "comment_excerpt",
        "created_at",
        "result_link",
    ]
    list_filter = ["answer", "outcome", "comparison_slug"]
    list_select_related = ["result"]
    search_fields = ["comment"]
    date_hierarchy = "created_at"
    fields = ["created_at", "comparison_slug", "outcome", "answer", "comment", "result_link"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description="comment")
    def comment_excerpt(self, vote):
        return Truncator(vote.comment).chars(COMMENT_EXCERPT) or "—"

    @admin.display(description="result")
    def result_link(self, vote):
        return result_links(vote.result)
