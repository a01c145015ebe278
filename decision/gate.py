"""The one check every content write ends in, inside the writing transaction.

Admin forms, inlines, deletes, reverts and `load_content` all call `enforce` after writing and
before committing: the whole comparison is read back from the database, validated by the
content schema and its reference rules, and its scenarios are run. A problem raises
`ContentRefused`, the transaction rolls back, and nothing is written. Each problem keeps the
database row (and field) it was found in, so the editor sees it where it can be fixed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

import reversion
from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db import IntegrityError, connections, models, router, transaction

from .content.engine_data import engine_model, engine_scenarios
from .content.schema import ComparisonSchema, validate
from .content.store import comparison_data, load_tree, save_comparisons
from .models import Assessment, ChoiceWeight, Comparison, OptionPoint, Scenario
from .presenters import outcome_name
from .scenarios import scenario_failures

# The field that holds a row's one value, when a problem points at the row as a whole.
_VALUE_FIELD = {OptionPoint: "text", Assessment: "text", ChoiceWeight: "weight"}
_NAME = re.compile(r"[a-z_]+")


@dataclass(frozen=True)
class GateProblem:
    path: str  # inside the fixture format, e.g. "faq[2].sources[0]"
    message: str
    row: models.Model | None = None  # the database row it was found in
    field: str | None = None  # the row's field at fault, when one is
    flipped: str | None = None  # a scenario whose outcome would change: its slug

    def __str__(self) -> str:
        return f"{where(self.row, self.field)}: {self.message}"


class ContentRefused(Exception):
    """A write would leave the comparison invalid; the transaction must roll back."""

    def __init__(self, problems: list[GateProblem]):
        self.problems = problems
        super().__init__("\n".join(str(problem) for problem in problems))

    @property
    def flips(self) -> list[GateProblem]:
        return [problem for problem in self.problems if problem.flipped]


def enforce(comparison: Comparison, *, update_scenarios: bool = False) -> None:
    """Raise ContentRefused unless the comparison, as now stored, is whole and valid.

    With `update_scenarios`, scenarios whose outcome the write changed are given their new
    outcome (in the same transaction) instead of refusing the write.
    """
    problems = check(comparison, update_scenarios=update_scenarios)
    if problems:
        raise ContentRefused(problems)


def load_comparisons(
    comparisons: list[ComparisonSchema], *, sources: dict[str, str]
) -> list[Comparison]:
    """Save fixture content through the gate, recorded as one revision per load.

    `sources` maps each comparison's slug to the file it came from, for the history.
    """
    with transaction.atomic(), reversion.create_revision():
        saved = save_comparisons(comparisons)
        for comparison in saved:
            source = sources.get(comparison.slug, comparison.slug)
            try:
                enforce(comparison)
            except ContentRefused as error:
                raise ContentRefused(
                    [replace(p, path=f"{source}: {p.path}") for p in error.problems]
                ) from None
            reversion.add_to_revision(Comparison.objects.get(pk=comparison.pk))
        reversion.set_comment(
            "Loaded from " + ", ".join(sources.get(c.slug, c.slug) for c in saved)
        )
    return saved


def check(comparison: Comparison, *, update_scenarios: bool = False) -> list[GateProblem]:
    """Every problem of the stored comparison, each placed on its row; [] when it is valid."""
    dangling = _dangling_references()
    if dangling:
        return dangling
    tree = load_tree(pk=comparison.pk)
    if tree is None:  # deleted: nothing left that could be invalid
        return []
    foreign = _foreign_references(tree)
    if foreign:
        return foreign
    data, rows = comparison_data(tree)
    content, problems = validate(data)
    if content is None:
        return [_placed(path, message, rows) for path, message in problems]
    failures = scenario_failures(engine_model(content), engine_scenarios(content))
    scenarios = {row.slug: (path, row) for path, row in rows.items() if isinstance(row, Scenario)}
    found = []
    for failure in failures:
        path, row = scenarios[failure.scenario.slug]
        if update_scenarios:
            row.outcome = failure.got
            row.save(update_fields=["outcome"])
            continue
        found.append(
            GateProblem(
                path=f"{path}.outcome",
                message=f"expected {outcome_name(content, failure.scenario.outcome)}, "
                f"now gives {outcome_name(content, failure.got)}",
                row=row,
                field="outcome",
                flipped=failure.scenario.slug,
            )
        )
    return found


def _foreign_references(tree: Comparison) -> list[GateProblem]:
    """References to another comparison's rows (slugs alone would not tell them apart)."""
    options = {option.pk for option in tree.options.all()}
    dimensions = {dimension.pk for dimension in tree.dimensions.all()}
    criteria = {c.pk for option in tree.options.all() for c in option.criteria.all()}
    choices = {c.pk for q in tree.questions.all() for c in q.choices.all()}
    found = []

    def refuse(row, field, ok):
        if not ok:
            message = "names content of another comparison: pick one of this comparison's"
            found.append(GateProblem(path="", message=message, row=row, field=field))

    refuse(tree, "default_option", tree.default_option_id in options | {None})
    for dimension in tree.dimensions.all():
        refuse(dimension, "winner", dimension.winner_id in options | {None})
    for question in tree.questions.all():
        refuse(question, "show_if", question.show_if_id in choices | {None})
        for choice in question.choices.all():
            for row in [*choice.weights.all(), *choice.rule_outs.all(), *choice.caveats.all()]:
                refuse(row, "option", row.option_id in options)
            refuse(choice, "dimensions", {d.pk for d in choice.dimensions.all()} <= dimensions)
            refuse(choice, "criteria", {c.pk for c in choice.criteria.all()} <= criteria)
    return found


def _dangling_references() -> list[GateProblem]:
    """A reference left pointing at a row this transaction deleted (checked now, not at commit).

    The rest of the check reads through outer joins, which would take such a reference for
    an empty one.
    """
    connection = connections[router.db_for_write(Comparison)]
    tables = [model._meta.db_table for model in apps.get_app_config("decision").get_models()]
    try:
        with transaction.atomic(using=connection.alias):
            connection.check_constraints(table_names=tables)
    except IntegrityError:
        return [
            GateProblem(
                path="",
                message="this save deletes something that another change in the same save "
                "still refers to. Save the other change first, then delete.",
            )
        ]
    return []


def where(row: models.Model | None, field: str | None = None) -> str:
    """A row (and field) in plain words: 'FAQ entry “Is it cheaper?”, sources'."""
    if row is None:
        return "The comparison"
    text = f"{row._meta.verbose_name.capitalize()} “{_short(str(row))}”"
    if field:
        text += f", {row._meta.get_field(field).verbose_name}"
    return text


def _placed(path: str, message: str, rows: dict[str, models.Model]) -> GateProblem:
    """The problem at `path`, on the deepest row that path runs through."""
    through = [p for p in rows if p and (p == path or path.startswith((p + ".", p + "[")))]
    prefix = max(through, key=len, default="")
    row = rows[prefix]
    rest = path[len(prefix) :].lstrip(".")
    name = _NAME.match(rest)
    field = name.group() if name else _VALUE_FIELD.get(type(row))
    if field and not _has_field(row, field):
        field = None
    return GateProblem(path=path, message=message, row=row, field=field)


def _has_field(row: models.Model, name: str) -> bool:
    """Whether `name` is a column of the row (a relation's other side is not a field to fix)."""
    try:
        found = row._meta.get_field(name)
    except FieldDoesNotExist:
        return False
    return isinstance(found, models.Field) and found.concrete


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
