"""Revisions of content (django-reversion): what is recorded, and diffs against today.

Every write records the whole comparison it touched (its options, dimensions, questions and
everything under them), so one revision restores a whole comparison, child rows included.
"""

from __future__ import annotations

import difflib
from collections import defaultdict
from dataclasses import dataclass
from itertools import chain

import reversion
import yaml
from django.db import router, transaction
from django.db.models.deletion import Collector
from reversion.models import Revision, Version, _safe_revert
from reversion.revisions import _follow_relations_recursive

from .content.files import dump_text
from .content.schema import ComparisonSchema
from .content.store import comparison_data, load_tree
from .models import (
    Assessment,
    Caveat,
    Choice,
    ChoiceWeight,
    Comparison,
    Criterion,
    Dimension,
    FaqEntry,
    Node,
    Option,
    OptionPoint,
    Plan,
    Price,
    Question,
    RuleOut,
    Scenario,
)

# Parent -> the relations a revision follows from it.
_FOLLOW = {
    Comparison: ("options", "dimensions", "faq_entries", "questions", "scenarios"),
    Option: ("points", "criteria", "plans"),
    Plan: ("prices", "nodes"),
    Dimension: ("assessments",),
    Question: ("choices",),
    Choice: ("weights", "rule_outs", "caveats"),
}
_LEAVES = (
    OptionPoint,
    Criterion,
    Assessment,
    FaqEntry,
    Scenario,
    ChoiceWeight,
    RuleOut,
    Caveat,
    Price,
    Node,
)


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


def revert(revision: Revision) -> None:
    """Put every row of the revision back, and delete the rows added since, in one transaction.

    reversion's own revert deletes the added rows first, one model at a time, while rows that
    are about to be restored still point at them: content references are RESTRICT, so that
    fails. Here the added rows go in one deletion that leaves those references dangling for a
    moment, then the restore points them back where they were (foreign keys are checked at
    commit). The caller runs the gate afterwards, as for any other write.
    """
    versions = list(revision.version_set.all())
    with transaction.atomic():
        kept = set()
        for version in versions:
            row = version._model._default_manager.filter(pk=version.object_id).first()
            if row is not None:
                kept.add(row)
        now = chain.from_iterable(_follow_relations_recursive(row) for row in kept)
        added = [row for row in now if row not in kept]
        collector = Collector(using=router.db_for_write(Comparison))
        by_model = defaultdict(list)
        for row in added:
            by_model[type(row)].append(row)
        for rows in by_model.values():
            collector.collect(rows, fail_on_restricted=False)
        collector.delete()
        _safe_revert(versions)


@dataclass(frozen=True)
class Line:
    kind: str  # "add", "remove", "context" or "hunk"
    text: str


def diff_lines(comparison: Comparison, version: Version) -> list[Line]:
    """The comparison's fixture text at `version` against today's, as a unified diff."""
    current = _fixture_text(comparison.pk)
    with transaction.atomic():
        revert(version.revision)
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
