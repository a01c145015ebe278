"""The fixture format: strict pydantic schemas for a comparison and everything in it.

Structure and types are checked by pydantic (`extra="forbid"`, no empty required text);
references between parts of the file (a winner naming an option, one assessment per option,
unique slugs) are checked by `reference_problems`, which reports each problem with its path.
Nothing here imports Django.
"""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

TIE = "tie"

Slug = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=80),
    AfterValidator(lambda value: _check_slug(value)),
]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
ShortText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Url = Annotated[str, AfterValidator(lambda value: _check_url(value))]

_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_URL = re.compile(r"^https?://[^\s/$.?#][^\s]*$")


def _check_slug(value: str) -> str:
    if not _SLUG.match(value):
        raise ValueError(
            "must be lower-case letters, digits and single hyphens, like 'cold-starts'"
        )
    return value


def _check_url(value: str) -> str:
    if not _URL.match(value):
        raise ValueError("must be an http(s) URL")
    return value


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class CriterionSchema(_Strict):
    """One "choose this option when…" bullet."""

    slug: Slug
    text: Text


class OptionSchema(_Strict):
    slug: Slug
    name: ShortText
    tagline: Text
    typical_cost: Text
    time_to_productive: Text
    pros: list[Text] = Field(default_factory=list)
    cons: list[Text] = Field(default_factory=list)
    criteria: list[CriterionSchema] = Field(default_factory=list)
    sources: list[Url] = Field(default_factory=list)


class DimensionSchema(_Strict):
    slug: Slug
    name: ShortText
    why_it_matters: Text
    winner: Slug
    assessments: dict[Slug, Text]
    sources: list[Url] = Field(default_factory=list)


class FaqSchema(_Strict):
    question: Text
    answer: Text
    sources: list[Url] = Field(default_factory=list)


class ComparisonSchema(_Strict):
    slug: Slug
    title: ShortText
    intro: Text
    default_advice: Text
    combined_advice: Text
    options: list[OptionSchema]
    dimensions: list[DimensionSchema] = Field(default_factory=list)
    faq: list[FaqSchema] = Field(default_factory=list)


def reference_problems(comparison: ComparisonSchema) -> list[tuple[str, str]]:
    """Return (path, message) for every broken reference or duplicate in a parsed comparison."""
    problems: list[tuple[str, str]] = []
    options = [option.slug for option in comparison.options]
    known = set(options)
    listing = ", ".join(options)

    if len(comparison.options) < 2:
        problems.append(
            ("options", f"a comparison needs at least two options, found {len(options)}")
        )
    if TIE in known:
        problems.append(("options", f"'{TIE}' is reserved for a tied dimension: rename the option"))

    problems += _duplicates("options", options, "option slug")
    problems += _duplicates("dimensions", [d.slug for d in comparison.dimensions], "dimension slug")
    criteria = [
        (f"options[{i}].criteria[{j}].slug", criterion.slug)
        for i, option in enumerate(comparison.options)
        for j, criterion in enumerate(option.criteria)
    ]
    seen: set[str] = set()
    for path, slug in criteria:
        if slug in seen:
            problems.append((path, f"duplicate criterion slug '{slug}'"))
        seen.add(slug)
    problems += _duplicates("faq", [entry.question for entry in comparison.faq], "FAQ question")

    for i, dimension in enumerate(comparison.dimensions):
        where = f"dimensions[{i}]"
        if dimension.winner != TIE and dimension.winner not in known:
            problems.append(
                (
                    f"{where}.winner",
                    f"'{dimension.winner}' is not an option of this comparison "
                    f"(options: {listing}; or '{TIE}')",
                )
            )
        for slug in dimension.assessments:
            if slug not in known:
                problems.append(
                    (
                        f"{where}.assessments.{slug}",
                        f"'{slug}' is not an option of this comparison (options: {listing})",
                    )
                )
        for slug in options:
            if slug not in dimension.assessments:
                problems.append((f"{where}.assessments", f"missing the assessment for '{slug}'"))
    return problems


def _duplicates(where: str, values: list[str], what: str) -> list[tuple[str, str]]:
    seen: set[str] = set()
    problems = []
    for index, value in enumerate(values):
        if value in seen:
            field = "slug" if what.endswith("slug") else "question"
            problems.append((f"{where}[{index}].{field}", f"duplicate {what} '{value}'"))
        seen.add(value)
    return problems
