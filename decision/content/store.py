"""Moving validated content between fixture schemas and the database.

`save_comparisons` writes in one transaction and only touches rows whose values changed, so
loading the same file twice changes nothing; rows missing from the file are deleted.
`comparison_schema` reads a comparison back into the schema, for export.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.db import models, transaction

from decision.models import (
    Assessment,
    Comparison,
    Criterion,
    Dimension,
    FaqEntry,
    Option,
    OptionPoint,
)

from .schema import (
    TIE,
    ComparisonSchema,
    CriterionSchema,
    DimensionSchema,
    FaqSchema,
    OptionSchema,
)


def save_comparisons(comparisons: Iterable[ComparisonSchema]) -> list[Comparison]:
    """Create or update each comparison and everything in it, all or nothing."""
    with transaction.atomic():
        return [_save_comparison(comparison) for comparison in comparisons]


def comparison_schema(comparison: Comparison) -> ComparisonSchema:
    """Read one comparison (and everything in it) back into the fixture schema."""
    comparison = Comparison.objects.with_page_content().get(pk=comparison.pk)
    options = list(comparison.options.all())
    return ComparisonSchema(
        slug=comparison.slug,
        title=comparison.title,
        intro=comparison.intro,
        default_advice=comparison.default_advice,
        combined_advice=comparison.combined_advice,
        options=[
            OptionSchema(
                slug=option.slug,
                name=option.name,
                tagline=option.tagline,
                typical_cost=option.typical_cost,
                time_to_productive=option.time_to_productive,
                pros=[point.text for point in option.pros],
                cons=[point.text for point in option.cons],
                criteria=[
                    CriterionSchema(slug=criterion.slug, text=criterion.text)
                    for criterion in option.criteria.all()
                ],
                sources=_split(option.sources),
            )
            for option in options
        ],
        dimensions=[
            DimensionSchema(
                slug=dimension.slug,
                name=dimension.name,
                why_it_matters=dimension.why_it_matters,
                winner=dimension.winner.slug if dimension.winner else TIE,
                assessments={
                    a.option.slug: a.text
                    for a in sorted(dimension.assessments.all(), key=lambda a: a.option.order)
                },
                sources=_split(dimension.sources),
            )
            for dimension in comparison.dimensions.all()
        ],
        faq=[
            FaqSchema(question=entry.question, answer=entry.answer, sources=_split(entry.sources))
            for entry in comparison.faq_entries.all()
        ],
    )


def _save_comparison(data: ComparisonSchema) -> Comparison:
    comparison = _upsert(
        Comparison,
        {"slug": data.slug},
        title=data.title,
        intro=data.intro,
        default_advice=data.default_advice,
        combined_advice=data.combined_advice,
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
    comparison.options.exclude(slug__in=options).delete()

    kept = []
    for order, item in enumerate(data.dimensions):
        dimension = _upsert(
            Dimension,
            {"comparison": comparison, "slug": item.slug},
            order=order,
            name=item.name,
            why_it_matters=item.why_it_matters,
            winner=options.get(item.winner),
            sources=_join(item.sources),
        )
        kept.append(item.slug)
        for slug, text in item.assessments.items():
            _upsert(Assessment, {"dimension": dimension, "option": options[slug]}, text=text)
    comparison.dimensions.exclude(slug__in=kept).delete()

    _sync_positional(
        comparison.faq_entries.all(),
        [
            {"question": e.question, "answer": e.answer, "sources": _join(e.sources)}
            for e in data.faq
        ],
        create=lambda order, values: FaqEntry.objects.create(
            comparison=comparison, order=order, **values
        ),
    )
    return comparison


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


def _split(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]
