"""Prices are content: the fixture format checks them, the database keeps them, export returns
them, and `estimate_cost` prints an estimate made from them."""

import io
import json
from datetime import date

import pytest
from django.core.management import CommandError, call_command

from decision import costs
from decision.content.files import dump_text, parse_text
from decision.content.schema import validate
from decision.content.store import read_comparison
from decision.estimates import plans_of, suggested
from decision.health_report import health_report
from decision.models import Node, Plan, Price
from tests.factories import comparison_data, load_data, load_flagship, modified, to_yaml

FLAGSHIP = "kubernetes-vs-serverless"


def priced(**kwargs) -> dict:
    return comparison_data("priced", plans=1, **kwargs)


def problems(data: dict) -> list[tuple[str, str]]:
    return validate(data)[1]


def test_a_priced_comparison_is_valid():
    assert problems(priced()) == []


@pytest.mark.parametrize(
    ("change", "path", "words"),
    [
        (
            lambda d: d["options"][0]["plans"][0]["prices"]["requests"].update(amount=-0.2),
            "options[0].plans[0].prices.requests.amount",
            "greater than or equal to 0",
        ),
        (
            lambda d: d["options"][0]["plans"][0]["prices"]["requests"].pop("amount"),
            "options[0].plans[0].prices.requests.amount",
            "required, but missing",
        ),
        (
            lambda d: d["options"][0]["plans"][0]["prices"].pop("compute"),
            "options[0].plans[0].prices",
            "needs its 'compute' price",
        ),
        (
            lambda d: d["options"][0]["plans"][0]["prices"]["requests"].update(
                unit="usd-per-request"
            ),
            "options[0].plans[0].prices.requests.unit",
            "'usd-per-request' is not the unit for 'requests': use 'usd-per-million-requests'",
        ),
        (
            lambda d: d["options"][0]["plans"][0]["prices"].update(
                gpu={
                    "amount": 1,
                    "unit": "usd-per-hour",
                    "source": "https://example.com/p",
                    "checked": "2026-11-01",
                }
            ),
            "options[0].plans[0].prices.gpu",
            "'gpu' is not a price item of a functions plan",
        ),
        (
            lambda d: d["options"][1]["plans"][0].update(nodes=[]),
            "options[1].plans[0].nodes",
            "a cluster plan needs at least one node type",
        ),
        (
            lambda d: d["options"][1]["plans"][0]["nodes"][0]["price"].update(unit="usd-per-day"),
            "options[1].plans[0].nodes[0].price.unit",
            "use 'usd-per-hour'",
        ),
        (
            lambda d: d["options"][0]["plans"][0]["prices"]["requests"].update(checked="soon"),
            "options[0].plans[0].prices.requests.checked",
            "date",
        ),
        (
            lambda d: d["options"][0]["plans"][0]["prices"]["requests"].update(source="ftp://x"),
            "options[0].plans[0].prices.requests.source",
            "must be an http(s) URL",
        ),
        (
            lambda d: d["options"][0]["plans"][0].update(kind="mainframe"),
            "options[0].plans[0].kind",
            "functions",
        ),
        (
            lambda d: d["options"][1]["plans"][0].update(slug="option-1-functions-1"),
            "options[1].plans[0].slug",
            "duplicate plan slug 'option-1-functions-1'",
        ),
        (
            lambda d: d.update(estimate_defaults={"requests": 5}),
            "estimate_defaults.requests",
            "'requests' is not an estimate input",
        ),
        (
            lambda d: d.update(estimate_defaults={"memory_mb": 5}),
            "estimate_defaults.memory_mb",
            "must be a number from 128 to 32768",
        ),
        (
            lambda d: d["questions"][0]["choices"][0].update(estimate={"node_type": "z9"}),
            "questions[0].choices[0].estimate.node_type",
            "'z9' is not a node type",
        ),
        (
            lambda d: d.update(estimate_defaults={"hours_option-9": 5}),
            "estimate_defaults.hours_option-9",
            "is not an estimate input",
        ),
    ],
)
def test_the_schema_refuses_a_bad_price_with_its_path(change, path, words):
    found = problems(modified(priced(), change))
    assert any(where == path and words in message for where, message in found), found


def test_a_fixture_file_names_the_line_of_a_bad_price():
    text = to_yaml(
        modified(
            priced(), lambda d: d["options"][0]["plans"][0]["prices"]["compute"].update(amount=-1)
        )
    )
    with pytest.raises(Exception) as error:
        parse_text(text, file="priced.yaml")
    assert "priced.yaml: options[0].plans[0].prices.compute.amount" in str(error.value)


@pytest.mark.django_db
def test_plans_round_trip_through_the_database_and_export():
    comparison = load_data(priced())
    assert Plan.objects.filter(option__comparison=comparison).count() == 2
    assert Price.objects.filter(plan__option__comparison=comparison).count() == 4
    assert Node.objects.filter(plan__option__comparison=comparison).count() == 1
    read = read_comparison("priced")
    again = parse_text(dump_text(read), file="export.yaml")
    assert again == read
    assert read.options[0].plans[0].prices["compute"].amount == 0.0000166667
    assert read.options[1].plans[0].nodes[0].price.checked == date(2026, 11, 1)


@pytest.mark.django_db
def test_reloading_changed_prices_updates_them_and_removes_plans_that_left():
    load_data(priced())
    changed = modified(
        priced(),
        lambda d: (
            d["options"][0]["plans"][0]["prices"]["compute"].update(amount=0.00002),
            d["options"][1].update(plans=[]),
        ),
    )
    load_data(changed)
    read = read_comparison("priced")
    assert read.options[0].plans[0].prices["compute"].amount == 0.00002
    assert read.options[1].plans == []
    assert not Node.objects.exists()


@pytest.mark.django_db
def test_the_flagship_prices_give_the_reference_cases():
    """The fixture holds the public prices the reference cases in test_costs are worked from."""
    load_flagship()
    content = read_comparison(FLAGSHIP)
    plans = {plan.slug: plan for plan in plans_of(content)}
    inputs = costs.Inputs(requests_per_month=10_000_000, duration_ms=200, memory_mb=512)
    # Requests (10 M − 1 M) × $0.20/M = $1.80; compute 10 M × 0.2 s × 0.5 GB = 1,000,000 GB-s,
    # less 400,000 free = 600,000 × $0.0000166667 = $10.00; total $11.80.
    assert costs.plan_cost(plans["lambda-x86"], inputs).total == pytest.approx(11.80, abs=0.005)
    nodes = costs.all_nodes(list(plans.values()))
    eks = costs.plan_cost(plans["eks"], costs.Inputs(node_type="m7g-large"), nodes)
    # 730 h × $0.10 = $73.00, plus 2 × 730 h × $0.0816 = $119.14
    assert eks.total == pytest.approx(192.14, abs=0.005)


@pytest.mark.django_db
def test_answers_suggest_the_volume_and_peoples_time_and_say_so():
    load_flagship()
    content = read_comparison(FLAGSHIP)
    heavy = next(c for q in content.questions if q.slug == "volume" for c in q.choices)
    team = next(c for q in content.questions if q.slug == "team" for c in q.choices)
    hints = suggested(content, {"traffic": "steady", "volume": heavy.slug, "team": team.slug})
    assert hints.values["requests_per_month"] == heavy.estimate["requests_per_month"]
    assert hints.origins["requests_per_month"] == f"your answer “{heavy.label}”"
    assert hints.values["hours_kubernetes"] == team.estimate["hours_kubernetes"]
    unanswered = suggested(content, {"volume": "not-sure"})
    assert unanswered.values["hours_kubernetes"] == content.estimate_defaults["hours_kubernetes"]
    assert unanswered.origins["hours_kubernetes"] == "this comparison's default"
    assert unanswered.origins["duration_ms"] == "an assumption of ours"


def test_content_health_lists_prices_checked_more_than_180_days_ago():
    content, _ = validate(priced())
    assert health_report(content, today=date(2027, 4, 30)).stale_facts == ()
    stale = health_report(content, today=date(2027, 5, 1)).stale_facts
    assert {fact.path for fact in stale} == {
        "options[0].plans[0].prices.requests",
        "options[0].plans[0].prices.compute",
        "options[0].plans[0].free.requests",
        "options[1].plans[0].prices.control_plane",
        "options[1].plans[0].nodes[0]",
    }
    compute = next(fact for fact in stale if fact.path.endswith("compute"))
    assert compute.as_of == "2026-11-01"
    assert compute.sources == ("https://example.com/pricing",)
    assert compute.figures == ("1.66667e-05 usd-per-gb-second",)


def run(*args) -> str:
    out = io.StringIO()
    call_command("estimate_cost", *args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_estimate_cost_prints_the_estimate_as_json():
    load_flagship()
    data = json.loads(
        run(
            FLAGSHIP,
            "requests_per_month=10000000",
            "duration_ms=200",
            "memory_mb=512",
            "hours_kubernetes=0",
            "hours_serverless=0",
        )
    )
    assert data["inputs"]["requests_per_month"] == {"value": 10_000_000, "from": "yours"}
    assert data["inputs"]["concurrency"]["from"] == "an assumption of ours"
    serverless = next(o for o in data["options"] if o["option"] == "serverless")
    lambda_x86 = next(p for p in serverless["plans"] if p["plan"] == "lambda-x86")
    assert lambda_x86["monthly_total"] == 11.80
    assert [line["amount"] for line in lambda_x86["lines"]] == [1.80, 10.00]
    kubernetes = next(o for o in data["options"] if o["option"] == "kubernetes")
    eks = next(p for p in kubernetes["plans"] if p["plan"] == "eks")
    assert eks["monthly_total"] == 192.14
    # Each option's figure is its cheapest plan, and the plans are listed cheapest first.
    for option in data["options"]:
        totals = [plan["monthly_total"] for plan in option["plans"]]
        assert totals == sorted(totals)
        assert option["monthly_total"] == totals[0]
    assert "not a quote" in data["note"]


@pytest.mark.django_db
def test_estimate_cost_omitted_keys_take_their_stated_defaults():
    load_flagship()
    data = json.loads(run(FLAGSHIP))
    assert data["inputs"]["requests_per_month"]["value"] == 10_000_000
    assert data["inputs"]["hours_kubernetes"] == {"value": 40, "from": "this comparison's default"}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("argument", "message"),
    [
        ("requests=5", "'requests' is not an input of the estimate"),
        ("requests_per_month=-5", "requests_per_month=-5: Ensure this value is greater than"),
        ("duration_ms=fast", "duration_ms=fast: Enter a number"),
        ("node_type=t2-nano", "node_type=t2-nano: Select a valid choice"),
        ("memory_mb", "'memory_mb' is not KEY=VALUE"),
    ],
)
def test_estimate_cost_refuses_bad_input_with_a_clear_error(argument, message):
    load_flagship()
    with pytest.raises(CommandError) as error:
        run(FLAGSHIP, argument)
    assert message in str(error.value)


@pytest.mark.django_db
def test_estimate_cost_exits_non_zero_on_bad_input(capsys):
    load_flagship()
    from decision.management.commands.estimate_cost import Command

    with pytest.raises(SystemExit) as exit_:  # as `manage.py estimate_cost …` runs it
        Command().run_from_argv(["manage.py", "estimate_cost", FLAGSHIP, "memory_mb=-1"])
    assert exit_.value.code == 1
    assert "memory_mb=-1" in capsys.readouterr().err


@pytest.mark.django_db
def test_estimate_cost_names_a_comparison_without_prices():
    load_data(comparison_data("unpriced"))
    with pytest.raises(CommandError, match="'unpriced' has no price plans"):
        run("unpriced")
