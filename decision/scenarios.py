"""Scenarios: named answer sets with the outcome they must produce, run against the engine."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from .engine import Model, recommend


@dataclass(frozen=True)
class Scenario:
    slug: str
    name: str
    answers: Mapping[str, str]
    outcome: str
    source: str | None = None


@dataclass(frozen=True)
class Failure:
    scenario: Scenario
    got: str
    confidence: float

    def __str__(self) -> str:
        return (
            f"scenario '{self.scenario.slug}' ({self.scenario.name}): expected "
            f"'{self.scenario.outcome}', got '{self.got}' (confidence {self.confidence:.2f})"
        )


def scenario_failures(model: Model, scenarios: Iterable[Scenario]) -> list[Failure]:
    """Run each scenario; return the ones whose outcome is not the expected one."""
    failures = []
    for scenario in scenarios:
        result = recommend(model, scenario.answers, explain=False)
        if result.outcome != scenario.outcome:
            failures.append(Failure(scenario, result.outcome, result.confidence))
    return failures
