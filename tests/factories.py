"""Test data: fixture dictionaries of any size, and helpers to load them."""

from __future__ import annotations

import copy
from pathlib import Path

import yaml

from decision.content.files import parse_text
from decision.content.store import save_comparisons

FLAGSHIP = Path(__file__).resolve().parent.parent / "fixtures" / "kubernetes-vs-serverless.yaml"


def comparison_data(
    slug: str = "demo",
    *,
    options: int = 2,
    dimensions: int = 3,
    faq: int = 2,
    points: int = 2,
    criteria: int = 2,
    questions: int = 3,
    plans: int = 0,
) -> dict:
    """A valid fixture as a dict, with the given number of each part.

    With `plans`, each option has that many priced plans (functions plans for the first
    option, cluster plans with a node type for the others).
    """
    option_slugs = [f"option-{n}" for n in range(1, options + 1)]
    return {
        "slug": slug,
        "title": f"Comparison {slug}",
        "intro": "Which of these should you use?",
        "default_advice": "Start with the first option.",
        "combined_advice": "Use both where each is strongest.",
        "options": [
            {
                "slug": option,
                "name": f"Option {n}",
                "tagline": f"The tagline of option {n}",
                "typical_cost": "$10 to $100 a month",
                "time_to_productive": "A week",
                "pros": [f"Pro {p} of option {n}" for p in range(1, points + 1)],
                "cons": [f"Con {p} of option {n}" for p in range(1, points + 1)],
                "criteria": [
                    {"slug": f"{option}-when-{c}", "text": f"Criterion {c} of option {n}"}
                    for c in range(1, criteria + 1)
                ],
                "sources": ["https://example.com/pricing"],
                "plans": [_plan(option, k, cluster=n > 1) for k in range(1, plans + 1)],
            }
            for n, option in enumerate(option_slugs, start=1)
        ],
        "dimensions": [
            {
                "slug": f"dimension-{d}",
                "name": f"Dimension {d}",
                "why_it_matters": f"Why dimension {d} matters",
                "winner": option_slugs[d % options] if d % 4 else "tie",
                "assessments": {option: f"{option} on dimension {d}" for option in option_slugs},
                "sources": [],
            }
            for d in range(1, dimensions + 1)
        ],
        "faq": [
            {"question": f"Question {q}?", "answer": f"Answer {q}.", "sources": []}
            for q in range(1, faq + 1)
        ],
        "questions": [_question(q, option_slugs, dimensions, criteria) for q in range(questions)],
        "scenarios": [],
    }


def _rate(amount: float, unit: str) -> dict:
    return {
        "amount": amount,
        "unit": unit,
        "source": "https://example.com/pricing",
        "checked": "2026-11-01",
    }


def _plan(option: str, k: int, *, cluster: bool) -> dict:
    """A plan priced like a small cloud's: per request and GB-second, or a cluster and nodes."""
    if cluster:
        return {
            "slug": f"{option}-cluster-{k}",
            "name": f"Cluster {k} of {option}",
            "kind": "cluster",
            "region": "Test region",
            "prices": {"control_plane": _rate(0.1, "usd-per-hour")},
            "nodes": [
                {
                    "slug": f"{option}-node-{k}",
                    "name": f"node-{k}",
                    "vcpu": 2,
                    "memory_gib": 8,
                    "price": _rate(0.08 * k, "usd-per-hour"),
                }
            ],
        }
    return {
        "slug": f"{option}-functions-{k}",
        "name": f"Functions {k} of {option}",
        "kind": "functions",
        "region": "Test region",
        "prices": {
            "requests": _rate(0.2 * k, "usd-per-million-requests"),
            "compute": _rate(0.0000166667, "usd-per-gb-second"),
        },
        "free": {"requests": _rate(1_000_000, "requests-per-month")},
    }


def _question(q: int, options: list[str], dimensions: int, criteria: int) -> dict:
    """Question q: choice `favour-X` pushes toward option X; the second question is a follow-up.

    The last option can be ruled out by the first question's `must-avoid` choice.
    """
    choices = [
        {
            "slug": f"favour-{option}",
            "label": f"Favour {option}",
            "why": f"This pushes toward {option}.",
            "weights": {o: (3.0 if o == option else -1.0) for o in options},
            "dimensions": [f"dimension-{(q % max(dimensions, 1)) + 1}"] if dimensions else [],
            "criteria": [f"{option}-when-{(q % criteria) + 1}"] if criteria else [],
        }
        for option in options
    ]
    if q == 0:
        choices.append(
            {
                "slug": "must-avoid",
                "label": f"We cannot use {options[-1]}",
                "why": f"A hard limit rules out {options[-1]}.",
                "weights": {},
                "rules_out": [{"option": options[-1], "reason": "A hard limit."}],
            }
        )
    question = {
        "slug": f"question-{q + 1}",
        "prompt": f"Question {q + 1}?",
        "help": f"Help for question {q + 1}.",
        "choices": choices,
    }
    if q == 1:
        question["show_if"] = {"question": "question-1", "choice": f"favour-{options[0]}"}
    return question


class _NoAliases(yaml.SafeDumper):
    """Fixtures may not use YAML aliases: write shared parts out in full."""

    def ignore_aliases(self, data):
        return True


def to_yaml(data: dict) -> str:
    return yaml.dump(data, Dumper=_NoAliases, sort_keys=False, allow_unicode=True)


def write_fixture(directory: Path, data: dict, name: str | None = None) -> Path:
    path = directory / (name or f"{data['slug']}.yaml")
    path.write_text(to_yaml(data), encoding="utf-8")
    return path


def load_data(data: dict):
    """Validate and save a fixture dict; return the saved Comparison."""
    [comparison] = save_comparisons([parse_text(to_yaml(data), file="test.yaml")])
    return comparison


def load_flagship():
    [comparison] = save_comparisons([parse_text(FLAGSHIP.read_text(), file=str(FLAGSHIP))])
    return comparison


def modified(data: dict, change) -> dict:
    """A deep copy of data with `change(copy)` applied."""
    result = copy.deepcopy(data)
    change(result)
    return result


PARTS = ("web-api", "events", "batch-jobs")


def with_parts(data: dict) -> dict:
    """A copy of fixture data whose first question asks for the system's parts (`PARTS`).

    The last question is then about the batch jobs alone; the others are about every part.
    """
    result = copy.deepcopy(data)
    result["questions"].insert(
        0,
        {
            "slug": "parts",
            "prompt": "Which parts does your system have?",
            "multiple": True,
            "choices": [
                {"slug": part, "label": f"Part {part}", "why": f"The system has {part}."}
                for part in PARTS
            ],
        },
    )
    result["questions"][-1]["parts"] = [PARTS[-1]]
    return result


def sourced(data: dict, as_of: str = "2026-11") -> dict:
    """A copy of fixture data whose every item names a source and the month it was checked.

    The factory's texts state figures ("Option 1", "$10"), so without this `check_content`
    and content health find them unsourced.
    """
    result = copy.deepcopy(data)
    source = "https://example.com/facts"
    items = [*result["options"], *result["dimensions"], *result["faq"], *result["questions"]]
    for question in result["questions"]:
        for choice in question["choices"]:
            items += [choice, *choice.get("caveats", [])]
    for item in items:
        item["sources"] = item.get("sources") or [source]
        item["as_of"] = as_of
    return result


def parts_comparison_data(slug: str = "parts-demo") -> dict:
    """A comparison whose wizard puts a knock-out first, then asks for the system's parts.

    Questions, in order: `where` (its `own-servers` choice rules option-2 out for the whole
    system, so every later question is skipped), `parts` (the multiple question: `web`,
    `jobs`, and `store`, which rules option-2 out for that part alone), `traffic` (every part),
    `hours` (only after `traffic=steady`), `job-length` (only about `jobs`; `hours-long` rules
    option-2 out for jobs) and `team` (every part).
    """

    def choice(slug, label, weights=None, out=None):
        made = {
            "slug": slug,
            "label": label,
            "why": f"Because of {label.lower()}.",
            "weights": weights or {},
        }
        if out:
            made["rules_out"] = [{"option": "option-2", "reason": out}]
        return made

    def question(slug, prompt, *choices, **extra):
        return {"slug": slug, "prompt": prompt, "help": f"Help for {slug}.", **extra,
                "choices": list(choices)}  # fmt: skip

    data = comparison_data(slug, questions=0)
    data["questions"] = [
        question(
            "where",
            "Where must it run?",
            choice("any-cloud", "In a public cloud", {"option-2": 1.0}),
            choice("own-servers", "Only on our own servers", out="Option 2 needs a public cloud."),
        ),
        question(
            "parts",
            "Which parts does your system have?",
            choice("web", "A web front end", {"option-2": 2.0}),
            choice("jobs", "Batch jobs", {"option-1": 1.0}),
            choice("store", "Data stores we run", out="Option 2 cannot host your data stores."),
            multiple=True,
        ),
        question(
            "traffic",
            "How does the traffic arrive?",
            choice("steady", "Steadily", {"option-1": 2.0}),
            choice("spiky", "In bursts", {"option-2": 2.0}),
        ),
        question(
            "hours",
            "When is it busy?",
            choice("all-day", "All day", {"option-1": 2.0}),
            choice("office", "Office hours", {"option-2": 1.0}),
            show_if={"question": "traffic", "choice": "steady"},
        ),
        question(
            "job-length",
            "How long does a job run?",
            choice("minutes", "Minutes", {"option-2": 1.0}),
            choice("hours-long", "Hours", out="Option 2 stops long jobs."),
            parts=["jobs"],
        ),
        question(
            "team",
            "Who runs it?",
            choice("ops", "An operations team", {"option-1": 2.0}),
            choice("devs", "Developers only", {"option-2": 2.0}),
        ),
    ]
    return data
