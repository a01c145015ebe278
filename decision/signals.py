"""Keep Comparison.updated_at current whenever any part of its content changes.

Cached content is keyed by that timestamp (see services.comparison_content), so every process
sees an edit on its next request, whatever cache backend it uses. Bulk `QuerySet.update()`
sends no signals; code that uses it on content must call `touch` itself.
"""

from django.db.models import Q
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils import timezone

from .models import (
    Assessment,
    Caveat,
    Choice,
    ChoiceWeight,
    Comparison,
    Con,
    Criterion,
    Dimension,
    FaqEntry,
    Node,
    Option,
    OptionPoint,
    Plan,
    Price,
    Pro,
    Question,
    RuleOut,
    Scenario,
)
from .services import forget_versions

_WHERE = {
    Comparison: lambda row: Q(pk=row.pk),
    Option: lambda row: Q(pk=row.comparison_id),
    Dimension: lambda row: Q(pk=row.comparison_id),
    FaqEntry: lambda row: Q(pk=row.comparison_id),
    Question: lambda row: Q(pk=row.comparison_id),
    Scenario: lambda row: Q(pk=row.comparison_id),
    OptionPoint: lambda row: Q(options=row.option_id),
    Pro: lambda row: Q(options=row.option_id),
    Con: lambda row: Q(options=row.option_id),
    Criterion: lambda row: Q(options=row.option_id),
    Assessment: lambda row: Q(dimensions=row.dimension_id),
    Choice: lambda row: Q(questions=row.question_id),
    ChoiceWeight: lambda row: Q(questions__choices=row.choice_id),
    RuleOut: lambda row: Q(questions__choices=row.choice_id),
    Caveat: lambda row: Q(questions__choices=row.choice_id),
    Plan: lambda row: Q(options=row.option_id),
    Price: lambda row: Q(options__plans=row.plan_id),
    Node: lambda row: Q(options__plans=row.plan_id),
}


def touch(where: Q) -> None:
    """Mark the matching comparisons as changed now."""
    pks = list(Comparison.objects.filter(where).values_list("pk", flat=True).distinct())
    if pks:
        Comparison.objects.filter(pk__in=pks).update(updated_at=timezone.now())
        forget_versions()  # this process shows the edit at once; others within a second


def _content_changed(sender, instance, **kwargs):
    touch(_WHERE[sender](instance))


def _links_changed(sender, instance, action, **kwargs):
    if action.startswith("post_"):
        if isinstance(instance, Choice):
            touch(Q(questions=instance.question_id))
        else:  # the reverse side: a Dimension or Criterion's choices changed
            touch(_WHERE[type(instance)](instance))


def connect() -> None:
    for model in _WHERE:
        post_save.connect(_content_changed, sender=model, dispatch_uid=f"touch-save-{model}")
        post_delete.connect(_content_changed, sender=model, dispatch_uid=f"touch-del-{model}")
    for through in (Choice.dimensions.through, Choice.criteria.through):
        m2m_changed.connect(_links_changed, sender=through, dispatch_uid=f"touch-m2m-{through}")
