"""A small comparison with parts, knock-outs and caveats, for result-page and ADR tests.

Two options ("cluster" and "functions"); the parts question offers a web API, event handlers
and data stores (data stores rule functions out); traffic is asked of the web API alone and
job length of the event handlers alone, with a caveat when functions win despite long jobs.
"""

from __future__ import annotations

SOURCE = "https://example.com/limits"


def placement_data(slug: str = "placing") -> dict:
    def option(slug, name):
        return {
            "slug": slug,
            "name": name,
            "tagline": f"{name} in one line.",
            "typical_cost": "Depends on the load.",
            "time_to_productive": "Weeks.",
            "pros": [f"AWS-grade tooling for {name}", f"{name} scales"],
            "cons": [f"{name} has limits"],
            "criteria": [{"slug": f"{slug}-fits", "text": f"{name} fits your work."}],
            "sources": [SOURCE],
        }

    def choice(slug, label, weights, **extra):
        return {
            "slug": slug,
            "label": label,
            "why": f"Because {label.lower()}.",
            "weights": weights,
        } | extra

    return {
        "slug": slug,
        "title": "Cluster vs functions",
        "intro": "Where should the code run?",
        "default_advice": "Start with functions. Move what runs all day to the cluster.",
        "combined_advice": "Use both, each where it is strongest.",
        "integration_advice": "Connect the parts through a queue.",
        "default_option": "functions",
        "options": [option("cluster", "Cluster"), option("functions", "Functions")],
        "dimensions": [
            {
                "slug": "state",
                "name": "Stateful workloads",
                "why_it_matters": "Data must live somewhere.",
                "winner": "cluster",
                "assessments": {"cluster": "Strong.", "functions": "Weak."},
            },
            {
                "slug": "idle-cost",
                "name": "Cost when idle",
                "why_it_matters": "Quiet hours cost money.",
                "winner": "functions",
                "assessments": {"cluster": "Pays for nodes.", "functions": "Pays nothing."},
            },
        ],
        "faq": [],
        "questions": [
            {
                "slug": "location",
                "prompt": "Where must it run?",
                "choices": [
                    choice("cloud", "In a public cloud", {"functions": 1.0}),
                    choice(
                        "own-hardware",
                        "Only on our own hardware",
                        {"cluster": 4.0},
                        rules_out=[{"option": "functions", "reason": "Functions need a cloud."}],
                    ),
                ],
            },
            {
                "slug": "parts",
                "prompt": "Which parts does the system have?",
                "multiple": True,
                "choices": [
                    choice("web-api", "User-facing web or API", {}),
                    choice(
                        "events", "Event handlers", {"functions": 2.0}, dimensions=["idle-cost"]
                    ),
                    choice(
                        "data-stores",
                        "Data stores we run ourselves",
                        {"cluster": 4.0},
                        rules_out=[{"option": "functions", "reason": "Functions keep no disks."}],
                        dimensions=["state"],
                    ),
                ],
            },
            {
                "slug": "traffic",
                "prompt": "What does traffic to the web API look like?",
                "parts": ["web-api"],
                "choices": [
                    choice("spiky", "Spiky", {"functions": 3.0}, criteria=["functions-fits"]),
                    choice(
                        "steady", "Steady and heavy", {"cluster": 4.0}, criteria=["cluster-fits"]
                    ),
                ],
            },
            {
                "slug": "duration",
                "prompt": "How long does an event take to handle?",
                "parts": ["events"],
                "choices": [
                    choice("seconds", "Seconds", {"functions": 1.0}),
                    choice(
                        "hours",
                        "Hours",
                        {"cluster": 1.0},
                        caveats=[
                            {
                                "option": "functions",
                                "form": "Serverless containers and jobs",
                                "text": "Functions stop at 15 minutes: run these as jobs.",
                                "sources": [SOURCE],
                                "as_of": "2026-11",
                            }
                        ],
                        sources=[SOURCE],
                        as_of="2026-11",
                    ),
                ],
            },
            {
                "slug": "team",
                "prompt": "Who runs it?",
                "choices": [
                    choice("developers", "Developers only", {"functions": 2.0}),
                    choice("platform", "A platform team", {"cluster": 2.0}),
                ],
            },
        ],
        "scenarios": [],
    }


COMBINE_ANSWERS = {
    "location": "cloud",
    "parts": "web-api,events",
    "traffic": "steady",
    "duration": "hours",
    "team": "developers",
}
SINGLE_ANSWERS = {
    "location": "cloud",
    "parts": "web-api",
    "traffic": "spiky",
    "team": "developers",
}
