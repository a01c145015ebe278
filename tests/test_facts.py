"""Facts in the content: which texts state figures, which lack a source or an "as of" month,
and which were checked too long ago. Pure (no database): comparisons are built as schemas."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from decision.content.facts import facts, figures, stale_facts, unsourced_figures
from decision.content.schema import ComparisonSchema
from decision.vocabulary import STALE_AFTER_DAYS

URL = "https://example.com/pricing"


# --- helpers -------------------------------------------------------------------------------


def option(slug: str, name: str, **extra) -> dict:
    return {
        "slug": slug,
        "name": name,
        "tagline": f"The {name} tagline",
        "typical_cost": "Low",
        "time_to_productive": "A week",
        **extra,
    }


def base() -> dict:
    """A comparison that states no figure anywhere: every test adds the ones it is about."""
    return {
        "slug": "demo",
        "title": "Demo",
        "intro": "Which one fits?",
        "default_advice": "Start with the simple one.",
        "combined_advice": "Use both where each is strongest.",
        "options": [option("alpha", "Alpha"), option("bravo", "Bravo")],
        "dimensions": [
            {
                "slug": "cost",
                "name": "Cost",
                "why_it_matters": "Bills add up.",
                "winner": "alpha",
                "assessments": {"alpha": "Cheap when idle.", "bravo": "Cheap when busy."},
            }
        ],
        "faq": [{"question": "Is it fast?", "answer": "Fast enough."}],
        "questions": [
            {
                "slug": "duration",
                "prompt": "How long does a job run?",
                "help": "Think of the longest one.",
                "choices": [
                    {"slug": "short", "label": "Seconds", "why": "Short jobs suit both."},
                    {"slug": "long", "label": "Hours", "why": "Long jobs need care."},
                ],
            }
        ],
    }


def comparison(data: dict) -> ComparisonSchema:
    return ComparisonSchema.model_validate(data)


# --- figures -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("Requests cost $0.10 per million.", ["$0.10"]),
        ("Functions stop after 15 minutes.", ["15"]),
        ("Up to 10,240 MB of memory.", ["10,240"]),
        ("It costs $5.", ["$5"]),  # a full stop or comma after a figure is not part of it
        ("About 1,000, at most.", ["1,000"]),
        ("From 1.5 GB, in 15 minutes, for $0.10", ["1.5", "15", "$0.10"]),
        ("Checked in 2026-11.", ["2026"]),  # the month after a hyphen belongs to the year
    ],
)
def test_figures_are_the_numbers_a_text_states_in_order(text, found):
    assert figures(text) == found


@pytest.mark.parametrize(
    "text",
    [
        "Store it in S3.",
        "An m7g.large node.",
        "Run it on EC2.",
        "Lambda on x86-64 or IPv6.",
        "An e2-standard-4 machine.",
        "Python3 and arm64.",
        "No figure at all.",
    ],
)
def test_numbers_that_belong_to_a_name_are_not_figures(text):
    assert figures(text) == []


def test_a_number_after_a_slash_or_a_dot_belongs_to_a_name():
    # "HTTP/2" and "v1.2" are names; "24/7" states its first number only.
    assert figures("Supports HTTP/2 and gRPC.") == []
    assert figures("Needs v1.2 or later.") == []
    assert figures("Runs 24/7.") == ["24"]
    assert figures("Costs $0.10 an hour.") == ["$0.10"]


# --- unsourced figures ---------------------------------------------------------------------


def test_nothing_is_reported_without_figures():
    content = comparison(base())

    assert facts(content) == []
    assert unsourced_figures(content) == []


def test_every_item_stating_a_figure_without_a_source_or_month_is_reported_with_its_path():
    data = base()
    data["intro"] = "Most teams need 2 weeks."
    data["options"][0]["typical_cost"] = "$10 to $100 a month, or $1,000 when busy, or $5"
    data["options"][1]["pros"] = ["Scales to 1,000 instances"]
    data["options"][1]["sources"] = [URL]
    data["dimensions"][0]["assessments"]["bravo"] = "Cheaper above 40 % load."
    data["dimensions"][0]["as_of"] = "2026-11"
    data["faq"][0]["answer"] = "Cold starts take 200 ms."
    question = data["questions"][0]
    question["help"] = "Functions stop at 15 minutes."
    question["choices"][0]["rules_out"] = [{"option": "bravo", "reason": "Needs 3 nodes."}]
    question["choices"][0]["caveats"] = [
        {"option": "alpha", "form": "Jobs", "text": "Jobs run up to 24 hours."}
    ]
    question["choices"][1].update(why="Over 15 minutes.", sources=[URL], as_of="2026-11")

    problems = unsourced_figures(comparison(data))

    assert problems == [
        ("", "the comparison's intro or advice states “2” but lacks a source and an as_of month"),
        (
            "options[0]",
            "option “Alpha” states “$10”, “$100”, “$1,000” but lacks a source and an as_of month",
        ),
        ("options[1]", "option “Bravo” states “1,000” but lacks an as_of month"),
        ("dimensions[0]", "dimension “Cost” states “40” but lacks a source"),
        ("faq[0]", "FAQ “Is it fast?” states “200” but lacks a source and an as_of month"),
        (
            "questions[0]",
            "question “How long does a job run?” states “15” but lacks a source and an as_of month",
        ),
        (
            "questions[0].choices[0]",
            "answer “Seconds” states “3” but lacks a source and an as_of month",
        ),
        (
            "questions[0].choices[0].caveats[0]",
            "caveat “Jobs” states “24” but lacks a source and an as_of month",
        ),
    ]


def test_a_figure_with_a_source_and_a_month_is_not_reported():
    data = base()
    data["options"][0].update(typical_cost="$0.10 an hour", sources=[URL], as_of="2026-11")

    content = comparison(data)

    assert [fact.path for fact in facts(content)] == ["options[0]"]
    assert unsourced_figures(content) == []


def test_a_source_on_another_item_does_not_cover_a_figure():
    data = base()
    data["questions"][0].update(sources=[URL], as_of="2026-11")
    data["questions"][0]["choices"][1]["label"] = "Over 15 minutes"

    problems = unsourced_figures(comparison(data))

    assert [path for path, _ in problems] == ["questions[0].choices[1]"]


# --- stale facts ---------------------------------------------------------------------------


def dated(months: list[str | None]) -> ComparisonSchema:
    """One FAQ entry per month given, each stating a figure and sourced; None: no month."""
    data = base()
    data["faq"] = [
        {
            "question": f"Question {chr(ord('A') + n)}?",
            "answer": f"It takes {n + 1} seconds.",
            "sources": [URL],
            **({"as_of": month} if month else {}),
        }
        for n, month in enumerate(months)
    ]
    return comparison(data)


def test_stale_facts_are_those_checked_more_than_180_days_ago_oldest_first():
    content = dated(["2026-05", "2026-06", "2025-01", None, "2026-04", "2026-11"])
    today = date(2026, 11, 15)

    stale = stale_facts(content, today=today)

    assert STALE_AFTER_DAYS == 180
    # 2026-05-01 is 198 days before today, 2026-06-01 is 167.
    assert [(fact.path, fact.as_of) for fact in stale] == [
        ("faq[2]", "2025-01"),
        ("faq[4]", "2026-04"),
        ("faq[0]", "2026-05"),
    ]


def test_a_month_is_stale_from_the_181st_day_after_its_first():
    content = dated(["2026-05"])
    first = date(2026, 5, 1)

    assert stale_facts(content, today=first + timedelta(days=STALE_AFTER_DAYS)) == []
    (fact,) = stale_facts(content, today=first + timedelta(days=STALE_AFTER_DAYS + 1))
    assert (fact.path, fact.figures, fact.sources) == ("faq[0]", ("1",), (URL,))


def test_an_item_without_a_figure_is_never_stale():
    data = base()
    data["faq"][0]["as_of"] = "2020-01"  # "Fast enough.": no figure, so not a fact

    assert stale_facts(comparison(data), today=date(2026, 11, 15)) == []
