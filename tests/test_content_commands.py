"""load_content and export_content: atomic, idempotent, removing, round-tripping."""

import io

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command

from decision.models import (
    Assessment,
    Choice,
    ChoiceWeight,
    Comparison,
    ContentSnapshot,
    Dimension,
    Option,
    Question,
    Result,
    RuleOut,
    Scenario,
)
from tests.factories import (
    FLAGSHIP,
    comparison_data,
    modified,
    sourced,
    with_parts,
    write_fixture,
)

pytestmark = pytest.mark.django_db

# What visitors made, not content: loading a file never writes these.
VISITOR_DATA = {Result, ContentSnapshot}


def content_tables() -> list:
    """Every table of the app except visitor data, many-to-many link tables included."""
    return [
        model
        for model in apps.get_app_config("decision").get_models(include_auto_created=True)
        if not model._meta.proxy and model not in VISITOR_DATA
    ]


def snapshot() -> dict:
    """Every content row with its primary key, so any write shows up as a difference."""
    return {model._meta.db_table: sorted(model.objects.values_list()) for model in content_tables()}


def load(*paths):
    out = io.StringIO()
    call_command("load_content", *[str(p) for p in paths], stdout=out)
    return out.getvalue()


def export(slug, *args):
    out = io.StringIO()
    call_command("export_content", slug, *args, stdout=out)
    return out.getvalue()


def test_load_reports_each_comparison(tmp_path):
    path = write_fixture(tmp_path, comparison_data())
    assert load(path) == "Loaded demo\n"
    comparison = Comparison.objects.get(slug="demo")
    assert comparison.options.count() == 2
    assert comparison.dimensions.count() == 3
    assert Assessment.objects.filter(dimension__comparison=comparison).count() == 6


def test_invalid_second_file_changes_nothing(tmp_path):
    data = comparison_data("first", questions=4)  # three answers left once one is removed
    data["scenarios"] = [
        {
            "slug": "all-first",
            "name": "Everything favours the first option",
            "answers": {q["slug"]: "favour-option-1" for q in data["questions"]},
            "outcome": "option-1",
        }
    ]
    first = write_fixture(tmp_path, data)
    load(first)
    before = snapshot()
    wizard = (Question, Choice, ChoiceWeight, RuleOut, Scenario, Choice.dimensions.through)
    assert all(before[model._meta.db_table] for model in wizard)  # the check covers them

    def change_everything(d):
        d.update(title="Changed")
        d["questions"][0]["prompt"] = "A changed question?"
        d["questions"][0]["choices"][0]["label"] = "A changed answer"
        d["questions"][0]["choices"][0]["weights"]["option-1"] = 1.5
        d["questions"][0]["choices"][0]["dimensions"] = []
        d["questions"][0]["choices"][-1]["rules_out"][0]["reason"] = "A changed limit."
        removed = d["questions"].pop()
        d["scenarios"][0]["answers"].pop(removed["slug"])
        d["scenarios"][0]["name"] = "A changed scenario"

    changed_first = write_fixture(tmp_path, modified(data, change_everything))
    broken = write_fixture(
        tmp_path,
        modified(comparison_data("second"), lambda d: d["dimensions"][0].update(winner="nope")),
    )
    with pytest.raises(CommandError) as caught:
        load(changed_first, broken)

    message = str(caught.value)
    assert "1 problem found; nothing was loaded." in message
    assert f"{broken}: dimensions[0].winner: 'nope' is not an option" in message
    assert snapshot() == before
    assert Comparison.objects.get(slug="first").title == "Comparison first"
    assert not Comparison.objects.filter(slug="second").exists()

    load(changed_first)  # the same change on its own is written, in every table it touches
    after = snapshot()
    for model in (Comparison, *wizard):
        table = model._meta.db_table
        assert after[table] != before[table], table


def test_loading_the_same_file_twice_changes_nothing(tmp_path):
    path = write_fixture(tmp_path, comparison_data(options=3, dimensions=5, faq=4))
    load(path)
    before = snapshot()
    stamp = Comparison.objects.get().updated_at
    load(path)
    assert snapshot() == before
    assert Comparison.objects.get().updated_at == stamp


def test_rows_removed_from_the_file_are_removed(tmp_path):
    load(write_fixture(tmp_path, comparison_data(options=3, dimensions=4, faq=3, questions=0)))

    def shrink(data):
        data["options"].pop()
        for dimension in data["dimensions"]:
            dimension["assessments"].pop("option-3")
            if dimension["winner"] == "option-3":
                dimension["winner"] = "tie"
        data["dimensions"].pop(1)
        data["faq"].pop(0)
        data["options"][0]["pros"].pop()
        data["options"][0]["criteria"].pop()

    load(
        write_fixture(
            tmp_path, modified(comparison_data(options=3, dimensions=4, faq=3, questions=0), shrink)
        )
    )
    comparison = Comparison.objects.get()
    assert [o.slug for o in comparison.options.all()] == ["option-1", "option-2"]
    assert [d.slug for d in comparison.dimensions.all()] == [
        "dimension-1",
        "dimension-3",
        "dimension-4",
    ]
    assert [f.question for f in comparison.faq_entries.all()] == ["Question 2?", "Question 3?"]
    first = comparison.options.get(slug="option-1")
    assert [p.text for p in first.pros] == ["Pro 1 of option 1"]
    assert [c.slug for c in first.criteria.all()] == ["option-1-when-1"]
    assert not Assessment.objects.filter(option__slug="option-3").exists()


def test_reordering_in_the_file_reorders_the_page_data(tmp_path):
    data = comparison_data(dimensions=3)
    load(write_fixture(tmp_path, data))
    data["dimensions"].reverse()
    load(write_fixture(tmp_path, data))
    assert [d.slug for d in Comparison.objects.get().dimensions.all()] == [
        "dimension-3",
        "dimension-2",
        "dimension-1",
    ]


def test_export_round_trip_of_the_flagship(tmp_path):
    load(FLAGSHIP)
    before = snapshot()
    first = export("kubernetes-vs-serverless")

    exported = tmp_path / "exported.yaml"
    exported.write_text(first)
    load(exported)
    assert snapshot() == before  # load -> export -> load gives the same database

    Comparison.objects.all().delete()
    load(exported)
    assert export("kubernetes-vs-serverless") == first  # export -> load -> export is identical


def test_export_reflects_an_admin_style_edit(tmp_path):
    load(write_fixture(tmp_path, comparison_data()))
    Dimension.objects.filter(slug="dimension-1").update(winner=None)
    assert "winner: tie" in export("demo").split("slug: dimension-1")[1].split("slug:")[0]


def test_export_to_a_file(tmp_path):
    load(write_fixture(tmp_path, comparison_data()))
    target = tmp_path / "out.yaml"
    err = io.StringIO()
    call_command("export_content", "demo", "--output", str(target), stderr=err)
    assert target.read_text() == export("demo")
    assert f"Wrote {target}" in err.getvalue()


def test_export_of_an_unknown_slug_names_the_known_ones(tmp_path):
    load(write_fixture(tmp_path, comparison_data()))
    with pytest.raises(CommandError, match=r"No comparison with slug 'nope' \(known: demo\)"):
        export("nope")


def test_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(CommandError, match="cannot read the file"):
        load(tmp_path / "missing.yaml")


def test_same_comparison_in_two_files_is_rejected(tmp_path):
    one = write_fixture(tmp_path, comparison_data("same"), name="one.yaml")
    two = write_fixture(tmp_path, comparison_data("same"), name="two.yaml")
    with pytest.raises(CommandError, match=r"comparison 'same' is also defined in .*one.yaml"):
        load(one, two)
    assert not Comparison.objects.exists()


def test_skip_existing_leaves_loaded_comparisons_alone(tmp_path):
    load(write_fixture(tmp_path, comparison_data("kept")))
    Comparison.objects.filter(slug="kept").update(title="Edited in admin")
    changed = write_fixture(tmp_path, modified(comparison_data("kept"), lambda d: d))
    new = write_fixture(tmp_path, comparison_data("added"))
    out = io.StringIO()
    call_command("load_content", str(changed), str(new), "--skip-existing", stdout=out)
    assert out.getvalue() == "Skipped kept (already loaded)\nLoaded added\n"
    assert Comparison.objects.get(slug="kept").title == "Edited in admin"
    assert Comparison.objects.filter(slug="added").exists()


def test_the_longest_slugs_the_schema_allows_load_and_export(tmp_path):
    long = "a" * 78 + "-b"  # 80 characters, the schema's limit
    data = comparison_data(long)
    data["options"][0]["slug"] = long
    for dimension in data["dimensions"]:
        dimension["assessments"][long] = dimension["assessments"].pop("option-1")
        if dimension["winner"] == "option-1":
            dimension["winner"] = long
    for question in data["questions"]:
        for choice in question["choices"]:
            if "option-1" in choice.get("weights", {}):
                choice["weights"][long] = choice["weights"].pop("option-1")
            for rule in choice.get("rules_out", []):
                if rule["option"] == "option-1":
                    rule["option"] = long
    call_command(
        "load_content", str(write_fixture(tmp_path, data, "long.yaml")), stdout=io.StringIO()
    )
    assert Option.objects.get(slug=long).comparison.slug == long
    out = io.StringIO()
    call_command("export_content", long, stdout=out)
    assert f"slug: {long}" in out.getvalue()


def test_parts_caveats_months_and_scenario_sources_round_trip(tmp_path):
    def change(data):
        data["integration_advice"] = "Connect the parts with a queue."
        data["questions"][1]["choices"][0]["caveats"] = [
            {
                "option": "option-2",
                "form": "The long-running form",
                "text": "Runs up to 12 hours.",
                "sources": ["https://example.com/jobs"],
                "as_of": "2026-10",
            }
        ]
        data["scenarios"] = [
            {
                "slug": "two-parts",
                "name": "An API with events",
                "source": "https://example.com/case-study",
                "answers": {"parts": "web-api,events", "question-1": "favour-option-1"},
                "outcome": "not-enough",
            }
        ]

    data = modified(sourced(with_parts(comparison_data())), change)
    path = write_fixture(tmp_path, data)
    load(path)
    before = snapshot()
    first = export("demo")

    exported = tmp_path / "exported.yaml"
    exported.write_text(first)
    load(exported)
    assert snapshot() == before
    assert "parts:\n      - batch-jobs" in first
    assert "as_of: 2026-10" in first and "source: https://example.com/case-study" in first
    assert "answers:\n      parts: web-api,events" in first
