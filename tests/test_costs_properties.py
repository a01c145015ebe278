"""Properties of the cost model (`decision/costs.py`) over generated inputs and plans.

Inputs are drawn within the bounds (and steps) of `INPUTS`; plans of every kind with random
non-negative prices, free allowances, billing granularities and nodes. Each property restates
a rule of the module's docstring. Pure (no database).
"""

from __future__ import annotations

from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from decision.costs import (
    CLUSTER,
    CONTAINERS,
    FREE_UNITS,
    FUNCTIONS,
    INPUT_NAMES,
    NODE_UNIT,
    PRICE_UNITS,
    VOLUMES,
    Inputs,
    Node,
    Plan,
    Rate,
    all_nodes,
    break_even,
    estimate,
    nodes_needed,
    plan_cost,
    total,
)

OPTIONS = ("alpha", "bravo", "charlie")
CHECKED = date(2026, 11, 28)
SOURCE = "https://example.com/pricing"
TOLERANCE = 1e-9  # dollars: `break_even`'s own notion of a tie

FAST = settings(max_examples=300, deadline=None)
# A break-even is some 300 evaluations of each option's total: these stay to a few seconds.
SLOW = settings(max_examples=150, deadline=None)


# --- strategies ----------------------------------------------------------------------------


def within(name: str) -> st.SearchStrategy:
    """Values of the input called `name`: its bounds, in its steps (whole numbers for 1)."""
    item = INPUT_NAMES[name]
    if item.whole:
        return st.integers(int(item.minimum), int(item.maximum))
    steps = st.integers(round(item.minimum / item.step), round(item.maximum / item.step))
    return steps.map(lambda n: round(n * item.step, 10))


# Volumes within the input's bounds, spread over its decades.
volumes_ = st.one_of(
    within("requests_per_month"),
    st.integers(3, 11).flatmap(
        lambda e: st.integers(0, min(10**e, int(INPUT_NAMES["requests_per_month"].maximum)))
    ),
)


@st.composite
def volume_pairs(draw) -> tuple[int, int]:
    """Two volumes, the second no lower: often close together (a node more, a step more)."""
    low = draw(volumes_)
    gap = draw(st.one_of(st.integers(0, 10), st.integers(0, max(low, 1)), volumes_))
    return low, min(low + gap, int(INPUT_NAMES["requests_per_month"].maximum))


@st.composite
def inputs(draw, options=OPTIONS) -> Inputs:
    return Inputs(
        requests_per_month=draw(volumes_),
        duration_ms=draw(
            st.one_of(st.sampled_from((50, 100, 150, 200, 1000)), within("duration_ms"))
        ),
        memory_mb=draw(within("memory_mb")),
        vcpu=draw(within("vcpu")),
        concurrency=draw(st.one_of(st.integers(1, 20), within("concurrency"))),
        peak_to_average=draw(within("peak_to_average")),
        # Few nodes at the minimum often: the count then follows the volume.
        min_nodes=draw(st.one_of(st.integers(1, 3), within("min_nodes"))),
        utilisation=draw(within("utilisation")),
        free_tier=bool(draw(within("free_tier"))),
        hourly_rate=draw(within("hourly_rate")),
        hours=draw(hours(options)),
    )


def hours(options) -> st.SearchStrategy[dict[str, int]]:
    """People's hours for some options; often the same for each (ties between options)."""
    some = st.dictionaries(st.sampled_from(options), st.integers(0, 2000))
    same = st.integers(0, 2000).map(lambda h: dict.fromkeys(options, h))
    return st.one_of(st.just({}), same, some)


# Prices and allowances: zero (a free item) often, else any non-negative amount.
amounts = st.one_of(
    st.just(0.0),
    st.just(0.0),
    st.floats(0, 1e3, allow_nan=False),
    st.floats(0, 1e-3, allow_nan=False),
)
allowances = st.one_of(st.just(0.0), st.floats(0, 1e8, allow_nan=False), st.integers(0, 10**7))


def rate(amount: float, unit: str) -> Rate:
    return Rate(float(amount), unit, SOURCE, CHECKED)


@st.composite
def nodes(draw) -> Node:
    slug = draw(st.sampled_from(("small", "medium", "large", "huge", "odd")))
    return Node(
        slug,
        slug,
        draw(st.one_of(st.sampled_from((0.5, 1, 2, 4, 8, 16)), st.floats(0.25, 1024))),
        draw(st.one_of(st.sampled_from((1, 2, 4, 8, 16, 64)), st.floats(0.5, 32768))),
        rate(draw(st.floats(0, 100)), NODE_UNIT),
    )


@st.composite
def plans(draw, option: str | None = None, kind: str | None = None) -> Plan:
    kind = kind or draw(st.sampled_from((FUNCTIONS, CONTAINERS, CLUSTER)))
    prices = {key: rate(draw(amounts), unit) for key, unit in PRICE_UNITS[kind].items()}
    free = {
        key: rate(draw(allowances), unit)
        for key, unit in FREE_UNITS[kind].items()
        if draw(st.booleans())
    }
    return Plan(
        draw(st.text("abcdefgh", min_size=1, max_size=6)),
        "A plan",
        option or draw(st.sampled_from(OPTIONS)),
        kind,
        "somewhere",
        prices,
        free,
        granularity_ms=draw(st.sampled_from((1, 100, 1000, 60_000))),
        nodes=tuple(draw(st.lists(nodes(), min_size=1, max_size=3))) if kind == CLUSTER else (),
    )


@st.composite
def contents(draw, count: int = 2) -> tuple[list[Plan], tuple[str, ...]]:
    """Plans for `count` options, each with one to three plans of any kind."""
    options = OPTIONS[:count]
    found = [draw(plans(option)) for option in options for _ in range(draw(st.integers(1, 3)))]
    return found, options


def node_type(draw, plans_: list[Plan]) -> str:
    slugs = [n.slug for n in all_nodes(plans_)]
    return draw(st.sampled_from(["", "unknown", *slugs]))


def sign(difference: float) -> int:
    return (difference > TOLERANCE) - (difference < -TOLERANCE)


# --- cost never falls as volume rises ------------------------------------------------------


@FAST
@given(st.data(), plans(), inputs(), volume_pairs())
def test_no_plan_costs_less_at_a_higher_volume(data, plan, drawn, pair):
    low, high = pair
    nodes_ = plan.nodes
    drawn = Inputs(**{**drawn.__dict__, "node_type": node_type(data.draw, [plan])})
    at_low = plan_cost(plan, drawn.at(low), nodes_)
    at_high = plan_cost(plan, drawn.at(high), nodes_)
    assert at_low.total <= at_high.total
    for a, b in zip(at_low.lines, at_high.lines, strict=True):
        assert a.label == b.label
        assert a.amount <= b.amount, a.label


@FAST
@given(nodes(), inputs(), st.integers(7, 11), st.floats(0, 1), st.floats(0, 2))
def test_more_requests_never_need_fewer_nodes(node, drawn, exponent, start, growth):
    """At volumes where the node count follows the peak rather than the minimum."""
    low = round(start * 10**exponent)
    high = min(round(low * (1 + growth)), int(INPUT_NAMES["requests_per_month"].maximum))
    drawn = Inputs(**{**drawn.__dict__, "min_nodes": 1})
    assert nodes_needed(node, drawn.at(low)) <= nodes_needed(node, drawn.at(high))


@FAST
@given(st.data(), contents(3), inputs(), volume_pairs())
def test_no_option_costs_less_at_a_higher_volume(data, content, drawn, pair):
    plans_, options = content
    low, high = pair
    drawn = Inputs(**{**drawn.__dict__, "node_type": node_type(data.draw, plans_)})
    for option in options:
        assert total(plans_, option, drawn.at(low)) <= total(plans_, option, drawn.at(high))


# --- break-evens ---------------------------------------------------------------------------


@SLOW
@given(st.data(), contents(2), inputs())
def test_a_break_even_lies_where_the_curves_meet(data, content, drawn):
    plans_, (a, b) = content
    drawn = Inputs(**{**drawn.__dict__, "node_type": node_type(data.draw, plans_)})

    def difference(volume: int) -> float:
        return total(plans_, a, drawn.at(volume)) - total(plans_, b, drawn.at(volume))

    volume = break_even(
        lambda v: total(plans_, a, drawn.at(v)), lambda v: total(plans_, b, drawn.at(v))
    )
    if volume is None:
        return
    assert VOLUMES[0] < volume <= VOLUMES[1]
    before, at = difference(volume - 1), difference(volume)
    assert sign(before) != sign(at) or abs(at) <= TOLERANCE


@SLOW
@given(st.data(), contents(2), inputs())
def test_no_change_before_the_break_even(data, content, drawn):
    """The break-even is the lowest volume at which the cheaper option changes: at any lower
    volume (and anywhere, when there is none) the two compare as they do at the bottom of
    the range."""
    plans_, (a, b) = content
    drawn = Inputs(**{**drawn.__dict__, "node_type": node_type(data.draw, plans_)})

    def side(volume: int) -> int:
        return sign(total(plans_, a, drawn.at(volume)) - total(plans_, b, drawn.at(volume)))

    volume = break_even(
        lambda v: total(plans_, a, drawn.at(v)), lambda v: total(plans_, b, drawn.at(v))
    )
    top = VOLUMES[1] if volume is None else volume - 1
    earlier = data.draw(st.integers(VOLUMES[0], top), label="earlier volume")
    decades = [VOLUMES[0] * 10**k for k in range(9) if VOLUMES[0] * 10**k <= top]
    for lower in [earlier, *decades, top]:
        assert side(lower) == side(VOLUMES[0]), lower


# --- free tiers ----------------------------------------------------------------------------


@FAST
@given(st.data(), plans(), inputs())
def test_free_tiers_never_make_a_cost_negative_and_leaving_them_out_never_lowers_one(
    data, plan, drawn
):
    drawn = Inputs(**{**drawn.__dict__, "node_type": node_type(data.draw, [plan])})
    with_free = plan_cost(plan, Inputs(**{**drawn.__dict__, "free_tier": True}), plan.nodes)
    without = plan_cost(plan, Inputs(**{**drawn.__dict__, "free_tier": False}), plan.nodes)
    for cost in (with_free, without):
        assert all(line.amount >= 0 for line in cost.lines), cost.lines
        assert cost.total >= 0
    assert without.total >= with_free.total
    for a, b in zip(with_free.lines, without.lines, strict=True):
        assert b.amount >= a.amount, a.label


# --- estimates -----------------------------------------------------------------------------


@SLOW
@given(st.data(), st.integers(1, 3), inputs())
def test_an_estimate_adds_up(data, count, drawn):
    plans_, options = data.draw(contents(count), label="content")
    drawn = Inputs(**{**drawn.__dict__, "node_type": node_type(data.draw, plans_)})
    result = estimate(plans_, drawn, options)

    assert [cost.option for cost in result.options] == list(options)
    for cost in result.options:
        hours = drawn.hours.get(cost.option, 0)
        assert cost.people.amount == hours * drawn.hourly_rate
        # Its total is its cheapest plan plus people's time; the plans are cheapest first.
        assert cost.total == cost.cheapest.total + cost.people.amount
        assert [p.total for p in cost.plans] == sorted(p.total for p in cost.plans)
        assert len(cost.plans) == sum(plan.option == cost.option for plan in plans_)
        assert cost.total == total(plans_, cost.option, drawn)
    assert result.cheapest.total == min(cost.total for cost in result.options)

    assert set(result.curves) == set(options)
    for option, curve in result.curves.items():
        points = [v for v, _ in curve]
        assert points == sorted(set(points)), "volumes ascending, each once"
        assert all(VOLUMES[0] <= v <= VOLUMES[1] for v in points)
        if VOLUMES[0] <= drawn.requests_per_month:
            assert drawn.requests_per_month in points
        for even in result.break_evens:
            assert even.volume in points
        dollars = [d for _, d in curve]
        assert dollars == sorted(dollars)
        totals = {cost.option: cost.total for cost in result.options}
        if drawn.requests_per_month in points:
            assert dict(curve)[drawn.requests_per_month] == totals[option]


@SLOW
@given(st.data(), contents(2), inputs())
def test_a_break_even_names_the_option_cheaper_on_each_side(data, content, drawn):
    """`first` is not dearer just below the volume, `second` not dearer at it."""
    plans_, options = content
    drawn = Inputs(**{**drawn.__dict__, "node_type": node_type(data.draw, plans_)})
    for even in estimate(plans_, drawn, options).break_evens:
        assert {even.first, even.second} == set(options)

        def cost(option: str, volume: int) -> float:
            return total(plans_, option, drawn.at(volume))

        below, at = even.volume - 1, even.volume
        assert cost(even.first, below) <= cost(even.second, below) + TOLERANCE
        assert cost(even.second, at) <= cost(even.first, at) + TOLERANCE
