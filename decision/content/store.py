"""Moving validated content between fixture schemas and the database.

`save_comparisons` writes in one transaction and only touches rows whose values changed, so
loading the same file twice changes nothing; rows missing from the file are deleted.
`comparison_schema` reads a comparison back into the schema, for export.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal

from django.db import models, transaction

from decision.models import (
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

from .schema import TIE, ChoiceSchema, ComparisonSchema, PlanSchema, QuestionSchema, validate


def save_comparisons(comparisons: Iterable[ComparisonSchema]) -> list[Comparison]:
    """Create or update each comparison and everything in it, all or nothing."""
    with transaction.atomic():
        return [_save_comparison(comparison) for comparison in comparisons]


def comparison_schema(comparison: Comparison) -> ComparisonSchema:
    """Read one comparison (and everything in it) back into the fixture schema."""
    found = read_comparison(comparison.slug)
    assert found is not None
    return found


class InvalidContent(Exception):
    """The content stored for a comparison does not pass its schema (written around the gate)."""

    def __init__(self, slug: str, problems: list[tuple[str, str]]):
        self.slug = slug
        self.problems = problems
        super().__init__(f"{slug}: " + "; ".join(f"{p}: {m}" for p, m in problems))


def read_comparison(slug: str) -> ComparisonSchema | None:
    """The comparison with this slug as validated schema data, or None if there is none.

    Raises InvalidContent when the stored rows do not make a valid comparison.
    """
    comparison = load_tree(slug=slug)
    if comparison is None:
        return None
    data, _ = comparison_data(comparison)
    content, problems = validate(data)
    if content is None:
        raise InvalidContent(slug, problems)
    return content


def load_tree(**lookup) -> Comparison | None:
    """The comparison matching `lookup` with every part of it prefetched, or None.

    A fixed number of queries, whatever the size of the content.
    """
    return (
        Comparison.objects.with_page_content()
        .with_questions()
        .select_related("default_option")
        .prefetch_related("scenarios")
        .filter(**lookup)
        .first()
    )


def comparison_data(comparison: Comparison) -> tuple[dict, dict[str, models.Model]]:
    """A prefetched comparison as fixture data, and the row behind each path in it.

    The second value maps paths such as `faq[2]` or `options[0].pros[1]` to the database row
    they were read from, so a problem found in the data can be shown where it can be fixed.
    """
    rows: dict[str, models.Model] = {"": comparison}
    options = list(comparison.options.all())
    option_data = []
    for i, option in enumerate(options):
        rows[f"options[{i}]"] = option
        for kind in ("pros", "cons"):
            for j, point in enumerate(getattr(option, kind)):
                rows[f"options[{i}].{kind}[{j}]"] = point
        for j, criterion in enumerate(option.criteria.all()):
            rows[f"options[{i}].criteria[{j}]"] = criterion
        plans = [
            _plan_data(plan, f"options[{i}].plans[{j}]", rows)
            for j, plan in enumerate(option.plans.all())
        ]
        option_data.append(
            {
                "slug": option.slug,
                "name": option.name,
                "tagline": option.tagline,
                "typical_cost": option.typical_cost,
                "time_to_productive": option.time_to_productive,
                "pros": [point.text for point in option.pros],
                "cons": [point.text for point in option.cons],
                "criteria": [{"slug": c.slug, "text": c.text} for c in option.criteria.all()],
                "sources": split_lines(option.sources),
                "as_of": option.as_of or None,
                "plans": plans,
            }
        )
    dimension_data = []
    for i, dimension in enumerate(comparison.dimensions.all()):
        rows[f"dimensions[{i}]"] = dimension
        assessments = sorted(dimension.assessments.all(), key=lambda a: a.option.order)
        for assessment in assessments:
            rows[f"dimensions[{i}].assessments.{assessment.option.slug}"] = assessment
        dimension_data.append(
            {
                "slug": dimension.slug,
                "name": dimension.name,
                "why_it_matters": dimension.why_it_matters,
                "winner": dimension.winner.slug if dimension.winner else TIE,
                "about_cost": dimension.about_cost,
                "assessments": {a.option.slug: a.text for a in assessments},
                "sources": split_lines(dimension.sources),
                "as_of": dimension.as_of or None,
            }
        )
    faq_data = []
    for i, entry in enumerate(comparison.faq_entries.all()):
        rows[f"faq[{i}]"] = entry
        faq_data.append(
            {
                "question": entry.question,
                "answer": entry.answer,
                "sources": split_lines(entry.sources),
                "as_of": entry.as_of or None,
            }
        )
    questions = list(comparison.questions.all())
    question_data = []
    for i, question in enumerate(questions):
        rows[f"questions[{i}]"] = question
        question_data.append(_question_data(question, f"questions[{i}]", rows))
    scenario_data = []
    for i, scenario in enumerate(comparison.scenarios.all()):
        rows[f"scenarios[{i}]"] = scenario
        answers = scenario.answers
        scenario_data.append(
            {
                "slug": scenario.slug,
                "name": scenario.name,
                "source": scenario.source or None,
                "answers": _in_question_order(answers, questions)
                if isinstance(answers, dict)
                else answers,
                "outcome": scenario.outcome,
            }
        )
    data = {
        "slug": comparison.slug,
        "status": comparison.status,
        "title": comparison.title,
        "intro": comparison.intro,
        "default_advice": comparison.default_advice,
        "combined_advice": comparison.combined_advice,
        "integration_advice": comparison.integration_advice,
        "default_option": comparison.default_option.slug if comparison.default_option else None,
        "options": option_data,
        "dimensions": dimension_data,
        "faq": faq_data,
        "questions": question_data,
        "scenarios": scenario_data,
        "estimate_defaults": comparison.estimate_defaults,
        "call_offer": {"heading": comparison.call_heading, "text": comparison.call_text}
        if comparison.call_heading or comparison.call_text
        else None,
    }
    return data, rows


def _plan_data(plan: Plan, where: str, rows: dict) -> dict:
    rows[where] = plan
    rates: dict[str, dict] = {"prices": {}, "free": {}}
    for price in plan.prices.all():
        group = "free" if price.free else "prices"
        rows[f"{where}.{group}.{price.key}"] = price
        rates[group][price.key] = {
            "amount": _plain_number(price.amount),
            "unit": price.unit,
            "source": price.source,
            "checked": price.checked,
        }
    nodes = []
    for k, node in enumerate(plan.nodes.all()):
        rows[f"{where}.nodes[{k}]"] = node
        nodes.append(
            {
                "slug": node.slug,
                "name": node.name,
                "vcpu": _plain_number(node.vcpu),
                "memory_gib": _plain_number(node.memory_gib),
                "price": {
                    "amount": _plain_number(node.price),
                    "unit": node.unit,
                    "source": node.source,
                    "checked": node.checked,
                },
            }
        )
    return {
        "slug": plan.slug,
        "name": plan.name,
        "kind": plan.kind,
        "region": plan.region,
        "granularity_ms": plan.granularity_ms,
        **rates,
        "nodes": nodes,
    }


def _plain_number(value: Decimal | None) -> float | int | None:
    """A stored decimal as the fixture writes it: 2 rather than 2.00, 0.2 rather than 0.2000."""
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def _question_data(question: Question, where: str, rows: dict) -> dict:
    show_if = question.show_if
    choices = []
    for j, choice in enumerate(question.choices.all()):
        at = f"{where}.choices[{j}]"
        rows[at] = choice
        weights = sorted(choice.weights.all(), key=lambda w: w.option.order)
        for weight in weights:
            rows[f"{at}.weights.{weight.option.slug}"] = weight
        rule_outs = sorted(choice.rule_outs.all(), key=lambda r: r.option.order)
        for k, rule in enumerate(rule_outs):
            rows[f"{at}.rules_out[{k}]"] = rule
        caveats = list(choice.caveats.all())
        for k, caveat in enumerate(caveats):
            rows[f"{at}.caveats[{k}]"] = caveat
        choices.append(
            {
                "slug": choice.slug,
                "label": choice.label,
                "why": choice.why,
                "weights": {w.option.slug: w.weight for w in weights},
                "rules_out": [{"option": r.option.slug, "reason": r.reason} for r in rule_outs],
                "dimensions": [d.slug for d in sorted(choice.dimensions.all(), key=_by_order)],
                "criteria": [
                    c.slug
                    for c in sorted(choice.criteria.all(), key=lambda c: (c.option.order, c.order))
                ],
                "caveats": [
                    {
                        "option": c.option.slug,
                        "form": c.form,
                        "text": c.text,
                        "sources": split_lines(c.sources),
                        "as_of": c.as_of or None,
                    }
                    for c in caveats
                ],
                "sources": split_lines(choice.sources),
                "as_of": choice.as_of or None,
                "estimate": choice.estimate,
            }
        )
    return {
        "slug": question.slug,
        "prompt": question.prompt,
        "help": question.help,
        "show_if": {"question": show_if.question.slug, "choice": show_if.slug} if show_if else None,
        "multiple": question.multiple,
        "parts": question.parts,
        "choices": choices,
        "sources": split_lines(question.sources),
        "as_of": question.as_of or None,
    }


def _in_question_order(answers: dict, questions) -> dict:
    """Answers keyed in the order questions are asked, whatever order the database kept."""
    order = {question.slug: index for index, question in enumerate(questions)}
    return dict(sorted(answers.items(), key=lambda item: (order.get(item[0], len(order)), item[0])))


def _by_order(row) -> tuple[int, int]:
    return (row.order, row.pk)


def _save_comparison(data: ComparisonSchema) -> Comparison:
    comparison = _upsert(
        Comparison,
        {"slug": data.slug},
        status=data.status,
        title=data.title,
        intro=data.intro,
        default_advice=data.default_advice,
        combined_advice=data.combined_advice,
        integration_advice=data.integration_advice,
        estimate_defaults=dict(data.estimate_defaults),
        call_heading=data.call_offer.heading if data.call_offer else "",
        call_text=data.call_offer.text if data.call_offer else "",
    )
    options = {}
    for order, item in enumerate(data.options):
        option = _upsert(
            Option,
            {"comparison": comparison, "slug": item.slug},
            order=order,
            name=item.name,
            tagline=item.tagline,
            typical_cost=item.typical_cost,
            time_to_productive=item.time_to_productive,
            sources=_join(item.sources),
            as_of=item.as_of or "",
        )
        options[item.slug] = option
        _sync_points(option, OptionPoint.Kind.PRO, item.pros)
        _sync_points(option, OptionPoint.Kind.CON, item.cons)
        for position, criterion in enumerate(item.criteria):
            _upsert(
                Criterion,
                {"option": option, "slug": criterion.slug},
                order=position,
                text=criterion.text,
            )
        option.criteria.exclude(slug__in=[c.slug for c in item.criteria]).delete()
        for position, plan in enumerate(item.plans):
            _save_plan(option, position, plan)
        option.plans.exclude(slug__in=[plan.slug for plan in item.plans]).delete()

    kept = []
    for order, item in enumerate(data.dimensions):
        dimension = _upsert(
            Dimension,
            {"comparison": comparison, "slug": item.slug},
            order=order,
            name=item.name,
            why_it_matters=item.why_it_matters,
            winner=options.get(item.winner),
            about_cost=item.about_cost,
            sources=_join(item.sources),
            as_of=item.as_of or "",
        )
        kept.append(item.slug)
        for slug, text in item.assessments.items():
            _upsert(Assessment, {"dimension": dimension, "option": options[slug]}, text=text)
    comparison.dimensions.exclude(slug__in=kept).delete()

    _update(comparison, default_option=options.get(data.default_option))
    _save_questions(comparison, data.questions, options)
    kept = []
    for order, item in enumerate(data.scenarios):
        _upsert(
            Scenario,
            {"comparison": comparison, "slug": item.slug},
            order=order,
            name=item.name,
            source=item.source or "",
            answers=dict(item.answers),
            outcome=item.outcome,
        )
        kept.append(item.slug)
    comparison.scenarios.exclude(slug__in=kept).delete()
    # Last: nothing may still refer to an option that leaves (references are restricted).
    comparison.options.exclude(slug__in=options).delete()

    _sync_positional(
        comparison.faq_entries.all(),
        [
            {
                "question": e.question,
                "answer": e.answer,
                "sources": _join(e.sources),
                "as_of": e.as_of or "",
            }
            for e in data.faq
        ],
        create=lambda order, values: FaqEntry.objects.create(
            comparison=comparison, order=order, **values
        ),
    )
    return comparison


def _save_questions(comparison, questions: Sequence[QuestionSchema], options: dict) -> None:
    dimensions = {d.slug: d for d in comparison.dimensions.all()}
    criteria = {c.slug: c for c in Criterion.objects.filter(option__comparison=comparison)}
    choices: dict[tuple[str, str], Choice] = {}
    kept = []
    stale = []
    for order, item in enumerate(questions):
        show_if = choices[(item.show_if.question, item.show_if.choice)] if item.show_if else None
        question = _upsert(
            Question,
            {"comparison": comparison, "slug": item.slug},
            order=order,
            prompt=item.prompt,
            help=item.help,
            show_if=show_if,
            multiple=item.multiple,
            parts=list(item.parts),
            sources=_join(item.sources),
            as_of=item.as_of or "",
        )
        kept.append(item.slug)
        for position, entry in enumerate(item.choices):
            choice = _upsert(
                Choice,
                {"question": question, "slug": entry.slug},
                order=position,
                label=entry.label,
                why=entry.why,
                sources=_join(entry.sources),
                as_of=entry.as_of or "",
                estimate=dict(entry.estimate),
            )
            choices[(item.slug, entry.slug)] = choice
            _save_choice_links(choice, entry, options, dimensions, criteria)
        stale.append(question.choices.exclude(slug__in=[c.slug for c in item.choices]))
    # Only now: a later question may still have pointed its show_if at a leaving answer.
    for leaving in stale:
        leaving.delete()
    comparison.questions.exclude(slug__in=kept).delete()


def _save_plan(option: Option, order: int, item: PlanSchema) -> None:
    plan = _upsert(
        Plan,
        {"option": option, "slug": item.slug},
        order=order,
        name=item.name,
        kind=item.kind,
        region=item.region,
        granularity_ms=item.granularity_ms,
    )
    kept = []
    for free, rates in ((False, item.prices), (True, item.free)):
        for key, rate in rates.items():
            price = _upsert(
                Price,
                {"plan": plan, "key": key, "free": free},
                amount=_decimal(rate.amount),
                unit=rate.unit,
                source=rate.source,
                checked=rate.checked,
            )
            kept.append(price.pk)
    plan.prices.exclude(pk__in=kept).delete()
    for position, node in enumerate(item.nodes):
        _upsert(
            Node,
            {"plan": plan, "slug": node.slug},
            order=position,
            name=node.name,
            vcpu=_decimal(node.vcpu),
            memory_gib=_decimal(node.memory_gib),
            price=_decimal(node.price.amount),
            unit=node.price.unit,
            source=node.price.source,
            checked=node.price.checked,
        )
    plan.nodes.exclude(slug__in=[node.slug for node in item.nodes]).delete()


def _decimal(value: float) -> Decimal:
    return Decimal(repr(value))


def _save_choice_links(choice, entry: ChoiceSchema, options, dimensions, criteria) -> None:
    for slug, weight in entry.weights.items():
        _upsert(ChoiceWeight, {"choice": choice, "option": options[slug]}, weight=weight)
    choice.weights.exclude(option__slug__in=list(entry.weights)).delete()
    for rule in entry.rules_out:
        _upsert(RuleOut, {"choice": choice, "option": options[rule.option]}, reason=rule.reason)
    choice.rule_outs.exclude(option__slug__in=[r.option for r in entry.rules_out]).delete()
    _sync_positional(
        choice.caveats.all(),
        [
            {
                "option": options[c.option],
                "form": c.form,
                "text": c.text,
                "sources": _join(c.sources),
                "as_of": c.as_of or "",
            }
            for c in entry.caveats
        ],
        create=lambda order, values: Caveat.objects.create(choice=choice, order=order, **values),
    )
    _set_if_changed(choice.dimensions, [dimensions[slug] for slug in entry.dimensions])
    _set_if_changed(choice.criteria, [criteria[slug] for slug in entry.criteria])


def _set_if_changed(manager, wanted: list) -> None:
    if {row.pk for row in manager.all()} != {row.pk for row in wanted}:
        manager.set(wanted)


def _sync_points(option: Option, kind: str, texts: Sequence[str]) -> None:
    _sync_positional(
        option.points.filter(kind=kind),
        [{"text": text} for text in texts],
        create=lambda order, values: OptionPoint.objects.create(
            option=option, kind=kind, order=order, **values
        ),
    )


def _sync_positional(existing: models.QuerySet, wanted: list[dict], *, create) -> None:
    """Match rows without a natural key by position: update, create the extra, delete the rest."""
    rows = list(existing.order_by("order", "pk"))
    for order, values in enumerate(wanted):
        if order < len(rows):
            _update(rows[order], order=order, **values)
        else:
            create(order, values)
    for row in rows[len(wanted) :]:
        row.delete()


def _upsert(model: type[models.Model], lookup: dict, **values) -> models.Model:
    instance = model.objects.filter(**lookup).first()
    if instance is None:
        return model.objects.create(**lookup, **values)
    _update(instance, **values)
    return instance


def _update(instance: models.Model, **values) -> None:
    """Save only the fields that differ, so an unchanged load writes nothing."""
    changed = [name for name, value in values.items() if getattr(instance, name) != value]
    for name in changed:
        setattr(instance, name, values[name])
    if changed:
        instance.save(update_fields=changed)


def _join(urls: Sequence[str]) -> str:
    return "\n".join(urls)


def split_lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]
