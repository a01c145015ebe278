"""Revisions of content (django-reversion): what is recorded, and diffs against today.

Every write records the whole comparison it touched (its options, dimensions, questions and
everything under them), so one revision restores a whole comparison, child rows included.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

import reversion
import yaml
from django.db import transaction
from reversion.models import Version

from .content.files import dump_text
from .content.schema import ComparisonSchema
from .content.store import comparison_data, load_tree
from .models import (
    Assessment,
    Choice,
    ChoiceWeight,
    Comparison,
    Criterion,
    Dimension,
    FaqEntry,
    Option,
    OptionPoint,
    Question,
    RuleOut,
    Scenario,
)

# Parent -> the relations a revision follows from it.
_FOLLOW = {
    Comparison: ("options", "dimensions", "faq_entries", "questions", "scenarios"),
    Option: ("points", "criteria"),
    Dimension: ("assessments",),
    Question: ("choices",),
    Choice: ("weights", "rule_outs"),
}
_LEAVES = (OptionPoint, Criterion, Assessment, FaqEntry, Scenario, ChoiceWeight, RuleOut)


def register() -> None:
    for model, follow in _FOLLOW.items():
        if not reversion.is_registered(model):
            reversion.register(model, follow=follow, ignore_duplicates=True)
    for model in _LEAVES:
        if not reversion.is_registered(model):
            reversion.register(model, ignore_duplicates=True)


def versions_of(comparison: Comparison):
    """The comparison's recorded versions, newest first."""
    return (
        Version.objects.get_for_object(comparison)
        .select_related("revision__user")
        .order_by("-revision__date_created")
    )


@dataclass(frozen=True)
class Line:
    kind: str  # "add", "remove", "context" or "hunk"
    text: str


def diff_lines(comparison: Comparison, version: Version) -> list[Line]:
    """The comparison's fixture text at `version` against today's, as a unified diff."""
    current = _fixture_text(comparison.pk)
    with transaction.atomic():
        version.revision.revert(delete=True)
        then = _fixture_text(comparison.pk)
        transaction.set_rollback(True)
    lines = []
    for line in difflib.unified_diff(
        then.splitlines(), current.splitlines(), "revision", "today", lineterm="", n=2
    ):
        if line.startswith(("---", "+++")):
            continue
        kind = {"+": "add", "-": "remove", "@": "hunk"}.get(line[:1], "context")
        lines.append(Line(kind, line))
    return lines


def _fixture_text(pk: int) -> str:
    tree = load_tree(pk=pk)
    if tree is None:
        return ""
    data, _ = comparison_data(tree)
    try:
        return dump_text(ComparisonSchema.model_validate(data))
    except ValueError:  # an invalid state can still be shown as it is
        return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
