"""What the same service costs a month run each way: a pure model (no Django).

The service is described once: R requests (or jobs) a month, each running d milliseconds, in
an instance of M MB of memory and V vCPUs that serves C requests at once, with traffic at its
peak P times its average. A month is 730 hours (2,628,000 seconds), as vendors' calculators
count it. Every price comes from the content, with its source and the date it was checked.

Average requests in flight    A = R × d / 1000 / 2,628,000
At the peak                   A × P

**Functions** (AWS Lambda), one request per instance, billed per request and per GB-second of
memory (CPU comes with memory), each duration rounded up to the plan's granularity g:
  requests   max(0, R − free requests) / 1,000,000 × price per million
  compute    max(0, R × ⌈d/g⌉·g / 1000 × M/1024 − free GB-s) × price per GB-s

**Containers** (Cloud Run, billed while requests run), C requests sharing an instance:
  instance seconds   S = R × ⌈d/g⌉·g / 1000 / C
  requests           max(0, R − free requests) / 1,000,000 × price per million
  CPU                max(0, S × V − free vCPU-s) × price per vCPU-s
  memory             max(0, S × M/1024 − free GiB-s) × price per GiB-s

**Cluster** (managed Kubernetes): a control plane and on-demand nodes sized for the peak.
  pods at the peak   A × P / C, each asking for V vCPUs and M MB
  nodes              max(minimum nodes, ⌈pods × V / (node vCPUs × U)⌉, ⌈pods × M/1024 /
                     (node GiB × U)⌉), U the target node utilisation
  control plane      max(0, 730 × price per hour − monthly credit)
  nodes              nodes × 730 × node price per hour

**People**: hours a month to run the option × the hourly rate, added to every plan of it.

An option costs what its cheapest plan costs, people included. The break-even between two
options is the lowest monthly volume at which the cheaper of the two changes, found to the
request by bisection within VOLUMES; with no change in that range there is none.

Left out (see LEFT_OUT): API gateways and load balancers, NAT gateways, data transfer out,
logging and monitoring, storage and databases, support plans, taxes, savings plans, committed
use and spot discounts, instances kept warm (Lambda provisioned concurrency, Cloud Run minimum
instances), and Lambda's lower prices above 6 billion GB-seconds a month.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date

HOURS_PER_MONTH = 730
SECONDS_PER_MONTH = HOURS_PER_MONTH * 3600
VOLUMES = (1, 100_000_000_000)  # the range of monthly volumes the model looks at

LEFT_OUT = (
    "API gateways and load balancers, NAT gateways, data transfer out, logging and "
    "monitoring, storage and databases, support plans, taxes, instances kept warm, and "
    "savings-plan, committed-use or spot discounts"
)

FUNCTIONS = "functions"
CONTAINERS = "containers"
CLUSTER = "cluster"
KINDS = {
    FUNCTIONS: "Functions, billed per request and per GB-second",
    CONTAINERS: "Containers, billed per vCPU-second and GiB-second while requests run",
    CLUSTER: "A managed Kubernetes control plane with on-demand nodes",
}

# The unit every price and free allowance must be given in, by plan kind and key.
PRICE_UNITS: dict[str, dict[str, str]] = {
    FUNCTIONS: {
        "requests": "usd-per-million-requests",
        "compute": "usd-per-gb-second",
    },
    CONTAINERS: {
        "requests": "usd-per-million-requests",
        "cpu": "usd-per-vcpu-second",
        "memory": "usd-per-gib-second",
    },
    CLUSTER: {"control_plane": "usd-per-hour"},
}
REQUIRED_PRICES = {
    FUNCTIONS: ("requests", "compute"),
    CONTAINERS: ("requests", "cpu", "memory"),
    CLUSTER: ("control_plane",),
}
FREE_UNITS: dict[str, dict[str, str]] = {
    FUNCTIONS: {"requests": "requests-per-month", "compute": "gb-seconds-per-month"},
    CONTAINERS: {
        "requests": "requests-per-month",
        "cpu": "vcpu-seconds-per-month",
        "memory": "gib-seconds-per-month",
    },
    CLUSTER: {"control_plane": "usd-per-month"},
}
NODE_UNIT = "usd-per-hour"


@dataclass(frozen=True)
class Rate:
    """One sourced figure: a price or a free allowance."""

    amount: float
    unit: str
    source: str
    checked: date


@dataclass(frozen=True)
class Node:
    slug: str
    name: str
    vcpu: float
    memory_gib: float
    price: Rate  # per hour, on demand


@dataclass(frozen=True)
class Plan:
    slug: str
    name: str
    option: str  # the option this plan is a way of running
    kind: str  # FUNCTIONS, CONTAINERS or CLUSTER
    region: str
    prices: Mapping[str, Rate]
    free: Mapping[str, Rate] = field(default_factory=dict)
    granularity_ms: int = 1
    nodes: tuple[Node, ...] = ()

    def rates(self) -> list[Rate]:
        return [*self.prices.values(), *self.free.values(), *(n.price for n in self.nodes)]


@dataclass(frozen=True)
class Input:
    """One input of the estimate, as the cost page's form and `estimate_cost` take it."""

    name: str
    label: str
    default: float
    minimum: float
    maximum: float
    step: float = 1  # 1: whole numbers only
    unit: str = ""
    help: str = ""

    @property
    def whole(self) -> bool:
        return self.step == 1


INPUTS: tuple[Input, ...] = (
    Input(
        "requests_per_month",
        "Requests or jobs a month",
        10_000_000,
        0,
        VOLUMES[1],
        help="Everything the service handles in a month: requests, messages or jobs.",
    ),
    Input("duration_ms", "Average duration", 200, 1, 900_000, unit="ms"),
    Input("memory_mb", "Memory per instance", 512, 128, 32_768, unit="MB"),
    Input(
        "vcpu",
        "vCPUs per instance",
        1,
        0.1,
        64,
        step=0.1,
        help="Cloud Run instances and Kubernetes pods; Lambda's CPU follows its memory.",
    ),
    Input(
        "concurrency",
        "Requests one instance serves at once",
        10,
        1,
        1000,
        help="Cloud Run's concurrency, also used for pods. Lambda serves one at a time.",
    ),
    Input(
        "peak_to_average",
        "Peak traffic ÷ average traffic",
        3,
        1,
        100,
        step=0.1,
        help="Nodes are sized for the peak; pay-per-use plans bill the average.",
    ),
    Input("min_nodes", "Minimum Kubernetes nodes", 2, 1, 1000, help="For availability."),
    Input(
        "utilisation",
        "Target node utilisation",
        0.6,
        0.1,
        1,
        step=0.05,
        help="The share of each node's CPU and memory the pods may use.",
    ),
    Input(
        "free_tier",
        "Count monthly free tiers",
        1,
        0,
        1,
        help="1 counts them, 0 leaves them out (one free tier per account, not per service).",
    ),
    Input("hourly_rate", "People's hourly cost", 100, 0, 2000, unit="USD"),
)
INPUT_NAMES = {item.name: item for item in INPUTS}
NODE_TYPE = "node_type"
HOURS_PREFIX = "hours_"  # hours_<option slug>: people's hours a month to run that option
HOURS = Input("hours", "People's hours a month", 0, 0, 2000, unit="hours")


def input_for(name: str, options: Sequence[str]) -> Input | None:
    """The numeric input called `name` (an option's hours included), or None."""
    if name in INPUT_NAMES:
        return INPUT_NAMES[name]
    if name.startswith(HOURS_PREFIX) and name.removeprefix(HOURS_PREFIX) in options:
        return replace(HOURS, name=name)
    return None


@dataclass(frozen=True)
class Inputs:
    requests_per_month: int = 10_000_000
    duration_ms: float = 200
    memory_mb: float = 512
    vcpu: float = 1
    concurrency: int = 10
    peak_to_average: float = 3
    min_nodes: int = 2
    utilisation: float = 0.6
    free_tier: bool = True
    hourly_rate: float = 100
    node_type: str = ""  # a node slug; "" is the first node of the first cluster plan
    hours: Mapping[str, float] = field(default_factory=dict)  # per option slug

    def at(self, volume: int) -> Inputs:
        return replace(self, requests_per_month=volume)


@dataclass(frozen=True)
class Line:
    """One line of a plan's bill."""

    label: str
    detail: str  # the quantity and price behind it, in words
    amount: float  # US dollars a month; negative for a free tier's credit


@dataclass(frozen=True)
class PlanCost:
    plan: Plan
    lines: tuple[Line, ...]
    total: float


@dataclass(frozen=True)
class OptionCost:
    option: str
    plans: tuple[PlanCost, ...]  # cheapest first
    people: Line
    total: float  # the cheapest plan, people included

    @property
    def cheapest(self) -> PlanCost:
        return self.plans[0]


@dataclass(frozen=True)
class BreakEven:
    first: str  # the option cheaper below the volume
    second: str  # the option cheaper from the volume up
    volume: int


@dataclass(frozen=True)
class Estimate:
    inputs: Inputs
    options: tuple[OptionCost, ...]  # in the content's order
    break_evens: tuple[BreakEven, ...]
    curves: Mapping[str, tuple[tuple[int, float], ...]]  # option → (volume, total) ascending

    @property
    def cheapest(self) -> OptionCost:
        return min(self.options, key=lambda option: option.total)


def in_flight(inputs: Inputs) -> float:
    """Requests running at once, on average over the month."""
    return inputs.requests_per_month * inputs.duration_ms / 1000 / SECONDS_PER_MONTH


def billed_ms(duration_ms: float, granularity_ms: int) -> float:
    """A request's duration rounded up to the plan's billing granularity."""
    return math.ceil(duration_ms / granularity_ms - 1e-9) * granularity_ms


def plan_cost(plan: Plan, inputs: Inputs, all_nodes: Sequence[Node] = ()) -> PlanCost:
    """One plan's monthly bill, line by line (`all_nodes`: every plan's, for the node type)."""
    if plan.kind == CLUSTER:
        lines = _cluster(plan, inputs, all_nodes)
    else:
        lines = (_functions if plan.kind == FUNCTIONS else _containers)(plan, inputs)
    return PlanCost(plan, lines, sum(line.amount for line in lines))


def option_costs(plans: Sequence[Plan], inputs: Inputs, options: Sequence[str]) -> list[OptionCost]:
    """Each option that has plans, with every plan priced, cheapest first."""
    nodes = all_nodes(plans)
    found = []
    for option in options:
        priced = sorted(
            (plan_cost(plan, inputs, nodes) for plan in plans if plan.option == option),
            key=lambda cost: cost.total,
        )
        if not priced:
            continue
        hours = inputs.hours.get(option, 0)
        people = Line(
            "People's time",
            f"{_number(hours)} hours × ${_number(inputs.hourly_rate)}",
            hours * inputs.hourly_rate,
        )
        found.append(OptionCost(option, tuple(priced), people, priced[0].total + people.amount))
    return found


def total(plans: Sequence[Plan], option: str, inputs: Inputs) -> float:
    """What an option costs a month at these inputs: its cheapest plan, people included."""
    nodes = all_nodes(plans)
    cheapest = min(plan_cost(plan, inputs, nodes).total for plan in plans if plan.option == option)
    return cheapest + inputs.hours.get(option, 0) * inputs.hourly_rate


def all_nodes(plans: Sequence[Plan]) -> tuple[Node, ...]:
    return tuple(node for plan in plans for node in plan.nodes)


def break_even(cost_a: Callable[[int], float], cost_b: Callable[[int], float]) -> int | None:
    """The lowest volume in VOLUMES at which the cheaper of two options changes, or None.

    A log-spaced scan finds the first change of sign; bisection narrows it to one request, so
    `a` and `b` compare one way at the volume before it and the other way (or equal) at it.
    """

    def side(volume: int) -> int:
        difference = cost_a(volume) - cost_b(volume)
        return (difference > 1e-9) - (difference < -1e-9)

    low = VOLUMES[0]
    start = side(low)
    steps = 240
    ratio = (VOLUMES[1] / VOLUMES[0]) ** (1 / steps)
    for step in range(1, steps + 1):
        high = round(VOLUMES[0] * ratio**step)
        if side(high) != start:
            break
        low = high
    else:
        return None
    while high - low > 1:
        middle = (low + high) // 2
        if side(middle) == start:
            low = middle
        else:
            high = middle
    return high


def volumes(around: Sequence[int], points: int = 48) -> list[int]:
    """Log-spaced volumes for a curve: a decade either side of everything in `around`."""
    marks = [v for v in around if v > 0] or [10_000_000]
    low = max(VOLUMES[0], 10 ** math.floor(math.log10(min(marks)) - 1))
    high = min(VOLUMES[1], 10 ** math.ceil(math.log10(max(marks)) + 1))
    if high <= low:
        high = low * 100
    found = {round(low * (high / low) ** (i / points)) for i in range(points + 1)}
    found |= {v for v in around if low <= v <= high}
    return sorted(found)


def estimate(plans: Sequence[Plan], inputs: Inputs, options: Sequence[str]) -> Estimate:
    """The estimate at the inputs' volume, the break-evens, and each option's curve."""
    costs = option_costs(plans, inputs, options)
    priced = [cost.option for cost in costs]
    evens = []
    for i, first in enumerate(priced):
        for second in priced[i + 1 :]:
            volume = break_even(
                lambda v, o=first: total(plans, o, inputs.at(v)),
                lambda v, o=second: total(plans, o, inputs.at(v)),
            )
            if volume is None:
                continue
            # `second` is cheaper from the volume up; at a tie there, it was dearer just below.
            at = total(plans, first, inputs.at(volume)) - total(plans, second, inputs.at(volume))
            if abs(at) <= 1e-9:
                at = total(plans, second, inputs.at(volume - 1)) - total(
                    plans, first, inputs.at(volume - 1)
                )
            below = at > 0
            evens.append(BreakEven(first if below else second, second if below else first, volume))
    marks = [inputs.requests_per_month, *(even.volume for even in evens)]
    curves = {
        option: tuple((v, total(plans, option, inputs.at(v))) for v in volumes(marks))
        for option in priced
    }
    return Estimate(inputs, tuple(costs), tuple(evens), curves)


def node_for(plan: Plan, node_type: str, nodes: Sequence[Node] = ()) -> Node:
    """The plan's node: the one asked for if it is the plan's, else the plan's node closest in
    size to it (vCPUs, then memory), else the plan's first."""
    own = {node.slug: node for node in plan.nodes}
    if node_type in own:
        return own[node_type]
    wanted = next((node for node in nodes if node.slug == node_type), None)
    if wanted is None and not node_type and nodes:
        wanted = nodes[0]  # "": the first node of the first cluster plan
    if wanted is None:
        return plan.nodes[0]
    return min(
        plan.nodes,
        key=lambda n: (abs(n.vcpu - wanted.vcpu), abs(n.memory_gib - wanted.memory_gib)),
    )


def _free(plan: Plan, key: str, inputs: Inputs) -> float:
    rate = plan.free.get(key)
    return rate.amount if rate is not None and inputs.free_tier else 0.0


def _metered(label: str, used: float, free: float, rate: Rate, scale: float, what: str) -> Line:
    """A usage line: what is used beyond the free allowance, at the rate (per `scale` units)."""
    billed = max(0.0, used - free)
    free_words = f" less {_number(free)} free" if free else ""
    return Line(
        label,
        f"{_number(used)} {what}{free_words} × ${_number(rate.amount)}"
        + (f" per {_number(scale)}" if scale != 1 else ""),
        billed / scale * rate.amount,
    )


def _requests(plan: Plan, inputs: Inputs) -> Line:
    return _metered(
        "Requests",
        inputs.requests_per_month,
        _free(plan, "requests", inputs),
        plan.prices["requests"],
        1_000_000,
        "requests",
    )


def _functions(plan: Plan, inputs: Inputs) -> list[Line]:
    gb = inputs.memory_mb / 1024
    seconds = billed_ms(inputs.duration_ms, plan.granularity_ms) / 1000
    compute = inputs.requests_per_month * seconds * gb
    return [
        _requests(plan, inputs),
        _metered(
            "Compute",
            compute,
            _free(plan, "compute", inputs),
            plan.prices["compute"],
            1,
            "GB-seconds",
        ),
    ]


def _containers(plan: Plan, inputs: Inputs) -> list[Line]:
    gib = inputs.memory_mb / 1024
    billed = billed_ms(inputs.duration_ms, plan.granularity_ms) / 1000
    seconds = inputs.requests_per_month * billed / inputs.concurrency  # instance time
    return [
        _requests(plan, inputs),
        _metered(
            "CPU",
            seconds * inputs.vcpu,
            _free(plan, "cpu", inputs),
            plan.prices["cpu"],
            1,
            "vCPU-seconds",
        ),
        _metered(
            "Memory",
            seconds * gib,
            _free(plan, "memory", inputs),
            plan.prices["memory"],
            1,
            "GiB-seconds",
        ),
    ]


def nodes_needed(node: Node, inputs: Inputs) -> int:
    """Nodes for the peak at the target utilisation, never fewer than the minimum."""
    pods = in_flight(inputs) * inputs.peak_to_average / inputs.concurrency
    by_cpu = pods * inputs.vcpu / (node.vcpu * inputs.utilisation)
    by_memory = pods * inputs.memory_mb / 1024 / (node.memory_gib * inputs.utilisation)
    return max(inputs.min_nodes, math.ceil(by_cpu - 1e-9), math.ceil(by_memory - 1e-9))


def _cluster(plan: Plan, inputs: Inputs, nodes: Sequence[Node]) -> list[Line]:
    rate = plan.prices["control_plane"]
    hours = HOURS_PER_MONTH * rate.amount
    credited = min(hours, _free(plan, "control_plane", inputs))
    plane = Line(
        "Control plane",
        f"{HOURS_PER_MONTH} hours × ${_number(rate.amount)}"
        + (f" less a ${_number(credited)} monthly credit" if credited else ""),
        hours - credited,
    )
    node = node_for(plan, inputs.node_type, nodes)
    count = nodes_needed(node, inputs)
    why = " (the minimum)" if count == inputs.min_nodes else ""
    nodes = Line(
        "Nodes",
        f"{count} × {node.name}{why} × {HOURS_PER_MONTH} hours × ${_number(node.price.amount)}",
        count * HOURS_PER_MONTH * node.price.amount,
    )
    return [plane, nodes]


def _number(value: float) -> str:
    """A quantity in words' digits: 10,000,000; 0.0000166667; 1.5."""
    if value == int(value) and abs(value) < 1e15:
        return f"{int(value):,}"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    return f"{value:.10f}".rstrip("0").rstrip(".") if abs(value) < 1 else f"{value:,.2f}"
