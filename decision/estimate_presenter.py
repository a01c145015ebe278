"""A cost estimate as a page shows it: sentences, money, the breakdown, the chart and its table.

Pure (no Django): the numbers come from decision.costs, the layout from decision.cost_chart.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from . import costs
from .cost_chart import Chart, Marker, Series, chart
from .estimates import checked_between


@dataclass(frozen=True)
class LineView:
    label: str
    detail: str
    amount: str


@dataclass(frozen=True)
class PlanView:
    name: str
    region: str
    total: str
    lines: tuple[LineView, ...]
    cheapest: bool


@dataclass(frozen=True)
class OptionView:
    slug: str
    name: str
    total: str
    plan_name: str  # its cheapest plan
    plans: tuple[PlanView, ...]
    people: LineView
    cheapest: bool


@dataclass(frozen=True)
class TableRow:
    volume: str
    costs: tuple[str, ...]
    note: str  # "your volume", "break-even"


@dataclass(frozen=True)
class EstimateView:
    volume: str
    headline: str
    options: tuple[OptionView, ...]
    break_evens: tuple[str, ...]
    chart: Chart
    table_head: tuple[str, ...]
    table: tuple[TableRow, ...]
    prices_from: str  # the regions the prices are for
    checked: str
    left_out: str


def money(amount: float) -> str:
    """$11.80 below a hundred dollars, $4,192 from there up."""
    if amount < 100:
        return f"${amount:,.2f}"
    return f"${amount:,.0f}"


def volume_words(volume: int) -> str:
    """10,000,000 → "10 million"; 192,582,929 → "193 million"; 45,000 → "45,000"."""
    for size, word in ((1_000_000_000, "billion"), (1_000_000, "million")):
        if volume >= size:
            value = volume / size
            digits = 0 if value >= 10 else 1
            text = f"{value:,.{digits}f}".removesuffix(".0")
            return f"{text} {word}"
    return f"{volume:,}"


def present(
    estimate: costs.Estimate,
    plans: Sequence[costs.Plan],
    names: Mapping[str, str],
) -> EstimateView:
    volume = estimate.inputs.requests_per_month
    cheapest = estimate.cheapest.option if estimate.options else None
    options = tuple(_option(cost, names, cheapest) for cost in estimate.options)
    totals = [f"{option.name} about {option.total} a month" for option in options]
    headline = (
        f"At {volume_words(volume)} requests a month, " + _and(totals) + ", people's time included."
    )
    evens = tuple(_break_even(even, names) for even in estimate.break_evens)
    if not evens and len(options) > 1:
        low, high = costs.VOLUMES
        evens = (
            f"{names[cheapest]} stays the cheaper at every volume from "
            f"{volume_words(low)} to {volume_words(high)} requests a month.",
        )
    markers = [Marker(volume, "Your volume")] + [
        Marker(even.volume, "Break-even") for even in estimate.break_evens
    ]
    drawn = chart(
        [Series(names[option], points) for option, points in estimate.curves.items()],
        markers,
        title="Monthly cost against monthly requests",
    )
    head = tuple(names[option] for option in estimate.curves)
    span = checked_between(tuple(plans))
    return EstimateView(
        volume=volume_words(volume),
        headline=headline,
        options=options,
        break_evens=evens,
        chart=drawn,
        table_head=head,
        table=_table(estimate, plans),
        prices_from=_and(list(dict.fromkeys(plan.region for plan in plans))),
        checked=_checked(span),
        left_out=costs.LEFT_OUT,
    )


def _option(cost: costs.OptionCost, names: Mapping[str, str], cheapest) -> OptionView:
    plans = tuple(
        PlanView(
            plan.plan.name,
            plan.plan.region,
            money(plan.total + cost.people.amount),
            tuple(LineView(line.label, line.detail, money(line.amount)) for line in plan.lines),
            index == 0,
        )
        for index, plan in enumerate(cost.plans)
    )
    people = LineView(cost.people.label, cost.people.detail, money(cost.people.amount))
    return OptionView(
        cost.option,
        names[cost.option],
        money(cost.total),
        cost.cheapest.plan.name,
        plans,
        people,
        cost.option == cheapest,
    )


def _break_even(even: costs.BreakEven, names: Mapping[str, str]) -> str:
    return (
        f"{names[even.first]} is the cheaper below about {volume_words(even.volume)} requests a "
        f"month, {names[even.second]} from there up."
    )


def _table(estimate: costs.Estimate, plans: Sequence[costs.Plan]) -> tuple[TableRow, ...]:
    """The chart's numbers: each power of ten on its axis, the visitor's volume, break-evens."""
    curves = estimate.curves
    if not curves:
        return ()
    points = next(iter(curves.values()))
    low, high = points[0][0], points[-1][0]
    volumes = {10**k: "" for k in range(math.ceil(math.log10(low)), int(math.log10(high)) + 1)}
    volumes[estimate.inputs.requests_per_month] = "your volume"
    for even in estimate.break_evens:
        volumes[even.volume] = "break-even"
    rows = []
    for volume in sorted(volumes):
        at = estimate.inputs.at(volume)
        rows.append(
            TableRow(
                f"{volume:,}",
                tuple(money(costs.total(plans, option, at)) for option in curves),
                volumes[volume],
            )
        )
    return tuple(rows)


def _checked(span) -> str:
    if span is None:
        return ""
    first, last = span
    if first == last:
        return _day(last)
    return f"between {_day(first)} and {_day(last)}"


def _day(day) -> str:
    return f"{day.day} {day:%B %Y}"


def _and(items: Sequence[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]
