"""The staff analytics dashboard: what visitors did in the wizard, per comparison and day.

Mounted at /admin/analytics/ through the admin site's `admin_view`, so only signed-in staff
reach it; it also needs the `decision.view_dailycount` permission. A GET form picks the
comparison, the days and optionally one content version; `?format=csv` downloads the rows.
"""

from __future__ import annotations

import csv
from contextlib import suppress
from datetime import date, timedelta
from urllib.parse import urlencode

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.core.validators import RegexValidator
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_safe

from . import analytics
from .content.store import InvalidContent
from .csv_cells import safe_row
from .dashboard import (
    CSV_COLUMNS,
    Filters,
    VersionSeen,
    csv_rows,
    question_ids,
    read_counts,
    versions_seen,
)
from .dashboard import dashboard as build_dashboard
from .models import Comparison
from .services import cached_content

PERMISSION = "decision.view_dailycount"
DEFAULT_DAYS = 30
MAX_DAYS = 366
DATE_FORMAT = "%Y-%m-%d"


def _date_field(label: str) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=False,
        input_formats=[DATE_FORMAT],
        widget=forms.DateInput(attrs={"type": "date"}, format=DATE_FORMAT),
        error_messages={"invalid": "Enter a date like 2026-05-31."},
    )


class FilterForm(forms.Form):
    """The dashboard's filters. Each field is checked alone, so one bad field never hides the
    others: the view falls back to the default for what did not validate."""

    comparison = forms.ChoiceField(label="Comparison")
    version = forms.CharField(
        label="Content version",
        required=False,
        widget=forms.Select,
        validators=[RegexValidator(r"^[0-9a-f]{1,12}\Z", "Pick a version from the list.")],
    )

    def __init__(self, data, *, comparisons: list[tuple[str, str]]):
        super().__init__(data)
        self.fields["comparison"].choices = comparisons
        # "from" is a Python keyword, so these two are added here rather than declared.
        self.fields["from"] = _date_field("From")
        self.fields["to"] = _date_field("To")
        self.order_fields(["comparison", "from", "to", "version"])

    def clean(self):
        data = super().clean()
        start, end = data.get("from"), data.get("to")
        if start and end and start > end:
            self.add_error("from", "The first day is after the last: pick one on or before it.")
        elif start and end and (end - start).days + 1 > MAX_DAYS:
            self.add_error("to", f"Pick at most {MAX_DAYS} days.")
        return data

    def offer_versions(self, versions: list[VersionSeen]) -> None:
        choices = [("", "Every version")] + [(seen.version, seen.label) for seen in versions]
        chosen = self.cleaned_data.get("version")
        if chosen and chosen not in {seen.version for seen in versions}:
            choices.append((chosen, f"{chosen} (no counts in these days)"))
        self.fields["version"].widget.choices = choices


def default_range(today: date) -> tuple[date, date]:
    """The last DEFAULT_DAYS days, today included."""
    return today - timedelta(days=DEFAULT_DAYS - 1), today


def _filters(form: FilterForm, today: date) -> tuple[Filters, bool]:
    """The filters to show, each falling back to its default when it did not validate; and
    whether the days fell back (a bad date, or "from" after "to")."""
    form.is_valid()
    data = form.cleaned_data
    slug = data.get("comparison") or form.fields["comparison"].choices[0][0]
    start, end = data.get("from"), data.get("to")
    fell_back = "from" in form.errors or "to" in form.errors
    if fell_back or start is None or end is None:
        start, end = default_range(today)
    return Filters(slug, start, end, data.get("version") or None), fell_back


def _with_defaults(query, comparisons: list[tuple[str, str]], today: date):
    """The query with empty fields filled in, so the form shows what the page shows."""
    data = query.copy()
    start, end = default_range(today)
    for name, value in (
        ("comparison", comparisons[0][0]),
        ("from", start.isoformat()),
        ("to", end.isoformat()),
    ):
        if not data.get(name):
            data[name] = value
    return data


@require_safe
def dashboard(request: HttpRequest) -> HttpResponse:
    """The dashboard page, or its rows as CSV with `?format=csv`.

    A fixed number of queries whatever the number of days, questions or versions.
    """
    if not request.user.has_perm(PERMISSION):
        raise PermissionDenied
    analytics.flush()  # this process's own counts, written before they are read
    today = timezone.now().date()
    comparisons = list(Comparison.objects.values_list("slug", "title"))
    context = {
        **admin.site.each_context(request),
        "title": "Analytics",
        "comparisons": comparisons,
        "form": None,
        "default_days": DEFAULT_DAYS,
    }
    if not comparisons:
        return _private(TemplateResponse(request, "admin/decision/dashboard.html", context))

    form = FilterForm(_with_defaults(request.GET, comparisons, today), comparisons=comparisons)
    filters, fell_back = _filters(form, today)
    if request.GET.get("format") == "csv":
        return _csv(filters)

    found = None
    with suppress(InvalidContent):  # the counts are still shown, by slug
        found = cached_content(filters.slug)
    content = found.content if found else None
    versions = versions_seen(
        filters.slug, filters.start, filters.end, current=found.fingerprint if found else ""
    )
    form.offer_versions(versions)
    question_urls = {}
    if request.user.has_perm("decision.view_question") or request.user.has_perm(
        "decision.change_question"
    ):
        question_urls = {
            slug: reverse("admin:decision_question_change", args=[pk])
            for slug, pk in question_ids(filters.slug).items()
        }
    board = build_dashboard(content, read_counts(filters), filters, question_urls)
    context |= {
        "form": form,
        "filters": filters,
        "fell_back": fell_back,
        "comparison_title": dict(comparisons)[filters.slug],
        "content_valid": content is not None,
        "board": board,
        "csv_url": "?" + urlencode(_query(filters) | {"format": "csv"}),
    }
    return _private(TemplateResponse(request, "admin/decision/dashboard.html", context))


def _query(filters: Filters) -> dict[str, str]:
    query = {
        "comparison": filters.slug,
        "from": filters.start.isoformat(),
        "to": filters.end.isoformat(),
    }
    if filters.version:
        query["version"] = filters.version
    return query


def _csv(filters: Filters) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    name = f"analytics-{filters.slug}-{filters.start}-to-{filters.end}"
    if filters.version:
        name += f"-{filters.version}"
    response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    writer = csv.writer(response)
    writer.writerow(CSV_COLUMNS)
    writer.writerows(safe_row(row) for row in csv_rows(filters))
    return _private(response)


def _private(response: HttpResponse) -> HttpResponse:
    patch_cache_control(response, private=True, no_store=True)
    return response
