"""The fixture format: strict pydantic schemas for a comparison and everything in it.

Structure and types are checked by pydantic (`extra="forbid"`, no empty required text);
references between parts of the file (a winner naming an option, one assessment per option,
unique slugs) are checked by `reference_problems`, which reports each problem with its path.
Nothing here imports Django.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    ValidationInfo,
)
from pydantic_core import PydanticCustomError

from decision.costs import (
    FREE_UNITS,
    HOURS_PREFIX,
    INPUT_NAMES,
    KINDS,
    NODE_TYPE,
    NODE_UNIT,
    PRICE_UNITS,
    REQUIRED_PRICES,
    input_for,
)
from decision.vocabulary import (
    AS_OF_PATTERN,
    COMBINE,
    NO_FIT,
    NOT_ENOUGH,
    NOT_SURE,
    PART_SEPARATOR,
    RESERVED_QUESTION_SLUGS,
    SLUG_PATTERN,
    TIE,
    URL_PATTERN,
    WEIGHT_LIMIT,
)

Slug = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=80),
    AfterValidator(lambda value, info: _check_slug(value, info)),
]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
ShortText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


def _at_most(limit: int) -> AfterValidator:
    """At most `limit` characters, except when reading what older rules let through."""

    def check(value: str, info: ValidationInfo) -> str:
        if len(value) > limit and not _lenient(info):
            raise PydanticCustomError(
                "string_too_long",
                "String should have at most {max_length} characters",
                {"max_length": limit},
            )
        return value

    return AfterValidator(check)


# One line a visitor reads (a prompt, an answer, its why): as long as the database column.
Line = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1), _at_most(300)]
Url = Annotated[str, AfterValidator(lambda value, info: _check_url(value, info))]
# A scenario's write-up: a URL that fits its database column.
ScenarioUrl = Annotated[
    str, _at_most(500), AfterValidator(lambda value, info: _check_url(value, info))
]
# The month a fact was last checked against its source, like "2026-11".
AsOf = Annotated[str, AfterValidator(lambda value, info: _check_as_of(value, info))]

_SLUG = re.compile(SLUG_PATTERN)


def _lenient(info: ValidationInfo) -> bool:
    """Reading stored data (a result's snapshot) accepts what older rules let through."""
    return bool(info.context and info.context.get("lenient"))


def _check_slug(value: str, info: ValidationInfo) -> str:
    if not _SLUG.match(value) and not _lenient(info):
        raise ValueError(
            "must be lower-case letters, digits and single hyphens, like 'cold-starts'"
        )
    return value


def _check_url(value: str, info: ValidationInfo) -> str:
    if not URL_PATTERN.match(value) and not _lenient(info):
        raise ValueError("must be an http(s) URL")
    return value


def _check_as_of(value: str, info: ValidationInfo) -> str:
    if not AS_OF_PATTERN.match(value) and not _lenient(info):
        raise ValueError("must be a year and month, like '2026-11'")
    return value


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class CriterionSchema(_Strict):
    """One "choose this option when…" bullet."""

    slug: Slug
    text: Text


class RateSchema(_Strict):
    """A sourced figure: a price, or a free allowance, in a unit the cost model knows."""

    amount: float = Field(ge=0, allow_inf_nan=False)
    unit: ShortText
    source: Url
    checked: date  # the day it was last checked against its source


class NodeSchema(_Strict):
    """A node type a Kubernetes plan runs on, priced on demand by the hour."""

    slug: Slug
    name: ShortText
    vcpu: float = Field(gt=0, le=1024)
    memory_gib: float = Field(gt=0, le=32768)
    price: RateSchema


class PlanSchema(_Strict):
    """One way of running an option that has a public price list (AWS Lambda, Amazon EKS)."""

    slug: Slug
    name: ShortText
    kind: Literal["functions", "containers", "cluster"]
    region: ShortText
    granularity_ms: int = Field(default=1, ge=1, le=60_000)
    prices: dict[str, RateSchema]
    free: dict[str, RateSchema] = Field(default_factory=dict)
    nodes: list[NodeSchema] = Field(default_factory=list)


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
    as_of: AsOf | None = None
    plans: list[PlanSchema] = Field(default_factory=list)


class DimensionSchema(_Strict):
    slug: Slug
    name: ShortText
    why_it_matters: Text
    winner: Slug
    assessments: dict[Slug, Text]
    sources: list[Url] = Field(default_factory=list)
    as_of: AsOf | None = None
    # A row about cost: it links to the estimate made from the visitor's own numbers.
    about_cost: bool = False


class FaqSchema(_Strict):
    question: Line
    answer: Text
    sources: list[Url] = Field(default_factory=list)
    as_of: AsOf | None = None


class RuleOutSchema(_Strict):
    """A hard limit: with this answer the option cannot be the outcome."""

    option: Slug
    reason: Text


class ShowIfSchema(_Strict):
    """Show a question only when an earlier question got this answer."""

    question: Slug
    choice: Slug


class CaveatSchema(_Strict):
    """What to watch for when this option is chosen anyway: the form of it that fits, say."""

    option: Slug
    form: ShortText  # the form of the option that fits, e.g. "Serverless containers and jobs"
    text: Text
    sources: list[Url] = Field(default_factory=list)
    as_of: AsOf | None = None


class ChoiceSchema(_Strict):
    """An answer. In the parts question, each choice is a part of the system, and its weights,
    rule-outs and caveats apply to that part alone."""

    slug: Slug
    label: Line
    why: Line
    weights: dict[Slug, Annotated[float, Field(ge=-WEIGHT_LIMIT, le=WEIGHT_LIMIT)]] = Field(
        default_factory=dict
    )
    rules_out: list[RuleOutSchema] = Field(default_factory=list)
    dimensions: list[Slug] = Field(default_factory=list)
    criteria: list[Slug] = Field(default_factory=list)
    caveats: list[CaveatSchema] = Field(default_factory=list)
    sources: list[Url] = Field(default_factory=list)
    as_of: AsOf | None = None
    # What this answer suggests for the cost estimate: {"requests_per_month": 5000000}.
    estimate: dict[str, int | float | str] = Field(default_factory=dict)


class QuestionSchema(_Strict):
    slug: Slug
    prompt: Line
    help: str = ""
    show_if: ShowIfSchema | None = None
    # The parts question: visitors pick every part their system has (at most one per comparison).
    multiple: bool = False
    # The parts this question is about (choices of the parts question); empty: every part.
    parts: list[Slug] = Field(default_factory=list)
    choices: list[ChoiceSchema]
    sources: list[Url] = Field(default_factory=list)
    as_of: AsOf | None = None


class ScenarioSchema(_Strict):
    """A named set of answers and the outcome it must produce: the content's own test."""

    slug: Slug
    name: Line
    source: ScenarioUrl | None = None  # a public write-up of a team like this one
    # The parts question's answer lists its parts joined by commas: "web-api,events".
    answers: dict[Slug, str]
    outcome: Slug


class CallOfferSchema(_Strict):
    """The scoping call the comparison and its results offer (its form is the site's own)."""

    heading: ShortText  # also the button's label, e.g. "Book a 30-minute scoping call"
    text: Text


class ComparisonSchema(_Strict):
    slug: Slug
    status: Literal["draft", "published"] = "published"
    title: ShortText
    intro: Text
    default_advice: Text
    combined_advice: Text
    # How parts placed on different options talk to each other, in a sentence or two.
    integration_advice: str = ""
    default_option: Slug | None = None
    options: list[OptionSchema]
    dimensions: list[DimensionSchema] = Field(default_factory=list)
    faq: list[FaqSchema] = Field(default_factory=list)
    questions: list[QuestionSchema] = Field(default_factory=list)
    scenarios: list[ScenarioSchema] = Field(default_factory=list)
    # The cost estimate's inputs before any answer: {"hours_kubernetes": 20, "duration_ms": 200}.
    estimate_defaults: dict[str, int | float | str] = Field(default_factory=dict)
    call_offer: CallOfferSchema | None = None

    def plans(self) -> list[tuple[str, PlanSchema]]:
        return [(option.slug, plan) for option in self.options for plan in option.plans]


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
    if COMBINE in known:
        problems.append(
            ("options", f"'{COMBINE}' is reserved for the combined outcome: rename the option")
        )

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

    if comparison.default_option is not None and comparison.default_option not in known:
        problems.append(
            (
                "default_option",
                f"'{comparison.default_option}' is not an option of this comparison "
                f"(options: {listing})",
            )
        )
    problems += _question_problems(comparison, known, listing, {s for _, s in criteria})
    problems += _scenario_problems(comparison, known)
    problems += _plan_problems(comparison)
    nodes = {node.slug for _, plan in comparison.plans() for node in plan.nodes}
    problems += estimate_problems("estimate_defaults", comparison.estimate_defaults, options, nodes)
    for i, question in enumerate(comparison.questions):
        for j, choice in enumerate(question.choices):
            where = f"questions[{i}].choices[{j}].estimate"
            problems += estimate_problems(where, choice.estimate, options, nodes)
    return problems


def _plan_problems(comparison: ComparisonSchema) -> list[tuple[str, str]]:
    """Each plan's prices in the units its kind is billed in, nothing missing or unknown."""
    problems: list[tuple[str, str]] = []
    plans = [
        (f"options[{i}].plans[{j}]", plan)
        for i, o in enumerate(comparison.options)
        for j, plan in enumerate(o.plans)
    ]
    seen: set[str] = set()
    for where, plan in plans:
        if plan.slug in seen:
            problems.append((f"{where}.slug", f"duplicate plan slug '{plan.slug}'"))
        seen.add(plan.slug)
        units = PRICE_UNITS[plan.kind]
        for key in REQUIRED_PRICES[plan.kind]:
            if key not in plan.prices:
                problems.append((f"{where}.prices", f"a {plan.kind} plan needs its '{key}' price"))
        for group, known_units, rates in (
            ("prices", units, plan.prices),
            ("free", FREE_UNITS[plan.kind], plan.free),
        ):
            for key, rate in rates.items():
                if key not in known_units:
                    problems.append(
                        (
                            f"{where}.{group}.{key}",
                            f"'{key}' is not a {'price' if group == 'prices' else 'free'} "
                            f"item of a {plan.kind} plan (known: {', '.join(known_units)})",
                        )
                    )
                elif rate.unit != known_units[key]:
                    problems.append(
                        (
                            f"{where}.{group}.{key}.unit",
                            f"'{rate.unit}' is not the unit for '{key}': use '{known_units[key]}'",
                        )
                    )
        if plan.kind == "cluster" and not plan.nodes:
            problems.append((f"{where}.nodes", "a cluster plan needs at least one node type"))
        if plan.kind != "cluster" and plan.nodes:
            problems.append(
                (f"{where}.nodes", f"only a cluster plan has nodes ({KINDS[plan.kind]})")
            )
        for k, node in enumerate(plan.nodes):
            if node.slug in seen:
                problems.append((f"{where}.nodes[{k}].slug", f"duplicate slug '{node.slug}'"))
            seen.add(node.slug)
            if node.price.unit != NODE_UNIT:
                problems.append(
                    (
                        f"{where}.nodes[{k}].price.unit",
                        f"'{node.price.unit}' is not the unit of a node's price: use '{NODE_UNIT}'",
                    )
                )
    return problems


def estimate_problems(
    where: str, values: dict[str, int | float | str], options: list[str], nodes: set[str]
) -> list[tuple[str, str]]:
    """Problems with a set of estimate inputs: unknown names, values out of their range."""
    problems: list[tuple[str, str]] = []
    for name, value in values.items():
        if name == NODE_TYPE:
            if value not in nodes:
                problems.append(
                    (f"{where}.{name}", f"'{value}' is not a node type of this comparison's plans")
                )
            continue
        item = input_for(name, options)
        if item is None:
            known = [*INPUT_NAMES, NODE_TYPE, *(HOURS_PREFIX + o for o in options)]
            problems.append(
                (
                    f"{where}.{name}",
                    f"'{name}' is not an estimate input (known: {', '.join(known)})",
                )
            )
        elif isinstance(value, str) or not item.minimum <= value <= item.maximum:
            problems.append(
                (
                    f"{where}.{name}",
                    f"must be a number from {item.minimum:g} to {item.maximum:g}",
                )
            )
    return problems


def _question_problems(
    comparison: ComparisonSchema, known: set[str], listing: str, criteria: set[str]
) -> list[tuple[str, str]]:
    problems: list[tuple[str, str]] = []
    dimensions = {dimension.slug for dimension in comparison.dimensions}
    problems += _duplicates("questions", [q.slug for q in comparison.questions], "question slug")
    earlier: dict[str, set[str]] = {}
    parts_question: str | None = None
    for i, question in enumerate(comparison.questions):
        where = f"questions[{i}]"
        if question.multiple:
            if parts_question is not None:
                problems.append(
                    (
                        f"{where}.multiple",
                        f"only one question may ask for the system's parts ('{parts_question}' "
                        "already does)",
                    )
                )
            if question.show_if is not None:
                problems.append(
                    (f"{where}.show_if", "the parts question is asked of everyone: remove show_if")
                )
            if question.parts:
                problems.append((f"{where}.parts", "the parts question applies to every part"))
        for k, part in enumerate(question.parts):
            if parts_question is None:
                problems.append(
                    (
                        f"{where}.parts[{k}]",
                        "a question can name parts only after the parts question "
                        "(a question with multiple: true)",
                    )
                )
                break
            if part not in earlier[parts_question]:
                problems.append(
                    (
                        f"{where}.parts[{k}]",
                        f"'{part}' is not a part (a choice of question '{parts_question}')",
                    )
                )
        if question.show_if is not None and question.show_if.question == parts_question:
            problems.append(
                (
                    f"{where}.show_if.question",
                    "show_if cannot depend on the parts question: name the parts under parts",
                )
            )
        if question.slug in RESERVED_QUESTION_SLUGS:
            problems.append(
                (f"{where}.slug", f"'{question.slug}' is reserved by the wizard: rename it")
            )
        if question.show_if is not None:
            target = question.show_if
            if target.question == question.slug or target.question not in earlier:
                later = any(q.slug == target.question for q in comparison.questions)
                problems.append(
                    (
                        f"{where}.show_if.question",
                        f"'{target.question}' is "
                        + ("not an earlier question" if later else "not a question")
                        + ": show_if may only depend on a question asked before this one",
                    )
                )
            elif target.choice not in earlier[target.question]:
                problems.append(
                    (
                        f"{where}.show_if.choice",
                        f"'{target.choice}' is not a choice of question '{target.question}'",
                    )
                )
        real = [choice for choice in question.choices if choice.slug != NOT_SURE]
        if len(real) < 2:
            problems.append(
                (
                    f"{where}.choices",
                    f"a question needs at least two real choices besides '{NOT_SURE}', "
                    f"found {len(real)}",
                )
            )
        problems += _duplicates(
            f"{where}.choices", [c.slug for c in question.choices], "choice slug"
        )
        for j, choice in enumerate(question.choices):
            at = f"{where}.choices[{j}]"
            if choice.slug == NOT_SURE:
                problems.append(
                    (f"{at}.slug", f"'{NOT_SURE}' is added to every question by the wizard")
                )
            for option in choice.weights:
                if option not in known:
                    problems.append(
                        (
                            f"{at}.weights.{option}",
                            f"'{option}' is not an option of this comparison (options: {listing})",
                        )
                    )
            for k, rule in enumerate(choice.rules_out):
                if rule.option not in known:
                    problems.append(
                        (
                            f"{at}.rules_out[{k}].option",
                            f"'{rule.option}' is not an option of this comparison "
                            f"(options: {listing})",
                        )
                    )
            for k, slug in enumerate(choice.dimensions):
                if slug not in dimensions:
                    problems.append((f"{at}.dimensions[{k}]", f"'{slug}' is not a dimension"))
            for k, slug in enumerate(choice.criteria):
                if slug not in criteria:
                    problems.append((f"{at}.criteria[{k}]", f"'{slug}' is not a criterion"))
            for k, caveat in enumerate(choice.caveats):
                if caveat.option not in known:
                    problems.append(
                        (
                            f"{at}.caveats[{k}].option",
                            f"'{caveat.option}' is not an option of this comparison "
                            f"(options: {listing})",
                        )
                    )
        earlier[question.slug] = {choice.slug for choice in question.choices}
        if question.multiple and parts_question is None:
            parts_question = question.slug
    return problems


def _scenario_problems(comparison: ComparisonSchema, known: set[str]) -> list[tuple[str, str]]:
    problems: list[tuple[str, str]] = []
    problems += _duplicates("scenarios", [s.slug for s in comparison.scenarios], "scenario slug")
    choices = {
        question.slug: {choice.slug for choice in question.choices} | {NOT_SURE}
        for question in comparison.questions
    }
    multiple = {question.slug for question in comparison.questions if question.multiple}
    outcomes = known | {COMBINE, NO_FIT, NOT_ENOUGH}
    for i, scenario in enumerate(comparison.scenarios):
        where = f"scenarios[{i}]"
        for question, choice in scenario.answers.items():
            if question not in choices:
                problems.append((f"{where}.answers.{question}", f"'{question}' is not a question"))
            elif question in multiple and choice != NOT_SURE:
                picked = [part.strip() for part in choice.split(PART_SEPARATOR)]
                unknown = [part for part in picked if part not in choices[question] - {NOT_SURE}]
                if unknown or len(set(picked)) != len(picked):
                    problems.append(
                        (
                            f"{where}.answers.{question}",
                            f"'{choice}' must list distinct parts of question '{question}', "
                            f"joined by commas (parts: {', '.join(sorted(choices[question]))})",
                        )
                    )
            elif choice not in choices[question]:
                problems.append(
                    (
                        f"{where}.answers.{question}",
                        f"'{choice}' is not a choice of question '{question}'",
                    )
                )
        if scenario.outcome not in outcomes:
            problems.append(
                (
                    f"{where}.outcome",
                    f"'{scenario.outcome}' is not an option or an outcome such as '{COMBINE}' "
                    f"(expected one of: {', '.join(sorted(outcomes))})",
                )
            )
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


def validate(data: object) -> tuple[ComparisonSchema | None, list[tuple[str, str]]]:
    """Validate fixture data: (the comparison, []) when valid, else (None or it, problems).

    Problems are (path, message) pairs, the path pointing inside the data (`faq[2].sources[0]`)
    and the message in plain words; structure is checked first, then references.
    """
    try:
        comparison = ComparisonSchema.model_validate(data)
    except ValidationError as error:
        return None, [(error_path(e["loc"]), error_message(e)) for e in error.errors()]
    problems = reference_problems(comparison)
    return (None if problems else comparison), problems


def error_path(loc: tuple) -> str:
    """A pydantic location as the path an author reads: `dimensions[3].winner`."""
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text


def error_message(error: dict) -> str:
    """A pydantic error in plain words, quoting the offending text where there is one."""
    kind = error["type"]
    if kind == "extra_forbidden":
        return "unknown key (check its spelling; see the fixture format in the README)"
    if kind == "missing":
        return "required, but missing"
    if kind == "string_too_short":
        return "must not be empty"
    message = error["msg"].removeprefix("Value error, ")
    value = error.get("input")
    if kind == "value_error" and isinstance(value, str):
        return f"'{value}' {message}"
    return message
