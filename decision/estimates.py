"""From content and answers to the cost model's inputs (pure: no Django).

The prices are the content's plans. The inputs start from the cost model's own defaults, then
the comparison's `estimate_defaults`, then what the visitor's answers suggest (each answer's
`estimate`, in the order the questions are asked), then whatever the visitor typed. Every value
that did not come from the visitor says where it came from, so the page can state it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

from . import costs
from .content.schema import ComparisonSchema, PlanSchema, RateSchema
from .vocabulary import NOT_SURE

MODEL_DEFAULT = "an assumption of ours"


def plans_of(content: ComparisonSchema) -> tuple[costs.Plan, ...]:
    return tuple(_plan(option, plan) for option, plan in content.plans())


def _rate(rate) -> costs.Rate:
    return costs.Rate(rate.amount, rate.unit, rate.source, rate.checked)


def _plan(option: str, plan: PlanSchema) -> costs.Plan:
    return costs.Plan(
        slug=plan.slug,
        name=plan.name,
        option=option,
        kind=plan.kind,
        region=plan.region,
        prices={key: _rate(rate) for key, rate in plan.prices.items()},
        free={key: _rate(rate) for key, rate in plan.free.items()},
        granularity_ms=plan.granularity_ms,
        nodes=tuple(
            costs.Node(node.slug, node.name, node.vcpu, node.memory_gib, _rate(node.price))
            for node in plan.nodes
        ),
    )


@dataclass(frozen=True)
class Suggested:
    """Input values before the visitor edits them, each with where it came from."""

    values: dict[str, float | str]
    origins: dict[str, str] = field(default_factory=dict)  # name → "your answer “…”"


def priced_options(content: ComparisonSchema) -> list[str]:
    return [option.slug for option in content.options if option.plans]


def suggested(content: ComparisonSchema, answers: Mapping[str, str] | None = None) -> Suggested:
    """The inputs the comparison and these answers suggest."""
    values: dict[str, float | str] = {item.name: item.default for item in costs.INPUTS}
    values |= {costs.HOURS_PREFIX + option: 0 for option in priced_options(content)}
    nodes = [node for _, plan in content.plans() for node in plan.nodes]
    values[costs.NODE_TYPE] = nodes[0].slug if nodes else ""
    origins = dict.fromkeys(values, MODEL_DEFAULT)
    for name, value in content.estimate_defaults.items():
        values[name] = value
        origins[name] = "this comparison's default"
    for question in content.questions:
        answer = (answers or {}).get(question.slug)
        if answer is None or answer == NOT_SURE:
            continue
        choice = next((c for c in question.choices if c.slug == answer), None)
        if choice is None:
            continue
        for name, value in choice.estimate.items():
            values[name] = value
            origins[name] = f"your answer “{choice.label}”"
    return Suggested(values, origins)


def inputs_from(values: Mapping[str, float | str], options: list[str]) -> costs.Inputs:
    """Checked values (see decision.estimate_form.EstimateForm) as the cost model's inputs."""
    number = {name: value for name, value in values.items() if name in costs.INPUT_NAMES}
    whole = {item.name for item in costs.INPUTS if item.whole}
    return costs.Inputs(
        **{
            name: int(value) if name in whole else float(value)
            for name, value in number.items()
            if name != "free_tier"
        },
        free_tier=bool(values.get("free_tier", 1)),
        node_type=str(values.get(costs.NODE_TYPE, "")),
        hours={o: float(values.get(costs.HOURS_PREFIX + o, 0)) for o in options},
    )


def checked_between(plans: tuple[costs.Plan, ...]) -> tuple[date, date] | None:
    """The oldest and newest day the prices were checked against their sources."""
    days = [rate.checked for plan in plans for rate in plan.rates()]
    return (min(days), max(days)) if days else None


def stale_prices(
    content: ComparisonSchema, today: date, days: int
) -> list[tuple[str, str, RateSchema]]:
    """(path, what, rate) for every price last checked more than `days` days before today."""
    found = []
    for i, option in enumerate(content.options):
        for j, plan in enumerate(option.plans):
            at = f"options[{i}].plans[{j}]"
            rates = [
                *(
                    (f"{at}.prices.{k}", f"{plan.name}: {k} price", r)
                    for k, r in plan.prices.items()
                ),
                *((f"{at}.free.{k}", f"{plan.name}: free {k}", r) for k, r in plan.free.items()),
                *(
                    (f"{at}.nodes[{k}]", f"{plan.name}: {node.name}", node.price)
                    for k, node in enumerate(plan.nodes)
                ),
            ]
            found += [
                (path, what, rate)
                for path, what, rate in rates
                if (today - rate.checked).days > days
            ]
    return found
