"""The admin "Content health" page of one comparison (reached from `ComparisonAdmin`).

The checks themselves are pure (`decision.health_report`); this module reads the comparison
fresh from the database, runs them, and links every finding to the admin page that fixes it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from urllib.parse import urlencode

from django.contrib.admin import AdminSite
from django.db import models
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone

from .content.schema import validate
from .content.store import comparison_data, load_tree
from .health_report import health_report
from .models import Caveat, Choice, Comparison
from .vocabulary import STALE_AFTER_DAYS


def today() -> date:
    """The date stale facts are measured against: the clock tests set (monkeypatch this)."""
    return timezone.localdate()


@dataclass(frozen=True)
class Linked:
    """A finding (or a validation problem) with the admin page where it is fixed."""

    item: object
    fix_url: str | None
    walk_url: str | None = None


@dataclass(frozen=True)
class ValidationProblem:
    path: str
    message: str


def health_view(model_admin, request, comparison: Comparison) -> TemplateResponse:
    """The report for this comparison, or its validation problems when it does not validate.

    A fixed number of queries whatever the size of the content: the tree comes prefetched
    and every link is built from rows already in memory.
    """
    tree = load_tree(pk=comparison.pk)
    data, rows = comparison_data(tree)
    content, problems = validate(data)
    site = model_admin.admin_site
    context = {
        **site.each_context(request),
        "opts": model_admin.opts,
        "original": comparison,
        "title": f"Content health: {comparison}",
        "stale_after_days": STALE_AFTER_DAYS,
        "report": None,
        "problems": [
            Linked(ValidationProblem(path, message), admin_url(site, rows, path))
            for path, message in problems
        ],
    }
    if content is not None:
        report = health_report(content, today=today())
        wizard = reverse("decision:wizard", args=[comparison.slug])

        def linked(items):
            return [Linked(item, admin_url(site, rows, item.path)) for item in items]

        context |= {
            "report": report,
            "scenarios": [
                Linked(
                    check,
                    admin_url(site, rows, check.path),
                    f"{wizard}?{urlencode(check.answers)}",
                )
                # Failures first: with dozens of scenarios, one failing row must not hide.
                for check in sorted(report.scenarios, key=lambda check: check.passed)
            ],
            "unreachable_questions": linked(report.unreachable_questions),
            "inert_choices": linked(report.inert_choices),
            "insecure_sources": linked(report.insecure_sources),
            "stale_facts": linked(report.stale_facts),
            "unsourced_figures": linked(report.unsourced_figures),
        }
    return TemplateResponse(request, "admin/decision/comparison/health.html", context)


def admin_url(site: AdminSite, rows: dict[str, models.Model], path: str) -> str | None:
    """The change page of the row closest to `path` that admin edits, or None.

    `questions[1].choices[0].weights.x` falls back to the choice, whose weights and rule-outs
    are edited on its question's page; a caveat opens its answer's own page, where caveats
    are edited; a pro falls back to its option; `default_option` to the comparison itself.
    """
    for prefix in _prefixes(path):
        row = rows.get(prefix)
        if row is None:
            continue
        if isinstance(row, Caveat):
            return reverse("admin:decision_choice_change", args=[row.choice_id])
        if isinstance(row, Choice):
            return reverse("admin:decision_question_change", args=[row.question_id])
        if site.is_registered(type(row)):
            meta = row._meta
            return reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[row.pk])
    return None


def _prefixes(path: str) -> list[str]:
    """`a[1].b` -> ["a[1].b", "a[1]", "a", ""]: the path and each enclosing part, longest first."""
    cuts = [index for index, char in enumerate(path) if char in ".["]
    return [path, *(path[:index] for index in reversed(cuts)), ""]
