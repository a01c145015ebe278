"""Reference cases for the cost model (`decision/costs.py`), worked out by hand from public
list prices. Each test writes its arithmetic out; dollars are compared to within half a cent.
Pure (no database).
"""

from __future__ import annotations

from datetime import date

import pytest

from decision.costs import (
    CLUSTER,
    CONTAINERS,
    FREE_UNITS,
    FUNCTIONS,
    LEFT_OUT,
    NODE_UNIT,
    PRICE_UNITS,
    Inputs,
    Node,
    Plan,
    Rate,
    all_nodes,
    billed_ms,
    break_even,
    estimate,
    node_for,
    nodes_needed,
    option_costs,
    plan_cost,
    total,
)

CHECKED = date(2026, 11, 28)
CENT = 0.005  # dollars are asserted to within half a cent

LAMBDA_PRICING = "https://aws.amazon.com/lambda/pricing/"
CLOUD_RUN_PRICING = "https://cloud.google.com/run/pricing"
EKS_PRICING = "https://aws.amazon.com/eks/pricing/"
EC2_PRICING = "https://aws.amazon.com/ec2/pricing/on-demand/"
GKE_PRICING = "https://cloud.google.com/kubernetes-engine/pricing"
GCE_PRICING = "https://cloud.google.com/compute/vm-instance-pricing"


# --- public list prices --------------------------------------------------------------------


def price(kind: str, key: str, amount: float, source: str) -> Rate:
    return Rate(amount, PRICE_UNITS[kind][key], source, CHECKED)


def allowance(kind: str, key: str, amount: float, source: str) -> Rate:
    return Rate(amount, FREE_UNITS[kind][key], source, CHECKED)


def node(slug: str, vcpu: float, memory_gib: float, hourly: float, source: str) -> Node:
    return Node(slug, slug, vcpu, memory_gib, Rate(hourly, NODE_UNIT, source, CHECKED))


def lambda_plan(option: str = "serverless", *, arm: bool = False) -> Plan:
    """AWS Lambda, us-east-1: $0.20 per million requests; $0.0000166667 per GB-s on x86 or
    $0.0000133334 on Arm; free tier 1,000,000 requests and 400,000 GB-s a month; billed per
    1 ms. (Provisioned concurrency, $0.0000041667 per GB-s on x86, is left out of the model.)"""
    compute = 0.0000133334 if arm else 0.0000166667
    return Plan(
        "aws-lambda-arm" if arm else "aws-lambda",
        "AWS Lambda (Arm)" if arm else "AWS Lambda (x86)",
        option,
        FUNCTIONS,
        "us-east-1",
        prices={
            "requests": price(FUNCTIONS, "requests", 0.20, LAMBDA_PRICING),
            "compute": price(FUNCTIONS, "compute", compute, LAMBDA_PRICING),
        },
        free={
            "requests": allowance(FUNCTIONS, "requests", 1_000_000, LAMBDA_PRICING),
            "compute": allowance(FUNCTIONS, "compute", 400_000, LAMBDA_PRICING),
        },
        granularity_ms=1,
    )


def cloud_run_plan(option: str = "serverless") -> Plan:
    """Google Cloud Run, us-central1, request-based billing: $0.000024 per vCPU-s, $0.0000025
    per GiB-s, $0.40 per million requests; free tier 180,000 vCPU-s, 360,000 GiB-s and
    2,000,000 requests a month; billed per 100 ms."""
    return Plan(
        "cloud-run",
        "Google Cloud Run",
        option,
        CONTAINERS,
        "us-central1",
        prices={
            "requests": price(CONTAINERS, "requests", 0.40, CLOUD_RUN_PRICING),
            "cpu": price(CONTAINERS, "cpu", 0.000024, CLOUD_RUN_PRICING),
            "memory": price(CONTAINERS, "memory", 0.0000025, CLOUD_RUN_PRICING),
        },
        free={
            "requests": allowance(CONTAINERS, "requests", 2_000_000, CLOUD_RUN_PRICING),
            "cpu": allowance(CONTAINERS, "cpu", 180_000, CLOUD_RUN_PRICING),
            "memory": allowance(CONTAINERS, "memory", 360_000, CLOUD_RUN_PRICING),
        },
        granularity_ms=100,
    )


M7G_LARGE = node("m7g.large", 2, 8, 0.0816, EC2_PRICING)  # 2 vCPU, 8 GiB
M7G_XLARGE = node("m7g.xlarge", 4, 16, 0.1632, EC2_PRICING)  # 4 vCPU, 16 GiB
E2_STANDARD_2 = node("e2-standard-2", 2, 8, 0.067006, GCE_PRICING)  # 2 vCPU, 8 GB
E2_STANDARD_4 = node("e2-standard-4", 4, 16, 0.134012, GCE_PRICING)  # 4 vCPU, 16 GB


def eks_plan(option: str = "kubernetes", nodes: tuple[Node, ...] = (M7G_LARGE,)) -> Plan:
    """Amazon EKS: control plane $0.10 an hour; EC2 on-demand nodes (us-east-1)."""
    return Plan(
        "eks",
        "Amazon EKS",
        option,
        CLUSTER,
        "us-east-1",
        prices={"control_plane": price(CLUSTER, "control_plane", 0.10, EKS_PRICING)},
        nodes=nodes,
    )


def gke_plan(option: str = "kubernetes", nodes: tuple[Node, ...] = (E2_STANDARD_2,)) -> Plan:
    """GKE: control plane $0.10 an hour less a $74.40 monthly credit; Compute Engine
    on-demand nodes (us-central1)."""
    return Plan(
        "gke",
        "Google Kubernetes Engine",
        option,
        CLUSTER,
        "us-central1",
        prices={"control_plane": price(CLUSTER, "control_plane", 0.10, GKE_PRICING)},
        free={"control_plane": allowance(CLUSTER, "control_plane", 74.40, GKE_PRICING)},
        nodes=nodes,
    )


def amounts(cost) -> dict[str, float]:
    """A plan's bill as {label: dollars}."""
    return {line.label: line.amount for line in cost.lines}


def approx(value: float):
    return pytest.approx(value, abs=CENT)


def test_plans_use_the_models_units():
    for plan in (lambda_plan(), lambda_plan(arm=True), cloud_run_plan(), eks_plan(), gke_plan()):
        for key, rate in plan.prices.items():
            assert rate.unit == PRICE_UNITS[plan.kind][key]
        for key, rate in plan.free.items():
            assert rate.unit == FREE_UNITS[plan.kind][key]
        assert all(n.price.unit == NODE_UNIT for n in plan.nodes)
        assert all(
            rate.checked == CHECKED and rate.source.startswith("https://") for rate in plan.rates()
        )


# --- 1. Lambda x86 (the spec's case) --------------------------------------------------------


def test_lambda_x86_with_free_tier():
    """10 M requests of 200 ms at 512 MB, free tier on:
    requests  (10,000,000 − 1,000,000) / 1,000,000 × $0.20 = 9 × 0.20         = $1.80
    compute   10,000,000 × 0.2 s × 0.5 GB = 1,000,000 GB-s, less 400,000 free
              = 600,000 × $0.0000166667                                       = $10.00
    total                                                                     = $11.80"""
    inputs = Inputs(requests_per_month=10_000_000, duration_ms=200, memory_mb=512)
    cost = plan_cost(lambda_plan(), inputs)
    assert amounts(cost) == {"Requests": approx(1.80), "Compute": approx(10.00)}
    assert cost.total == approx(11.80)
    assert "1,000,000 GB-seconds less 400,000 free" in cost.lines[1].detail


# --- 2. EKS at its minimum of two nodes (the spec's case) -----------------------------------


def test_eks_at_the_minimum_of_two_nodes():
    """Control plane 730 h × $0.10 = $73.00; nodes 2 × m7g.large × 730 h × $0.0816 = $119.14
    (119.136); total $192.14.

    The pods at the peak need fewer: 10 M × 200 ms / 1000 / 2,628,000 s = 0.761 in flight,
    × 3 (peak) / 10 (concurrency) = 0.228 pods of 1 vCPU and 0.5 GiB; by CPU
    ⌈0.228 × 1 / (2 × 0.6)⌉ = 1 node, by memory ⌈0.228 × 0.5 / (8 × 0.6)⌉ = 1, so the
    minimum of 2 applies."""
    inputs = Inputs(
        requests_per_month=10_000_000,
        duration_ms=200,
        memory_mb=512,
        vcpu=1,
        concurrency=10,
        peak_to_average=3,
        min_nodes=2,
        utilisation=0.6,
    )
    assert nodes_needed(M7G_LARGE, inputs) == 2
    cost = plan_cost(eks_plan(), inputs)
    assert amounts(cost) == {"Control plane": approx(73.00), "Nodes": approx(119.14)}
    assert cost.total == approx(192.14)
    assert "2 × m7g.large (the minimum) × 730 hours" in cost.lines[1].detail


# --- 3. Where Lambda crosses that cluster (the spec's case) ---------------------------------

# Lambda x86 at 512 MB and 100 ms, free tier on, N requests (N > 8,000,000, past both free
# allowances):
#   requests  (N − 1,000,000) / 1,000,000 × 0.20          = N × 0.2/1e6 − 0.20
#   compute   (N × 0.1 × 0.5 − 400,000) × 0.0000166667    = N × 8.33335e-7 − 6.66668
#   total     N × 1.033335e-6 − 6.86668
# The cluster stays at $192.136 (2 nodes), so they meet at
#   N = (192.136 + 6.86668) / 1.033335e-6 = 199.00268 / 1.033335e-6 = 192,582,928.09
# and Lambda is dearer from the next whole request, 192,582,929: about 193 M a month.
CROSSING = 192_582_929
CROSSING_INPUTS = Inputs(
    duration_ms=100,
    memory_mb=512,
    vcpu=1,
    concurrency=10,
    peak_to_average=3,
    min_nodes=2,
    utilisation=0.6,
    hourly_rate=0,
)


def test_lambda_crosses_the_eks_cluster_at_about_193_million():
    # At the crossing the cluster is still at 2 nodes: 192.6 M × 0.1 s / 2,628,000 s = 7.33
    # in flight, × 3 / 10 = 2.2 pods; by CPU ⌈2.2 / (2 × 0.6)⌉ = 2; by memory ⌈1.1 / 4.8⌉ = 1.
    assert nodes_needed(M7G_LARGE, CROSSING_INPUTS.at(CROSSING)) == 2
    plans = [lambda_plan(), eks_plan()]
    assert total(plans, "kubernetes", CROSSING_INPUTS.at(CROSSING)) == approx(192.14)
    assert total(plans, "serverless", CROSSING_INPUTS.at(CROSSING)) == approx(192.14)

    volume = break_even(
        lambda v: total(plans, "serverless", CROSSING_INPUTS.at(v)),
        lambda v: total(plans, "kubernetes", CROSSING_INPUTS.at(v)),
    )
    assert volume is not None
    assert abs(volume - CROSSING) <= 2
    assert round(volume / 1e6) == 193

    result = estimate(plans, CROSSING_INPUTS.at(10_000_000), ["serverless", "kubernetes"])
    [even] = result.break_evens
    assert (even.first, even.second) == ("serverless", "kubernetes")
    assert abs(even.volume - CROSSING) <= 2
    # The curves are drawn through the break-even and the visitor's volume.
    for curve in result.curves.values():
        assert {10_000_000, even.volume} <= {v for v, _ in curve}


# --- 4. Cloud Run, 20 requests an instance, 150 ms billed as 200 ms -------------------------


def test_cloud_run_concurrency_and_100_ms_granularity():
    """50 M requests of 150 ms (billed in 100 ms steps: 200 ms), 1 vCPU, 2048 MB, 20 at once:
    instance seconds  50,000,000 × 0.2 s / 20                           = 500,000 s
    requests  (50,000,000 − 2,000,000) / 1,000,000 × $0.40 = 48 × 0.40    = $19.20
    CPU       500,000 × 1 vCPU = 500,000 vCPU-s − 180,000 free = 320,000
              × $0.000024                                                = $7.68
    memory    500,000 × 2 GiB = 1,000,000 GiB-s − 360,000 free = 640,000
              × $0.0000025                                               = $1.60
    total                                                                = $28.48"""
    assert billed_ms(150, 100) == 200
    assert billed_ms(200, 100) == 200
    inputs = Inputs(
        requests_per_month=50_000_000, duration_ms=150, memory_mb=2048, vcpu=1, concurrency=20
    )
    cost = plan_cost(cloud_run_plan(), inputs)
    assert amounts(cost) == {
        "Requests": approx(19.20),
        "CPU": approx(7.68),
        "Memory": approx(1.60),
    }
    assert cost.total == approx(28.48)


# --- 5. Lambda on Arm -----------------------------------------------------------------------


def test_lambda_arm():
    """As case 1 on Arm: requests $1.80; compute 600,000 GB-s × $0.0000133334 = $8.00;
    total $9.80. Both plans of one option: the option costs the cheaper, Arm."""
    inputs = Inputs(requests_per_month=10_000_000, duration_ms=200, memory_mb=512)
    cost = plan_cost(lambda_plan(arm=True), inputs)
    assert amounts(cost) == {"Requests": approx(1.80), "Compute": approx(8.00)}
    assert cost.total == approx(9.80)

    [option] = option_costs([lambda_plan(), lambda_plan(arm=True)], inputs, ["serverless"])
    assert [p.plan.slug for p in option.plans] == ["aws-lambda-arm", "aws-lambda"]
    assert option.total == approx(9.80 + 100 * 0)


# --- 6. Free tiers left out -----------------------------------------------------------------


def test_free_tier_off():
    """Case 1 without the free tier:
    requests  10,000,000 / 1,000,000 × $0.20         = $2.00
    compute   1,000,000 GB-s × $0.0000166667         = $16.67 (16.6667)
    total                                            = $18.67
    Case 4 (Cloud Run) without it:
    requests  50 × $0.40 = $20.00; CPU 500,000 × $0.000024 = $12.00;
    memory    1,000,000 × $0.0000025 = $2.50; total $34.50"""
    lam = plan_cost(
        lambda_plan(),
        Inputs(requests_per_month=10_000_000, duration_ms=200, memory_mb=512, free_tier=False),
    )
    assert amounts(lam) == {"Requests": approx(2.00), "Compute": approx(16.67)}
    assert lam.total == approx(18.67)
    assert "free" not in lam.lines[1].detail

    run = plan_cost(
        cloud_run_plan(),
        Inputs(
            requests_per_month=50_000_000,
            duration_ms=150,
            memory_mb=2048,
            vcpu=1,
            concurrency=20,
            free_tier=False,
        ),
    )
    assert amounts(run) == {"Requests": approx(20.00), "CPU": approx(12.00), "Memory": approx(2.50)}
    assert run.total == approx(34.50)


def test_free_tier_off_leaves_out_the_gke_credit():
    """GKE's $74.40 monthly credit is its free tier (it is a `free` allowance, as Lambda's and
    Cloud Run's are): with free tiers left out, the control plane costs 730 × $0.10 = $73.00,
    and the bill is $73.00 + 2 × 730 × $0.067006 ($97.83) = $170.83."""
    cost = plan_cost(gke_plan(), Inputs(free_tier=False))
    assert amounts(cost) == {"Control plane": approx(73.00), "Nodes": approx(97.83)}
    assert cost.total == approx(170.83)


# --- 7. GKE's credit ------------------------------------------------------------------------


def test_gke_credit_brings_the_control_plane_to_zero_never_below():
    """730 h × $0.10 = $73.00, less the $74.40 credit, of which only $73.00 is used: $0.00
    (not −$1.40). Nodes 2 × 730 h × $0.067006 = $97.83 (97.82876); total $97.83."""
    cost = plan_cost(gke_plan(), Inputs())
    plane, nodes = cost.lines
    assert plane.amount == approx(0.00)
    assert plane.amount >= 0
    assert "less a $73 monthly credit" in plane.detail
    assert nodes.amount == approx(97.83)
    assert cost.total == approx(97.83)

    # A pricier control plane uses the whole credit: 730 × $0.20 = $146.00 − $74.40 = $71.60.
    dear = gke_plan()
    dear = Plan(
        **{
            **dear.__dict__,
            "prices": {"control_plane": price(CLUSTER, "control_plane", 0.20, GKE_PRICING)},
        }
    )
    assert amounts(plan_cost(dear, Inputs()))["Control plane"] == approx(71.60)


# --- 8. Nodes sized by the peak, and by memory ----------------------------------------------


def test_nodes_sized_for_the_peak_by_memory():
    """2,628,000,000 requests a month (1,000 a second) of 100 ms: 2.628e9 × 0.1 / 2,628,000
    = 100 in flight on average, × 4 at the peak = 400, / 10 at once = 40 pods of 0.25 vCPU
    and 2048 MB, on m7g.large (2 vCPU, 8 GiB) at 80 %:
      by CPU     ⌈40 × 0.25 / (2 × 0.8)⌉ = ⌈6.25⌉ = 7
      by memory  ⌈40 × 2 / (8 × 0.8)⌉   = ⌈12.5⌉ = 13   ← decides (the minimum is 2)
    (Sized for the average, 10 pods, memory would ask for ⌈3.125⌉ = 4.)
    nodes  13 × 730 h × $0.0816 = $774.38 (774.384); control plane $73.00; total $847.38"""
    inputs = Inputs(
        requests_per_month=2_628_000_000,
        duration_ms=100,
        memory_mb=2048,
        vcpu=0.25,
        concurrency=10,
        peak_to_average=4,
        min_nodes=2,
        utilisation=0.8,
    )
    assert nodes_needed(M7G_LARGE, inputs) == 13
    # The same pods with little memory are sized by CPU, 7; at the average, by memory, 4.
    assert nodes_needed(M7G_LARGE, Inputs(**{**inputs.__dict__, "memory_mb": 256})) == 7
    assert nodes_needed(M7G_LARGE, Inputs(**{**inputs.__dict__, "peak_to_average": 1})) == 4

    cost = plan_cost(eks_plan(), inputs)
    assert amounts(cost) == {"Control plane": approx(73.00), "Nodes": approx(774.38)}
    assert cost.total == approx(847.38)
    assert "13 × m7g.large × 730" in cost.lines[1].detail
    assert "minimum" not in cost.lines[1].detail


# --- 9. Lambda at the 1 ms granularity, and a bill inside the free tier ---------------------


def test_lambda_inside_the_free_tier_and_at_1_ms():
    """1,000,000 requests of 137 ms (billed as 137 ms: the granularity is 1 ms) at 1024 MB:
    requests  max(0, 1,000,000 − 1,000,000)                     = $0.00
    compute   1,000,000 × 0.137 s × 1 GB = 137,000 GB-s < 400,000 = $0.00
    At 5,000,000 requests: requests 4 × $0.20 = $0.80; compute 5,000,000 × 0.137 = 685,000
    − 400,000 = 285,000 × $0.0000166667 = $4.75 (4.7500095); total $5.55."""
    inputs = Inputs(requests_per_month=1_000_000, duration_ms=137, memory_mb=1024)
    cost = plan_cost(lambda_plan(), inputs)
    assert amounts(cost) == {"Requests": 0.0, "Compute": 0.0}
    assert cost.total == 0.0
    cost = plan_cost(lambda_plan(), inputs.at(5_000_000))
    assert amounts(cost) == {"Requests": approx(0.80), "Compute": approx(4.75)}
    assert cost.total == approx(5.55)
    # Kept-warm instances are left out of the model, and said to be.
    assert "instances kept warm" in LEFT_OUT


# --- 10. People's time decides -------------------------------------------------------------


def test_peoples_time_decides_the_cheapest_option():
    """500 M requests of 100 ms at 512 MB, 1 vCPU pods, 10 at once, peak 3, 60 %:
    Lambda    requests (500 − 1) × $0.20 = $99.80; compute 500 M × 0.1 × 0.5 = 25,000,000
              GB-s − 400,000 = 24,600,000 × $0.0000166667 = $410.00; plan $509.80
    EKS       500 M × 0.1 / 2,628,000 = 19.03 in flight × 3 / 10 = 5.71 pods;
              ⌈5.71 / (2 × 0.6)⌉ = 5 nodes × 730 × $0.0816 = $297.84, + $73.00 = $370.84
    The plans alone favour Kubernetes (by $138.96). With people at $100 an hour:
    serverless  $509.80 + 2 h × $100  = $709.80   ← cheapest
    kubernetes  $370.84 + 20 h × $100 = $2,370.84"""
    plans = [lambda_plan(), eks_plan()]
    inputs = Inputs(
        requests_per_month=500_000_000,
        duration_ms=100,
        memory_mb=512,
        vcpu=1,
        concurrency=10,
        peak_to_average=3,
        utilisation=0.6,
        hourly_rate=100,
        hours={"serverless": 2, "kubernetes": 20},
    )
    result = estimate(plans, inputs, ["serverless", "kubernetes"])
    serverless, kubernetes = result.options
    assert serverless.cheapest.total == approx(509.80)
    assert kubernetes.cheapest.total == approx(370.84)
    assert amounts(kubernetes.cheapest) == {"Control plane": approx(73.00), "Nodes": approx(297.84)}
    assert kubernetes.cheapest.total < serverless.cheapest.total
    assert serverless.people.amount == approx(200.00)
    assert kubernetes.people.amount == approx(2000.00)
    assert serverless.total == approx(709.80)
    assert kubernetes.total == approx(2370.84)
    assert result.cheapest.option == "serverless"

    # Without people's time the plans decide.
    alone = estimate(
        plans, Inputs(**{**inputs.__dict__, "hours": {}}), ["serverless", "kubernetes"]
    )
    assert alone.cheapest.option == "kubernetes"


# --- 11. A node type from another cloud -----------------------------------------------------


def test_node_for_picks_the_closest_node_of_the_plan():
    """Asked for m7g.large (2 vCPU, 8 GiB), a GKE plan offering e2-standard-4 (first) and
    e2-standard-2 prices e2-standard-2, the closest in size; asked for e2-standard-4, an EKS
    plan offering m7g.large and m7g.xlarge prices m7g.xlarge. A plan's own node is itself;
    an unknown slug gets the plan's first node.
    GKE at the minimum on e2-standard-2: 2 × 730 × $0.067006 = $97.83."""
    eks = eks_plan(nodes=(M7G_LARGE, M7G_XLARGE))
    gke = gke_plan(nodes=(E2_STANDARD_4, E2_STANDARD_2))
    nodes = all_nodes([eks, gke])
    assert node_for(gke, "m7g.large", nodes) == E2_STANDARD_2
    assert node_for(gke, "m7g.xlarge", nodes) == E2_STANDARD_4
    assert node_for(eks, "e2-standard-4", nodes) == M7G_XLARGE
    assert node_for(eks, "e2-standard-2", nodes) == M7G_LARGE
    assert node_for(gke, "e2-standard-2", nodes) == E2_STANDARD_2
    assert node_for(gke, "no-such-node", nodes) == E2_STANDARD_4

    cost = plan_cost(gke, Inputs(node_type="m7g.large"), nodes)
    assert amounts(cost) == {"Control plane": approx(0.00), "Nodes": approx(97.83)}
    assert "e2-standard-2" in cost.lines[1].detail


def test_default_node_type_is_the_first_node_of_the_first_cluster_plan():
    """`Inputs.node_type` "" stands for the first node of the first cluster plan (m7g.large
    here), so every other cluster plan prices the node closest to it, as if it had been
    named: GKE's e2-standard-2 ($97.83 at the minimum), not its first node, e2-standard-4
    (2 × 730 × $0.134012 = $195.66)."""
    eks = eks_plan(nodes=(M7G_LARGE, M7G_XLARGE))
    gke = gke_plan(nodes=(E2_STANDARD_4, E2_STANDARD_2))
    nodes = all_nodes([eks, gke])
    named = plan_cost(gke, Inputs(node_type="m7g.large"), nodes)
    default = plan_cost(gke, Inputs(node_type=""), nodes)
    assert default.lines == named.lines
    assert default.total == approx(97.83)


# --- 12. A break-even after a tie -----------------------------------------------------------


def test_a_break_even_after_a_tie_names_the_option_cheaper_from_there():
    """Lambda and Cloud Run at 200 ms, 512 MB, 10 at once, no people's time: both cost $0.00
    at the bottom of the range (inside their free tiers). Lambda leaves its free tier first:
    at 1,000,001 requests it bills 1 request × $0.20 / 1,000,000 = $0.0000002 (its compute,
    1,000,001 × 0.2 × 0.5 = 100,000 GB-s, is still free), Cloud Run still $0.00 (free up to
    2,000,000 requests, 180,000 / (0.2 / 10) = 9,000,000 for CPU). So the cheaper of the two
    changes at 1,000,001, from neither to Cloud Run: Cloud Run is the `second`, the option
    cheaper from the volume up, whichever order the options come in."""
    plans = [lambda_plan("functions"), cloud_run_plan("containers")]
    inputs = Inputs(duration_ms=200, memory_mb=512, concurrency=10, hours={})
    assert total(plans, "functions", inputs.at(1_000)) == 0
    assert total(plans, "containers", inputs.at(1_000)) == 0
    assert total(plans, "functions", inputs.at(1_000_001)) == pytest.approx(2e-7)
    assert total(plans, "containers", inputs.at(1_000_001)) == 0
    for options in (["functions", "containers"], ["containers", "functions"]):
        [even] = estimate(plans, inputs, options).break_evens
        assert even.volume == 1_000_001
        assert (even.first, even.second) == ("functions", "containers"), options
